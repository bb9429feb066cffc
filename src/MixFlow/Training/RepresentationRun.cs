using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// The loaded representation parts of a <c>repa-*</c> or <c>rae-*</c> run (made by <see cref="RepresentationSetup.Prepare"/>):
/// the frozen encoder and, for RAE, the codec. It builds what <see cref="TrainingSetup"/> needs for such a run — the
/// data seen by the model, the model, the objective and the preview.
/// </summary>
public sealed class RepresentationRun
{
    internal RepresentationRun(RepresentationKind kind, string preset, CnnPatchEncoder encoder, string encoderPath, RaeCodec? codec, string? decoderPath)
    {
        Kind = kind; Preset = preset; Encoder = encoder; EncoderPath = encoderPath; Codec = codec; DecoderPath = decoderPath;
    }

    /// <summary>REPA or RAE.</summary>
    public RepresentationKind Kind { get; }

    /// <summary>The model name (<c>repa-…</c> or <c>rae-…</c>).</summary>
    public string Preset { get; }

    /// <summary>The frozen encoder.</summary>
    public CnnPatchEncoder Encoder { get; }

    /// <summary>Full path of the encoder file.</summary>
    public string EncoderPath { get; }

    /// <summary>The RAE codec (null for REPA).</summary>
    public RaeCodec? Codec { get; }

    /// <summary>Full path of the decoder file (null for REPA).</summary>
    public string? DecoderPath { get; }

    /// <summary>Shape of one RAE latent [D, G, G] (null for REPA).</summary>
    public int[]? LatentShape => Codec?.LatentShape;

    /// <summary>The configuration with the encoder/decoder recorded as full paths (stored in <c>state.json</c>).</summary>
    public TrainConfig Record(TrainConfig config) => config with { Encoder = EncoderPath, Decoder = DecoderPath };

    /// <summary>
    /// The training set the model sees: the images themselves for REPA; for RAE, their normalised latents
    /// (<see cref="RaeLatentDataset"/>; a set that already holds latents of <see cref="LatentShape"/> is used as is).
    /// </summary>
    /// <exception cref="ConfigException">The data's samples are not images of the encoder's input shape (key <c>encoder</c>).</exception>
    public IDataset Data(IDataset images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (Kind == RepresentationKind.Rae && TensorShape.Equal(images.SampleShape, LatentShape!)) return images;
        var (c, h, w) = Encoder.InputShape;
        var s = images.SampleShape;
        if (s.Length != 3 || s[0] != c || s[1] != h || s[2] != w)
            throw new ConfigException("encoder", $"encoder: '{EncoderPath}' takes images [{c}, {h}, {w}], the data has samples [{string.Join(", ", s)}]");
        return Kind == RepresentationKind.Rae ? new RaeLatentDataset(images, Codec!) : images;
    }

    /// <summary>
    /// Builds the model: a <see cref="RepaModel"/> (SiT + projector to the encoder's token width, aligned at
    /// <see cref="TrainConfig.RepaDepth"/>) for REPA, a <see cref="DiTDH"/> on the latent for RAE.
    /// </summary>
    /// <param name="config">The run's configuration (REPA depth).</param>
    /// <param name="sampleShape">Shape of one sample of <see cref="Data"/>.</param>
    /// <param name="numClasses">Classes of the data.</param>
    /// <param name="gen">Initialisation stream.</param>
    /// <exception cref="ConfigException">Unknown preset, a preset that does not fit the data (key <c>model</c>), or a block k beyond the depth (key <c>repa-depth</c>).</exception>
    public Module CreateModel(TrainConfig config, int[] sampleShape, int numClasses, Generator gen)
    {
        string inner = Preset[(Kind == RepresentationKind.Repa ? RepresentationModels.RepaPrefix : RepresentationModels.RaePrefix).Length..];
        var known = Kind == RepresentationKind.Repa ? SiTRegistry.Names : DiTDHRegistry.Names;
        if (!known.Contains(inner))
            throw new ConfigException("model", $"model: unknown preset '{Preset}' (known: {string.Join(", ", ModelPresets.Names)})");
        if (Kind == RepresentationKind.Rae) return RepresentationModels.CreateRae(Preset, sampleShape, numClasses, gen);
        int depth = SiTRegistry.Options(inner).Depth;
        if (config.RepaDepth is int k && k > depth)
            throw new ConfigException("repa-depth", $"repa-depth: block {k} is beyond the depth {depth} of '{inner}' (expected 1..{depth}, or auto = {RepaModel.DefaultCaptureBlock(depth)})");
        try { return RepresentationModels.CreateRepa(Preset, sampleShape, numClasses, Encoder.TokenDim, gen, config.RepaDepth); }
        catch (ArgumentException e) { throw new ConfigException("model", $"model: {e.Message}"); }
    }

    /// <summary>
    /// The objective: REPA wraps the configured objective (<see cref="TrainingSetup.Objective(TrainConfig)"/>, any of
    /// fm / mixflow / ip) with λ = <see cref="TrainConfig.RepaLambda"/>; RAE uses the configured objective with its time
    /// distribution shifted by s = sqrt(D·G·G / 4096) (<see cref="RaeDefaults.TimeSampler"/>).
    /// </summary>
    public ITrainingObjective CreateObjective(TrainConfig config) => Kind == RepresentationKind.Repa
        ? new RepaObjective(TrainingSetup.Objective(config), Encoder, new RepaOptions(config.RepaLambda))
        : TrainingSetup.Objective(config, new RaeDefaults().TimeSampler(TrainingSetup.TimeSampler(config.EffectiveTimeSampler), LatentShape!));

    /// <summary>Description of the objective for checkpoints, e.g. <c>repa(lambda=0.5, block=auto)+mixflow(…)</c> or <c>rae(shift=1.37)+fm(…)</c>.</summary>
    public string DescribeObjective(TrainConfig config)
    {
        string inner = TrainingSetup.DescribeObjective(config);
        return Kind == RepresentationKind.Repa
            ? FormattableString.Invariant($"repa(lambda={config.RepaLambda}, block={(config.RepaDepth?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto")})+{inner}")
            : FormattableString.Invariant($"rae(shift={new RaeDefaults().Shift(LatentShape!):0.####})+{inner}");
    }

    /// <summary>The training preview: decoded image grids for RAE (<see cref="RaePreview"/>); null (the standard preview) for REPA.</summary>
    public ITrainingPreview? CreatePreview(TrainingSession session) => Kind == RepresentationKind.Rae ? new RaePreview(session, Codec!) : null;

    /// <summary>
    /// Checks that a checkpoint continued with this run's encoder (resume, post-training) was trained with a matching
    /// one: the same latent shape (RAE) or the same projector output width (REPA).
    /// </summary>
    /// <param name="checkpoint">The checkpoint whose weights are about to be loaded.</param>
    /// <param name="model">The freshly built model of the session.</param>
    /// <exception cref="ConfigException">The encoder does not match (key <c>encoder</c>); the message names both and the expected token width.</exception>
    /// <exception cref="CheckpointException">The checkpoint's model file is corrupt.</exception>
    public void CheckFits(Checkpoint checkpoint, Module model)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(model);
        string recorded = checkpoint.Config.Encoder is { } e ? $" (it was trained with '{e}')" : "";
        if (Kind == RepresentationKind.Rae)
        {
            var want = checkpoint.State.SampleShape;
            if (!TensorShape.Equal(want, LatentShape!))
                throw new ConfigException("encoder", $"encoder: '{EncoderPath}' gives latents [{string.Join(", ", LatentShape!)}] ({Encoder.TokenDim}-d tokens), the checkpoint '{checkpoint.Directory}' expects [{string.Join(", ", want)}]{recorded}");
            return;
        }
        var stored = checkpoint.ReadModel();
        foreach (var (name, t) in model.StateDict())
        {
            if (!name.StartsWith(RepaModel.ProjectorPrefix, StringComparison.Ordinal) || !stored.TryGetValue(name, out var s)) continue;
            if (!TensorShape.Equal(s.Shape, t.Shape))
            {
                throw new ConfigException("encoder", $"encoder: '{EncoderPath}' has {Encoder.TokenDim}-d tokens, the REPA projector of checkpoint '{checkpoint.Directory}' does not fit it (entry '{name}' {TensorShape.Format(s.Shape)}, expected {TensorShape.Format(t.Shape)}){recorded}");
            }
        }
    }
}
