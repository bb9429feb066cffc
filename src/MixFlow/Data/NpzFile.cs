using System.IO.Compression;
using MixFlow.Imaging;

namespace MixFlow.Data;

/// <summary>
/// Reads and writes NumPy .npz archives: a zip of .npy entries (stored or deflated), keyed by entry name without the
/// ".npy" suffix — as <c>np.savez</c> / <c>np.savez_compressed</c> write them.
/// </summary>
public static class NpzFile
{
    /// <summary>Reads every array of an .npz archive.</summary>
    /// <param name="path">The archive.</param>
    /// <returns>Arrays by name (entry name minus ".npy"), in archive order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a zip archive, or an entry is not a valid .npy; the
    /// message names the file, the entry and the problem.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"npz file '{path}' does not exist", path);
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        using var fs = File.OpenRead(path);
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e) { throw new InvalidDataException($"npz '{path}': not a valid zip archive ({e.Message})", e); }
        using (zip)
        {
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                string where = $"{path}:{entry.FullName}";
                try
                {
                    using var es = entry.Open();
                    result[key] = NpyFile.Read(es, where);
                }
                catch (InvalidDataException e) when (!e.Message.StartsWith("npy '", StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"npy '{where}': corrupt zip entry ({e.Message})", e);
                }
            }
        }
        return result;
    }

    /// <summary>Writes arrays to an .npz archive atomically (temporary file, flush to disk, rename).</summary>
    /// <param name="path">The destination.</param>
    /// <param name="arrays">Arrays by name (each stored as "name.npy").</param>
    /// <param name="compress">Deflate the entries (<c>np.savez_compressed</c>) instead of storing them (<c>np.savez</c>).</param>
    /// <exception cref="ArgumentException">No arrays, or an empty or duplicate name.</exception>
    /// <exception cref="NotSupportedException">An array's dtype is not writable (see <see cref="NpyFile.Write(Stream, NpyArray)"/>).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        if (list.Count == 0) throw new ArgumentException($"NpzFile.Write('{path}'): no arrays to write");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in list)
        {
            if (string.IsNullOrEmpty(k)) throw new ArgumentException($"NpzFile.Write('{path}'): empty array name");
            if (!seen.Add(k)) throw new ArgumentException($"NpzFile.Write('{path}'): duplicate array name '{k}'");
            ArgumentNullException.ThrowIfNull(v);
            if (v.DType is not (NpyDType.UInt8 or NpyDType.Float32 or NpyDType.Int64))
                throw new NotSupportedException($"NpzFile.Write('{path}'): array '{k}' has dtype {v.DType}, which cannot be written (UInt8, Float32 and Int64 can)");
        }
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (k, v) in list)
            {
                var entry = zip.CreateEntry(k + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var es = entry.Open();
                NpyFile.Write(es, v);
            }
        });
    }

    /// <summary>
    /// Writes generated samples in the layout of the ADM (guided-diffusion) evaluation suite: <c>arr_0</c> uint8
    /// [N, H, W, C] and, when given, <c>arr_1</c> int64 [N] labels. Written atomically (temporary file, flush, rename).
    /// </summary>
    /// <param name="path">The destination .npz.</param>
    /// <param name="nhwc">Pixels, N·H·W·C bytes, channel last.</param>
    /// <param name="n">Number of images.</param>
    /// <param name="h">Height.</param>
    /// <param name="w">Width.</param>
    /// <param name="c">Channels (1 or 3 typically).</param>
    /// <param name="labels">Class labels (length <paramref name="n"/>) or null.</param>
    /// <exception cref="ArgumentException">Non-positive dimensions, or a pixel/label count that does not match.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteSamples(string path, byte[] nhwc, int n, int h, int w, int c, long[]? labels)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        if (n < 0 || h < 1 || w < 1 || c < 1) throw new ArgumentException($"NpzFile.WriteSamples('{path}'): invalid dimensions n={n}, h={h}, w={w}, c={c}");
        long need = (long)n * h * w * c;
        if (nhwc.LongLength != need) throw new ArgumentException($"NpzFile.WriteSamples('{path}'): {n}x{h}x{w}x{c} needs {need} bytes, got {nhwc.LongLength}");
        var arrays = new List<KeyValuePair<string, NpyArray>> { new("arr_0", NpyArray.FromUInt8(nhwc, n, h, w, c)) };
        if (labels is not null)
        {
            if (labels.Length != n) throw new ArgumentException($"NpzFile.WriteSamples('{path}'): {labels.Length} labels for {n} images");
            arrays.Add(new("arr_1", NpyArray.FromInt64(labels, n)));
        }
        Write(path, arrays);
    }
}
