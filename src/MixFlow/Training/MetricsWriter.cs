using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixFlow.Training;

/// <summary>Appends <see cref="TrainLogEntry"/> records to a JSON-lines file (one object per line, flushed per record).</summary>
public sealed class MetricsWriter : IDisposable
{
    private readonly StreamWriter _writer;

    // A window of only skipped steps has a NaN mean loss: written as "NaN" (a JSON string literal) rather than failing.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Opens (appending to) the file.</summary>
    /// <param name="path">File path; its directory must exist.</param>
    /// <param name="truncateAfterStep">When resuming: drop existing records with a step above this, so that the file
    /// matches the resumed checkpoint (records written after it by an interrupted run are replayed).</param>
    /// <exception cref="IOException">The file cannot be opened; the message names it.</exception>
    public MetricsWriter(string path, int? truncateAfterStep = null)
    {
        Path = path;
        try
        {
            if (truncateAfterStep is int keep && File.Exists(path))
            {
                var kept = File.ReadAllLines(path).Where(l => StepOf(l) is int s && s <= keep).ToList();
                File.WriteAllLines(path, kept);
            }
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write metrics file '{path}': {e.Message}", e);
        }
    }

    private static int? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt32(out var v) ? v : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Appends one record.</summary>
    public void Write(TrainLogEntry entry)
    {
        _writer.WriteLine(JsonSerializer.Serialize(entry, Json));
        _writer.Flush();
    }

    /// <summary>Reads all records of a metrics file (lines that do not parse are skipped).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static List<TrainLogEntry> ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"metrics file '{path}' not found", path);
        var list = new List<TrainLogEntry>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { if (JsonSerializer.Deserialize<TrainLogEntry>(line, Json) is { } e) list.Add(e); }
            catch (JsonException) { }
        }
        return list;
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
