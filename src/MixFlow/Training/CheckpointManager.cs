using System.Globalization;
using MixFlow.Tensors.IO;

namespace MixFlow.Training;

/// <summary>
/// Writes checkpoints of one run directory atomically and keeps the most recent ones. A checkpoint is first written
/// into <c>ckpt-&lt;step&gt;.tmp-XXXX/</c> (each file flushed to disk), then the directory is renamed to
/// <c>ckpt-&lt;step&gt;/</c> and the <c>latest</c> pointer file (holding the directory name) is replaced atomically.
/// A failure at any point leaves the previous checkpoints and the pointer untouched.
/// </summary>
public sealed class CheckpointManager
{
    /// <summary>Name of the pointer file in a run directory.</summary>
    public const string LatestFile = "latest";
    private const string Prefix = "ckpt-";

    /// <summary>The run directory (full path).</summary>
    public string RunDirectory { get; }

    /// <summary>Number of checkpoints kept (older ones are deleted after a successful save).</summary>
    public int Keep { get; }

    /// <summary>Creates the manager, creating the run directory if needed.</summary>
    /// <param name="runDirectory">Run directory.</param>
    /// <param name="keep">Checkpoints kept, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> below 1.</exception>
    /// <exception cref="CheckpointException">The directory cannot be created or written; the message names it.</exception>
    public CheckpointManager(string runDirectory, int keep)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), $"CheckpointManager: keep must be >= 1 (got {keep})");
        RunDirectory = Path.GetFullPath(runDirectory);
        Keep = keep;
        EnsureWritableDirectory(RunDirectory);
    }

    /// <summary>Creates a directory if needed and checks that files can be created in it.</summary>
    /// <exception cref="CheckpointException">Not creatable or not writable; the message names the directory.</exception>
    public static void EnsureWritableDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CheckpointException(dir, $"output directory '{dir}' is not writable: {e.Message}", e);
        }
    }

    /// <summary>Directory name of the checkpoint of a step.</summary>
    public static string DirectoryName(int step) => Prefix + step.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a checkpoint atomically, updates <c>latest</c> and prunes old checkpoints.</summary>
    /// <returns>The checkpoint directory (full path).</returns>
    /// <exception cref="CheckpointException">Writing failed (nothing visible changed); the message names the directory.</exception>
    public string Save(CheckpointContents contents)
    {
        int step = contents.State.Step;
        string final = Path.Combine(RunDirectory, DirectoryName(step));
        string tmp = final + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(tmp);
            Checkpoint.WriteFiles(tmp, contents);
            DirectorySync.Flush(tmp); // the checkpoint's file names, before the directory is renamed into place
            if (Directory.Exists(final))
            {
                // Same step written again (e.g. a resumed run stopped at once): swap the old one out first.
                string old = final + ".old-" + Guid.NewGuid().ToString("N")[..8];
                Directory.Move(final, old);
                Directory.Move(tmp, final);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(tmp, final);
            DirectorySync.Flush(RunDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            try { if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            throw new CheckpointException(final, $"cannot write checkpoint '{final}': {e.Message}", e);
        }
        WriteLatest(DirectoryName(step));
        Prune(step);
        return final;
    }

    private void WriteLatest(string name)
    {
        string p = Path.Combine(RunDirectory, LatestFile);
        string tmp = p + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Checkpoint.WriteTextDurable(tmp, name + "\n");
            File.Move(tmp, p, overwrite: true);
            DirectorySync.Flush(RunDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new CheckpointException(p, $"cannot update checkpoint pointer '{p}': {e.Message}", e);
        }
    }

    /// <summary>Steps of the complete checkpoints in this run directory, ascending.</summary>
    public IReadOnlyList<int> ListSteps() => ListSteps(RunDirectory);

    /// <summary>Steps of the complete checkpoint directories <c>ckpt-&lt;step&gt;</c> of a run directory, ascending (temporary directories excluded).</summary>
    public static IReadOnlyList<int> ListSteps(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) return [];
        var steps = new List<int>();
        foreach (var d in Directory.EnumerateDirectories(runDirectory, Prefix + "*"))
        {
            string name = Path.GetFileName(d);
            if (int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int s)) steps.Add(s);
        }
        steps.Sort();
        return steps;
    }

    private void Prune(int justWritten)
    {
        var steps = ListSteps();
        int remove = steps.Count - Keep;
        foreach (int s in steps)
        {
            if (remove <= 0) break;
            if (s == justWritten) continue;
            try { Directory.Delete(Path.Combine(RunDirectory, DirectoryName(s)), recursive: true); } catch (IOException) { }
            remove--;
        }
        // Leftovers of interrupted saves.
        foreach (var d in Directory.EnumerateDirectories(RunDirectory, Prefix + "*.tmp-*"))
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
    }

    /// <summary>The checkpoint directory named by a run directory's <c>latest</c> pointer, or null if there is none.</summary>
    public static string? Latest(string runDirectory)
    {
        string p = Path.Combine(runDirectory, LatestFile);
        if (!File.Exists(p)) return null;
        string name = File.ReadAllText(p).Trim();
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\')) return null;
        string dir = Path.Combine(Path.GetFullPath(runDirectory), name);
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>
    /// Resolves a user-given checkpoint path: a checkpoint directory (holding <c>state.json</c>) or a run directory
    /// (its <c>latest</c> pointer, else its highest-step checkpoint).
    /// </summary>
    /// <exception cref="CheckpointException">Nothing there, or a directory without checkpoints.</exception>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full) && Path.GetFileName(full) == Checkpoint.StateFile) return Path.GetDirectoryName(full)!;
        if (!Directory.Exists(full)) throw new CheckpointException(full, $"checkpoint '{path}' not found");
        if (File.Exists(Path.Combine(full, Checkpoint.StateFile)) || Path.GetFileName(full).StartsWith(Prefix, StringComparison.Ordinal)) return full;
        if (Latest(full) is { } latest) return latest;
        var steps = ListSteps(full);
        if (steps.Count > 0) return Path.Combine(full, DirectoryName(steps[^1]));
        throw new CheckpointException(full, $"'{path}' is neither a checkpoint directory (no {Checkpoint.StateFile}) nor a run directory with checkpoints");
    }
}
