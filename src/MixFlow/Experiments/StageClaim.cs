namespace MixFlow.Experiments;

/// <summary>
/// An exclusive claim on one stage of a run directory, so that several runners (processes) can share the directory and
/// split its stages between them. The claim is an exclusive lock on <c>.claims/&lt;stage&gt;.lock</c> in the run
/// directory; it is released by <see cref="Dispose"/> or by the operating system when the process ends, so a crashed
/// runner never leaves a stage blocked. The lock files themselves are left in place (deleting them would race with a
/// runner opening the same file).
/// </summary>
/// <remarks>
/// The lock is .NET's <see cref="FileShare.None"/> (flock on Linux). With <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1</c>
/// every claim succeeds: then only one runner may use a run directory at a time.
/// </remarks>
public sealed class StageClaim : IDisposable
{
    /// <summary>Folder of the lock files inside the run directory.</summary>
    public const string Folder = ".claims";

    private FileStream? _lock;

    private StageClaim(string stage, FileStream fs)
    {
        Stage = stage;
        _lock = fs;
    }

    /// <summary>The claimed stage.</summary>
    public string Stage { get; }

    /// <summary>Claims a stage unless another holder (this or another process) has it.</summary>
    /// <param name="runDirectory">The run directory.</param>
    /// <param name="stage">Stage name (a plain file name).</param>
    /// <returns>The claim, or null when the stage is claimed elsewhere.</returns>
    /// <exception cref="IOException">The lock file cannot be created for another reason (e.g. permissions); the message names it.</exception>
    public static StageClaim? TryAcquire(string runDirectory, string stage)
    {
        string dir = Path.Combine(runDirectory, Folder);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, stage + ".lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix, a share lock on Windows).
            return new StageClaim(stage, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // held by another runner
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"experiment: cannot create the stage lock '{path}' ({e.Message})", e);
        }
    }

    /// <summary>Claims a stage, waiting while another runner holds it.</summary>
    /// <param name="runDirectory">The run directory.</param>
    /// <param name="stage">Stage name.</param>
    /// <param name="poll">Time between attempts.</param>
    /// <param name="cancel">Stops waiting.</param>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public static StageClaim Acquire(string runDirectory, string stage, TimeSpan poll, CancellationToken cancel = default)
    {
        while (true)
        {
            if (TryAcquire(runDirectory, stage) is { } c) return c;
            if (cancel.WaitHandle.WaitOne(poll)) cancel.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Releases the claim.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
