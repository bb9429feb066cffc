using System.Buffers.Binary;
using System.IO.Compression;

namespace MixFlow.Data;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format): a big-endian magic <c>0x0000TTDD</c> (type TT = 0x08 unsigned
/// byte, DD dimensions), DD big-endian int32 sizes, then the bytes. Gzip-compressed files (<c>.gz</c>, detected by
/// their magic bytes) are decompressed on the fly.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an unsigned-byte image file (3 dimensions).</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte label file (1 dimension).</summary>
    public const uint LabelsMagic = 0x00000801;

    /// <summary>Reads an unsigned-byte IDX file of any rank.</summary>
    /// <param name="path">The file (raw or gzip).</param>
    /// <param name="expectedMagic">If given, the exact magic number required.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad magic, bad dimensions or truncated data; the message names the
    /// file and what was expected against what was found.</exception>
    public static IdxArray Read(string path, uint? expectedMagic = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist", path);
        using var fs = File.OpenRead(path);
        Span<byte> gz = stackalloc byte[2];
        int g = NpyFile.ReadFully(fs, gz);
        fs.Position = 0;
        if (g == 2 && gz[0] == 0x1F && gz[1] == 0x8B)
        {
            using var z = new GZipStream(fs, CompressionMode.Decompress);
            try { return Read(z, path, expectedMagic); }
            catch (InvalidDataException e) when (!e.Message.StartsWith("IDX '", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"IDX '{path}': corrupt gzip stream ({e.Message})", e);
            }
        }
        return Read(fs, path, expectedMagic);
    }

    /// <summary>Reads an unsigned-byte IDX array from a (decompressed) stream.</summary>
    /// <param name="stream">The stream at the magic number.</param>
    /// <param name="name">Name for error messages.</param>
    /// <param name="expectedMagic">If given, the exact magic number required.</param>
    /// <exception cref="InvalidDataException">Bad magic, bad dimensions or truncated data.</exception>
    public static IdxArray Read(Stream stream, string name, uint? expectedMagic = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[4];
        int got = NpyFile.ReadFully(stream, head);
        if (got < 4) throw Bad(name, $"truncated: expected a 4-byte magic number, got {got} bytes");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (expectedMagic is { } em && magic != em)
            throw Bad(name, $"bad magic number 0x{magic:X8}, expected 0x{em:X8} ({(em == ImagesMagic ? "unsigned-byte images, 3 dims" : em == LabelsMagic ? "unsigned-byte labels, 1 dim" : "IDX")})");
        if ((magic >> 16) != 0) throw Bad(name, $"bad magic number 0x{magic:X8}: the first two bytes must be zero (not an IDX file)");
        int type = (int)(magic >> 8) & 0xFF;
        int rank = (int)magic & 0xFF;
        if (type != 0x08) throw Bad(name, $"unsupported element type 0x{type:X2} in magic 0x{magic:X8} (only 0x08 unsigned byte is supported)");
        if (rank < 1) throw Bad(name, $"magic 0x{magic:X8} declares {rank} dimensions, at least 1 expected");
        var dimBytes = new byte[4 * rank];
        got = NpyFile.ReadFully(stream, dimBytes);
        if (got < dimBytes.Length) throw Bad(name, $"truncated header: expected {dimBytes.Length} bytes of dimensions, got {got}");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0) throw Bad(name, $"dimension {i} is negative ({dims[i]})");
            count *= dims[i];
            if (count > Array.MaxLength) throw Bad(name, $"dimensions [{string.Join(", ", dims[..(i + 1)])}...] are too large");
        }
        var data = NpyFile.ReadBlock(stream, count, out long dgot)
            ?? throw Bad(name, $"truncated data: dims [{string.Join(", ", dims)}] need {count} bytes after the header, got {dgot}");
        return new IdxArray(dims, data);
    }

    /// <summary>Loads an image file (magic 0x803, [N, H, W]) and optionally a label file (magic 0x801, [N]) as a data
    /// set of 1×H×W images in [−1, 1].</summary>
    /// <param name="imagesPath">The image file.</param>
    /// <param name="labelsPath">The label file, or null for an unlabelled set.</param>
    /// <param name="classNames">Optional class names by label.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or the image and label counts differ.</exception>
    public static ArrayDataset LoadDataset(string imagesPath, string? labelsPath, IReadOnlyList<string>? classNames = null)
    {
        var img = Read(imagesPath, ImagesMagic);
        int n = img.Dims[0], h = img.Dims[1], w = img.Dims[2];
        if (h < 1 || w < 1) throw Bad(imagesPath, $"image size {h}x{w} is empty");
        int[]? labels = null;
        if (labelsPath is not null)
        {
            var lab = Read(labelsPath, LabelsMagic);
            if (lab.Dims[0] != n) throw new InvalidDataException($"IDX '{labelsPath}': {lab.Dims[0]} labels but '{imagesPath}' has {n} images");
            labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = lab.Data[i];
        }
        int numClasses = classNames?.Count ?? 0;
        if (labels is not null && classNames is not null)
            foreach (int l in labels)
                if (l >= numClasses) throw new InvalidDataException($"IDX '{labelsPath}': label {l} is not below the {numClasses} known classes");
        return ArrayDataset.FromBytes(img.Data, [1, h, w], labels, numClasses, classNames);
    }

    private static InvalidDataException Bad(string name, string problem) => new($"IDX '{name}': {problem}");
}
