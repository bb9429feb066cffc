using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MixFlow.Evaluation;
using MixFlow.Imaging;

namespace MixFlow.Experiments;

/// <summary>
/// Stage bookkeeping of a run directory: a finished stage holds <c>stage.json</c> (<see cref="StageRecord"/>) with the
/// hash of its configuration; a rerun skips it when the hash matches and redoes it otherwise (the old directory is
/// moved aside to <c>&lt;stage&gt;.stale-&lt;n&gt;</c>, never deleted).
/// </summary>
public sealed class StageStore
{
    /// <summary>Marker file name inside a stage directory.</summary>
    public const string MarkerFile = "stage.json";

    /// <summary>Result file name inside an evaluation stage directory.</summary>
    public const string ResultFile = "result.json";

    /// <summary>Opens (creates) a run directory.</summary>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public StageStore(string runDirectory)
    {
        RunDirectory = Path.GetFullPath(runDirectory);
        Directory.CreateDirectory(RunDirectory);
    }

    /// <summary>The run directory (absolute).</summary>
    public string RunDirectory { get; }

    /// <summary>The directory of a stage.</summary>
    public string DirectoryOf(string stage) => Path.Combine(RunDirectory, stage);

    /// <summary>First 16 hex digits of SHA-256 over a configuration text.</summary>
    public static string Hash(string config) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(config)))[..16].ToLowerInvariant();

    /// <summary>The completion record of a stage, or null if it has none.</summary>
    /// <exception cref="InvalidDataException">The marker exists but is not valid JSON; the message names the file.</exception>
    public StageRecord? Read(string stage)
    {
        string p = Path.Combine(DirectoryOf(stage), MarkerFile);
        if (!File.Exists(p)) return null;
        try { return JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(p), EvaluationJson.Options); }
        catch (JsonException e) { throw new InvalidDataException($"experiment: stage marker '{p}' is corrupt ({e.Message}); delete it to redo the stage", e); }
    }

    /// <summary>True when the stage finished with this configuration.</summary>
    public bool IsDone(string stage, string config) => Read(stage) is { } r && r.Hash == Hash(config);

    /// <summary>
    /// Prepares a stage directory for (re)running: if it holds a marker of another configuration, or
    /// <paramref name="compatible"/> says its partial contents do not fit, it is moved aside first.
    /// </summary>
    /// <returns>The stage directory (existing or new).</returns>
    public string Prepare(string stage, string config, Func<string, bool>? compatible = null)
    {
        string dir = DirectoryOf(stage);
        if (Directory.Exists(dir))
        {
            var r = Read(stage);
            bool stale = (r is not null && r.Hash != Hash(config)) || (compatible is not null && !compatible(dir));
            if (stale)
            {
                int k = 1;
                while (Directory.Exists($"{dir}.stale-{k}")) k++;
                Directory.Move(dir, $"{dir}.stale-{k}");
            }
        }
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes the completion record of a stage (atomically).</summary>
    public StageRecord MarkDone(string stage, string config, double seconds, int resumedFromStep = 0)
    {
        var r = new StageRecord(stage, Hash(config), config, seconds, resumedFromStep, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        Directory.CreateDirectory(DirectoryOf(stage));
        AtomicFile.WriteAllText(Path.Combine(DirectoryOf(stage), MarkerFile), JsonSerializer.Serialize(r, EvaluationJson.Options));
        return r;
    }

    /// <summary>Writes a JSON result into a stage directory (atomically).</summary>
    public void WriteResult<T>(string stage, T value) =>
        AtomicFile.WriteAllText(Path.Combine(DirectoryOf(stage), ResultFile), JsonSerializer.Serialize(value, EvaluationJson.Options));

    /// <summary>Reads a stage's JSON result, or default if it has none.</summary>
    /// <exception cref="InvalidDataException">The result file is corrupt; the message names it.</exception>
    public T? ReadResult<T>(string stage)
    {
        string p = Path.Combine(DirectoryOf(stage), ResultFile);
        if (!File.Exists(p)) return default;
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(p), EvaluationJson.Options); }
        catch (JsonException e) { throw new InvalidDataException($"experiment: result file '{p}' is corrupt ({e.Message}); delete the stage directory to redo it", e); }
    }
}
