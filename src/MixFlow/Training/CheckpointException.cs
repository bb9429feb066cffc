namespace MixFlow.Training;

/// <summary>A checkpoint cannot be written, found, read or applied; the message names the file or directory and the problem.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>The file or directory concerned.</summary>
    public string Path { get; }

    /// <summary>Creates the exception.</summary>
    public CheckpointException(string path, string message, Exception? inner = null) : base(message, inner) { Path = path; }
}
