using System.Buffers.Binary;
using System.IO.Compression;

namespace MixFlow.Imaging;

/// <summary>
/// Writes 8-bit gray, gray+alpha, RGB and RGBA images as non-interlaced PNG (IHDR, one IDAT zlib stream, IEND, each
/// with its CRC-32).
/// </summary>
public static class PngEncoder
{
    internal static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes an image to PNG bytes.</summary>
    /// <param name="image">The image.</param>
    /// <param name="filter">Scanline filtering (default <see cref="PngFilterMode.Adaptive"/>).</param>
    /// <param name="level">zlib compression level (default <see cref="CompressionLevel.Optimal"/>).</param>
    public static byte[] Encode(PngImage image, PngFilterMode filter = PngFilterMode.Adaptive, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var ms = new MemoryStream();
        Write(ms, image, filter, level);
        return ms.ToArray();
    }

    /// <summary>Writes an image as PNG to a file (written to a temporary file first, then renamed into place).</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="image">The image.</param>
    /// <param name="filter">Scanline filtering.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, PngImage image, PngFilterMode filter = PngFilterMode.Adaptive)
    {
        byte[] bytes = Encode(image, filter);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes an image as PNG to a stream.</summary>
    /// <param name="stream">Destination stream.</param>
    /// <param name="image">The image.</param>
    /// <param name="filter">Scanline filtering.</param>
    /// <param name="level">zlib compression level.</param>
    public static void Write(Stream stream, PngImage image, PngFilterMode filter = PngFilterMode.Adaptive, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(image);
        stream.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // deflate, adaptive filtering, no interlace
        WriteChunk(stream, "IHDR", ihdr);

        byte[] idat = Compress(image, filter, level);
        WriteChunk(stream, "IDAT", idat);
        WriteChunk(stream, "IEND", ReadOnlySpan<byte>.Empty);
    }

    private static byte[] Compress(PngImage image, PngFilterMode filter, CompressionLevel level)
    {
        int bpp = image.Channels;
        int stride = image.Width * bpp;
        var prev = new byte[stride];       // row above (zeros for the first row)
        var rowOut = new byte[stride + 1];
        var trial = new byte[stride + 1];
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, level, leaveOpen: true))
        {
            for (int y = 0; y < image.Height; y++)
            {
                var cur = new ReadOnlySpan<byte>(image.Pixels, y * stride, stride);
                if (filter == PngFilterMode.None)
                {
                    rowOut[0] = 0;
                    cur.CopyTo(rowOut.AsSpan(1));
                }
                else
                {
                    long best = long.MaxValue;
                    for (byte f = 0; f < 5; f++)
                    {
                        long cost = ApplyFilter(f, cur, prev, bpp, trial);
                        if (cost < best) { best = cost; trial.AsSpan().CopyTo(rowOut); }
                    }
                }
                z.Write(rowOut);
                cur.CopyTo(prev);
            }
        }
        return ms.ToArray();
    }

    /// <summary>Filters one row into <paramref name="dst"/> (filter byte first); returns the sum of |signed residuals|.</summary>
    private static long ApplyFilter(byte f, ReadOnlySpan<byte> cur, ReadOnlySpan<byte> prev, int bpp, Span<byte> dst)
    {
        dst[0] = f;
        long cost = 0;
        for (int i = 0; i < cur.Length; i++)
        {
            int a = i >= bpp ? cur[i - bpp] : 0;
            int b = prev[i];
            int c = i >= bpp ? prev[i - bpp] : 0;
            int pred = f switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            byte r = (byte)(cur[i] - pred);
            dst[i + 1] = r;
            int sr = (sbyte)r;
            cost += sr < 0 ? -sr : sr;
        }
        return cost;
    }

    internal static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Compute(head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }
}
