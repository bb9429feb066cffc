namespace MixFlow.Tensors.IO;

/// <summary>
/// A safetensors file is malformed (truncated, bad header JSON, bad entry, inconsistent offsets …). The message names
/// the file and the problem. Derives from <see cref="IOException"/> (.NET's <see cref="InvalidDataException"/> is
/// sealed), so a caller handling file errors catches it too.
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>The file that failed to parse.</summary>
    public string FilePath { get; }

    /// <summary>Creates the exception; the message becomes <c>safetensors file '&lt;path&gt;': &lt;problem&gt;</c>.</summary>
    public SafeTensorsFormatException(string filePath, string problem, Exception? inner = null)
        : base($"safetensors file '{filePath}': {problem}", inner)
    {
        FilePath = filePath;
    }
}
