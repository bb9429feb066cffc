using System.Text.Json;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;

namespace MixFlow.Training;

/// <summary>What goes into a checkpoint.</summary>
/// <param name="State">The JSON state.</param>
/// <param name="Model">Model parameters and buffers.</param>
/// <param name="Ema">EMA weights.</param>
/// <param name="Optimizer">Optimizer state tensors (moments, step counters).</param>
public sealed record CheckpointContents(
    CheckpointState State,
    IReadOnlyList<NamedTensor> Model,
    IReadOnlyList<NamedTensor> Ema,
    IReadOnlyList<NamedTensor> Optimizer);

/// <summary>
/// One checkpoint directory <c>ckpt-&lt;step&gt;/</c> holding <c>model.safetensors</c>, <c>ema.safetensors</c>,
/// <c>optimizer.safetensors</c> and <c>state.json</c>. <see cref="Open"/> checks that every file is present and parses
/// the state; the tensor files are read on demand.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Model weights file name.</summary>
    public const string ModelFile = "model.safetensors";
    /// <summary>EMA weights file name.</summary>
    public const string EmaFile = "ema.safetensors";
    /// <summary>Optimizer state file name.</summary>
    public const string OptimizerFile = "optimizer.safetensors";
    /// <summary>JSON state file name.</summary>
    public const string StateFile = "state.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The checkpoint directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The parsed <c>state.json</c>.</summary>
    public CheckpointState State { get; }

    private Checkpoint(string directory, CheckpointState state) { Directory = directory; State = state; }

    /// <summary>The configuration stored in the checkpoint.</summary>
    /// <exception cref="CheckpointException">A stored value is invalid (names <c>state.json</c> and the key).</exception>
    public TrainConfig Config
    {
        get
        {
            try { return TrainConfigKeys.FromDictionary(State.Config); }
            catch (ConfigException e) { throw new CheckpointException(PathOf(StateFile), $"checkpoint '{PathOf(StateFile)}': invalid config: {e.Message}", e); }
        }
    }

    /// <summary>Full path of a file of this checkpoint.</summary>
    public string PathOf(string file) => System.IO.Path.Combine(Directory, file);

    /// <summary>
    /// Opens a checkpoint: <paramref name="path"/> is a checkpoint directory, or a run directory (its <c>latest</c>
    /// pointer is followed).
    /// </summary>
    /// <exception cref="CheckpointException">Not found, a file missing (named), or <c>state.json</c> corrupt (the file and the JSON problem are named).</exception>
    public static Checkpoint Open(string path)
    {
        string dir = CheckpointManager.Resolve(path);
        foreach (var f in new[] { StateFile, ModelFile, EmaFile, OptimizerFile })
        {
            string p = System.IO.Path.Combine(dir, f);
            if (!File.Exists(p)) throw new CheckpointException(p, $"checkpoint '{dir}' is incomplete: missing file '{p}'");
        }
        string statePath = System.IO.Path.Combine(dir, StateFile);
        CheckpointState? state;
        try { state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(statePath), JsonOptions); }
        catch (JsonException e)
        {
            string where = e.LineNumber is long l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new CheckpointException(statePath, $"corrupt checkpoint state '{statePath}': invalid JSON{where}: {FirstLine(e.Message)}", e);
        }
        if (state is null) throw new CheckpointException(statePath, $"corrupt checkpoint state '{statePath}': the file holds JSON null");
        if (state.FormatVersion != CheckpointState.CurrentFormatVersion)
            throw new CheckpointException(statePath, $"checkpoint state '{statePath}' has format_version {state.FormatVersion}; this build reads version {CheckpointState.CurrentFormatVersion}");
        if (state.Step < 0) throw new CheckpointException(statePath, $"corrupt checkpoint state '{statePath}': step {state.Step} < 0");
        return new Checkpoint(dir, state);
    }

    private static string FirstLine(string s) { int i = s.IndexOf('\n'); return i < 0 ? s : s[..i]; }

    /// <summary>Reads the model weights.</summary>
    /// <exception cref="CheckpointException">The file is corrupt (named).</exception>
    public Dictionary<string, Tensor> ReadModel() => ReadTensors(ModelFile);

    /// <summary>Reads the EMA weights.</summary>
    /// <exception cref="CheckpointException">The file is corrupt (named).</exception>
    public Dictionary<string, Tensor> ReadEma() => ReadTensors(EmaFile);

    /// <summary>Reads the optimizer state.</summary>
    /// <exception cref="CheckpointException">The file is corrupt (named).</exception>
    public Dictionary<string, Tensor> ReadOptimizer() => ReadTensors(OptimizerFile);

    private Dictionary<string, Tensor> ReadTensors(string file)
    {
        string p = PathOf(file);
        try
        {
            var d = SafeTensors.ReadAll(p);
            foreach (var t in d.Values) t.MoveToOuterScope();
            return d;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new CheckpointException(p, $"cannot read checkpoint file '{p}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies a tensor file's values into a module (strict: every name must match and every shape must agree).
    /// </summary>
    /// <param name="module">Target module.</param>
    /// <param name="file">One of <see cref="ModelFile"/> or <see cref="EmaFile"/>.</param>
    /// <exception cref="CheckpointException">Names or shapes differ; the message names the file and lists the first mismatches with their shapes.</exception>
    public void LoadInto(Module module, string file)
    {
        var tensors = ReadTensors(file);
        ApplyTo(module, tensors, PathOf(file), State.ModelPreset);
    }

    /// <summary>Copies named tensors into a module, turning a mismatch into a <see cref="CheckpointException"/> naming <paramref name="source"/>.</summary>
    /// <exception cref="CheckpointException">Names or shapes differ.</exception>
    /// <remarks>A REPA checkpoint's projector entries (<c>repa_projector.*</c>) are dropped when the module is not a <see cref="RepaModel"/> (sampling with the bare backbone).</remarks>
    public static void ApplyTo(Module module, IReadOnlyDictionary<string, Tensor> tensors, string source, string preset)
    {
        if (module is not RepaModel) tensors = WithoutProjector(tensors, "");
        try { module.LoadStateDict(tensors, strict: true); }
        catch (ArgumentException e)
        {
            throw new CheckpointException(source, $"checkpoint file '{source}' (preset '{preset}') does not fit the model: {e.Message}", e);
        }
    }

    private static IReadOnlyDictionary<string, Tensor> WithoutProjector(IReadOnlyDictionary<string, Tensor> tensors, string prefix)
    {
        string p = prefix + RepaModel.ProjectorPrefix;
        if (!tensors.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal))) return tensors;
        return tensors.Where(kv => !kv.Key.StartsWith(p, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>
    /// Restores a session exactly as it was saved (weights, EMA, optimizer moments and step counts, random streams,
    /// data position, step and skip counters), for resuming.
    /// </summary>
    /// <exception cref="CheckpointException">A file is corrupt or does not fit the session's model/optimizer/data; the message names the file.</exception>
    public void Restore(TrainingSession session)
    {
        RestoreWeights(session.Model, session.Ema);
        string optPath = PathOf(OptimizerFile);
        try { session.Optimizer.LoadState(ReadOptimizer(), OptimizerScalars.FromMetadata(State.Optimizer)); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new CheckpointException(optPath, $"checkpoint optimizer state '{optPath}' does not fit: {e.Message}", e);
        }
        string statePath = PathOf(StateFile);
        if (!State.Rng.TryGetValue("train", out var rng))
            throw new CheckpointException(statePath, $"corrupt checkpoint state '{statePath}': rng.train is missing");
        try
        {
            session.Rng.SetState(rng);
            if (State.Loader is not null) session.Data.Seek(State.Loader);
        }
        catch (ArgumentException e) { throw new CheckpointException(statePath, $"checkpoint state '{statePath}' does not fit: {e.Message}", e); }
        session.Step = State.Step;
        session.SkippedSteps = State.SkippedSteps;
    }

    /// <summary>Loads the model weights and the EMA (for post-training and sampling).</summary>
    /// <exception cref="CheckpointException">A file is corrupt or does not fit; the message names the file and the first mismatches.</exception>
    public void RestoreWeights(Module model, Ema? ema)
    {
        LoadInto(model, ModelFile);
        if (ema is null) return;
        string p = PathOf(EmaFile);
        try { ema.Load(model is RepaModel ? ReadEma() : WithoutProjector(ReadEma(), "ema.")); }
        catch (ArgumentException e) { throw new CheckpointException(p, $"checkpoint file '{p}' (preset '{State.ModelPreset}') does not fit the model: {e.Message}", e); }
    }

    /// <summary>
    /// Writes a checkpoint's files into an existing (empty, temporary) directory; each file is flushed to disk.
    /// Use <see cref="CheckpointManager.Save"/> for the atomic, named checkpoint.
    /// </summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    /// <exception cref="ArgumentException">Invalid tensor names (empty or duplicate).</exception>
    internal static void WriteFiles(string dir, CheckpointContents c)
    {
        SafeTensors.Save(System.IO.Path.Combine(dir, ModelFile), c.Model);
        SafeTensors.Save(System.IO.Path.Combine(dir, EmaFile), c.Ema);
        SafeTensors.Save(System.IO.Path.Combine(dir, OptimizerFile), c.Optimizer);
        WriteTextDurable(System.IO.Path.Combine(dir, StateFile), JsonSerializer.Serialize(c.State, JsonOptions));
    }

    /// <summary>Writes a text file and flushes it to disk (fsync).</summary>
    internal static void WriteTextDurable(string path, string text)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }
}
