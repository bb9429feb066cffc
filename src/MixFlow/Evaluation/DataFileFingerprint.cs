using System.Security.Cryptography;

namespace MixFlow.Evaluation;

/// <summary>Identity of one data file for cache keys: its name, size in bytes and SHA-256.</summary>
/// <param name="FileName">File name without folder.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
public sealed record DataFileFingerprint(string FileName, long Size, string Sha256)
{
    /// <summary>Hashes a file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DataFileFingerprint Of(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"DataFileFingerprint: '{path}' does not exist", path);
        using var fs = File.OpenRead(path);
        var hash = SHA256.HashData(fs);
        return new DataFileFingerprint(Path.GetFileName(path), fs.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary><c>name size sha256</c>, the line that enters the cache key.</summary>
    public override string ToString() => $"{FileName} {Size} {Sha256}";
}
