using System.Buffers.Binary;
using System.IO.Compression;

namespace MixFlow.Imaging;

/// <summary>
/// Reads non-interlaced 8-bit PNG: gray, gray+alpha, RGB, RGBA and palette (expanded to RGB, or RGBA when a tRNS chunk
/// is present). All five filter types and any number of IDAT chunks; every chunk CRC is checked.
/// </summary>
public static class PngDecoder
{
    /// <summary>Decodes a PNG file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a PNG, is corrupt or truncated, or uses an unsupported
    /// feature (bit depth other than 8, interlacing); the message names the file and the problem.</exception>
    public static PngImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG file '{path}' does not exist", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes PNG bytes.</summary>
    /// <param name="data">The encoded file.</param>
    /// <param name="name">A name for error messages (e.g. the file path).</param>
    /// <exception cref="InvalidDataException">Not a PNG, corrupt, truncated or unsupported; the message names
    /// <paramref name="name"/> and the problem.</exception>
    public static PngImage Decode(ReadOnlySpan<byte> data, string name = "<memory>")
    {
        if (data.Length < 8 || !data[..8].SequenceEqual(PngEncoder.Signature))
            throw Bad(name, data.Length < 8 ? $"file is {data.Length} bytes, shorter than the 8-byte PNG signature" : "bad PNG signature (not a PNG file)");

        int pos = 8;
        int width = 0, height = 0, colorType = -1;
        bool seenHeader = false, seenEnd = false;
        byte[]? palette = null, trns = null;
        using var idat = new MemoryStream();
        while (pos < data.Length)
        {
            if (data.Length - pos < 12) throw Bad(name, $"truncated chunk header at byte {pos} ({data.Length - pos} bytes left, at least 12 needed)");
            uint lenU = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if (lenU > int.MaxValue) throw Bad(name, $"chunk length {lenU} at byte {pos} exceeds 2^31-1");
            int len = (int)lenU;
            var typeSpan = data.Slice(pos + 4, 4);
            string type = System.Text.Encoding.ASCII.GetString(typeSpan);
            if ((long)pos + 12 + len > data.Length)
                throw Bad(name, $"truncated: chunk '{type}' at byte {pos} declares {len} data bytes, only {Math.Max(0, data.Length - pos - 12)} present before the CRC");
            var body = data.Slice(pos + 8, len);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + len)..]);
            uint actual = Crc32.Update(Crc32.Compute(typeSpan), body);
            if (stored != actual) throw Bad(name, $"CRC mismatch in chunk '{type}' at byte {pos}: stored 0x{stored:X8}, computed 0x{actual:X8}");
            pos += 12 + len;

            if (!seenHeader && type != "IHDR") throw Bad(name, $"first chunk is '{type}', expected 'IHDR'");
            switch (type)
            {
                case "IHDR":
                    if (seenHeader) throw Bad(name, "duplicate IHDR chunk");
                    if (len != 13) throw Bad(name, $"IHDR has {len} bytes, expected 13");
                    seenHeader = true;
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    int depth = body[8];
                    colorType = body[9];
                    if (width <= 0 || height <= 0) throw Bad(name, $"invalid size {width}x{height}");
                    if ((long)width * height > 1L << 28) throw Bad(name, $"image {width}x{height} is too large (more than 2^28 pixels)");
                    if (colorType is not (0 or 2 or 3 or 4 or 6)) throw Bad(name, $"invalid color type {colorType}");
                    if (depth != 8) throw Bad(name, $"unsupported bit depth {depth} (color type {colorType}); only 8-bit images are supported");
                    if (body[10] != 0) throw Bad(name, $"unsupported compression method {body[10]}");
                    if (body[11] != 0) throw Bad(name, $"unsupported filter method {body[11]}");
                    if (body[12] != 0) throw Bad(name, body[12] == 1 ? "unsupported: interlaced (Adam7) images are not supported" : $"invalid interlace method {body[12]}");
                    break;
                case "PLTE":
                    if (len % 3 != 0 || len == 0 || len > 768) throw Bad(name, $"PLTE has {len} bytes, expected a non-zero multiple of 3 up to 768");
                    palette = body.ToArray();
                    break;
                case "tRNS":
                    trns = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    seenEnd = true;
                    break;
                default:
                    if (char.IsUpper(type[0])) throw Bad(name, $"unsupported critical chunk '{type}'");
                    break; // ancillary chunk: ignore
            }
            if (seenEnd) break;
        }
        if (!seenHeader) throw Bad(name, "no IHDR chunk");
        if (!seenEnd) throw Bad(name, "truncated: no IEND chunk");
        if (idat.Length == 0) throw Bad(name, "no IDAT chunk");
        if (colorType == 3 && palette is null) throw Bad(name, "palette image without a PLTE chunk");

        int bpp = colorType switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => 1 };
        int stride = width * bpp;
        long rawLen = (long)(stride + 1) * height;
        // deflate expands at most ~1032:1, so a size the compressed data cannot hold is truncation; checking first
        // keeps a corrupt header from making us allocate a huge buffer
        if (rawLen > idat.Length * 1040 + 1024)
            throw Bad(name, $"truncated image data: {width}x{height} needs {rawLen} decompressed bytes, more than the {idat.Length} compressed IDAT bytes can hold");
        var raw = new byte[rawLen];
        idat.Position = 0;
        int got = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            while (got < raw.Length)
            {
                int n = z.Read(raw, got, raw.Length - got);
                if (n == 0) break;
                got += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Bad(name, $"corrupt zlib stream in IDAT: {e.Message}");
        }
        if (got != raw.Length) throw Bad(name, $"truncated image data: expected {raw.Length} decompressed bytes for {width}x{height}, got {got}");

        var pixels = new byte[(long)stride * height];
        Unfilter(raw, pixels, width, height, bpp, name);

        if (colorType != 3)
            return new PngImage(width, height, bpp, pixels);

        int nPal = palette!.Length / 3;
        bool alpha = trns is { Length: > 0 };
        int outC = alpha ? 4 : 3;
        var rgb = new byte[(long)width * height * outC];
        for (long i = 0; i < pixels.LongLength; i++)
        {
            int idx = pixels[i];
            if (idx >= nPal) throw Bad(name, $"palette index {idx} at pixel {i} out of range (palette has {nPal} entries)");
            long o = i * outC;
            rgb[o] = palette[3 * idx]; rgb[o + 1] = palette[3 * idx + 1]; rgb[o + 2] = palette[3 * idx + 2];
            if (alpha) rgb[o + 3] = idx < trns!.Length ? trns[idx] : (byte)255;
        }
        return new PngImage(width, height, outC, rgb);
    }

    private static void Unfilter(byte[] raw, byte[] pixels, int width, int height, int bpp, string name)
    {
        int stride = width * bpp;
        for (int y = 0; y < height; y++)
        {
            int f = raw[(long)y * (stride + 1)];
            var src = new ReadOnlySpan<byte>(raw, y * (stride + 1) + 1, stride);
            var cur = new Span<byte>(pixels, y * stride, stride);
            ReadOnlySpan<byte> prev = y > 0 ? new ReadOnlySpan<byte>(pixels, (y - 1) * stride, stride) : ReadOnlySpan<byte>.Empty;
            bool hasPrev = y > 0;
            switch (f)
            {
                case 0:
                    src.CopyTo(cur);
                    break;
                case 1:
                    for (int i = 0; i < stride; i++) cur[i] = (byte)(src[i] + (i >= bpp ? cur[i - bpp] : 0));
                    break;
                case 2:
                    for (int i = 0; i < stride; i++) cur[i] = (byte)(src[i] + (hasPrev ? prev[i] : 0));
                    break;
                case 3:
                    for (int i = 0; i < stride; i++)
                    {
                        int a = i >= bpp ? cur[i - bpp] : 0, b = hasPrev ? prev[i] : 0;
                        cur[i] = (byte)(src[i] + ((a + b) >> 1));
                    }
                    break;
                case 4:
                    for (int i = 0; i < stride; i++)
                    {
                        int a = i >= bpp ? cur[i - bpp] : 0, b = hasPrev ? prev[i] : 0, c = hasPrev && i >= bpp ? prev[i - bpp] : 0;
                        cur[i] = (byte)(src[i] + PngEncoder.Paeth(a, b, c));
                    }
                    break;
                default:
                    throw Bad(name, $"invalid filter type {f} on row {y}");
            }
        }
    }

    private static InvalidDataException Bad(string name, string problem) => new($"PNG '{name}': {problem}");
}
