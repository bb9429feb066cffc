using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using MixFlow.Imaging;
using MixFlow.Tensors;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Imaging;

public class PngTests
{
    static PngImage RandomImage(int w, int h, int c, ulong seed, bool smooth)
    {
        var g = new Generator(seed);
        var px = new byte[w * h * c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                    px[(y * w + x) * c + k] = smooth ? (byte)(x * 3 + y * 5 + k * 40 + g.NextInt(0, 3)) : (byte)g.NextInt(0, 256);
        return new PngImage(w, h, c, px);
    }

    [Fact]
    public void Crc32MatchesKnownCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
        var all = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        Assert.Equal(0x414FA339u, Crc32.Compute(all));
        Assert.Equal(Crc32.Compute(all), Crc32.Update(Crc32.Compute(all.AsSpan(0, 10)), all.AsSpan(10)));
    }

    [Theory]
    [InlineData(1, 1)] [InlineData(3, 7)] [InlineData(257, 2)] [InlineData(16, 16)]
    public void RoundTripAllChannelCountsAndFilterModes(int w, int h)
    {
        foreach (int c in new[] { 1, 2, 3, 4 })
            foreach (bool smooth in new[] { false, true })
                foreach (var mode in new[] { PngFilterMode.None, PngFilterMode.Adaptive })
                {
                    var img = RandomImage(w, h, c, (ulong)(w * 1000 + h * 10 + c), smooth);
                    var bytes = PngEncoder.Encode(img, mode);
                    var back = PngDecoder.Decode(bytes);
                    Assert.Equal((w, h, c), (back.Width, back.Height, back.Channels));
                    Assert.Equal(img.Pixels, back.Pixels);
                }
    }

    [Fact]
    public void AdaptiveFilteringShrinksSmoothImages()
    {
        var img = RandomImage(128, 64, 3, 5, smooth: true);
        Assert.True(PngEncoder.Encode(img, PngFilterMode.Adaptive).Length < PngEncoder.Encode(img, PngFilterMode.None).Length);
    }

    // ---- a hand-made PNG writer independent of PngEncoder: explicit filter per row, IDAT split into pieces

    static void Chunk(Stream s, string type, byte[] data, bool breakCrc = false)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, data.Length); s.Write(b);
        var t = Encoding.ASCII.GetBytes(type); s.Write(t); s.Write(data);
        uint crc = Crc32.Compute([.. t, .. data]) ^ (breakCrc ? 1u : 0u);
        BinaryPrimitives.WriteUInt32BigEndian(b, crc); s.Write(b);
    }

    static byte[] Ihdr(int w, int h, byte depth, byte colorType, byte interlace = 0)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(d, w); BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(4), h);
        d[8] = depth; d[9] = colorType; d[12] = interlace;
        return d;
    }

    static int PredictRef(int f, int a, int b, int c) => f switch
    {
        0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
        _ => Math.Abs(b - c) <= Math.Abs(a - c) && Math.Abs(b - c) <= Math.Abs(a + b - 2 * c) ? a
             : Math.Abs(a - c) <= Math.Abs(a + b - 2 * c) ? b : c,
    };

    static byte[] HandMade(PngImage img, int colorType, int idatPieces, byte[]? extraBefore = null, Action<Stream>? extraChunks = null, bool breakCrc = false)
    {
        int bpp = img.Channels, stride = img.Width * bpp;
        var raw = new MemoryStream();
        for (int y = 0; y < img.Height; y++)
        {
            int f = y % 5;
            raw.WriteByte((byte)f);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? img.Pixels[y * stride + i - bpp] : 0;
                int b = y > 0 ? img.Pixels[(y - 1) * stride + i] : 0;
                int c = y > 0 && i >= bpp ? img.Pixels[(y - 1) * stride + i - bpp] : 0;
                raw.WriteByte((byte)(img.Pixels[y * stride + i] - PredictRef(f, a, b, c)));
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw.ToArray());
        var zb = z.ToArray();
        var s = new MemoryStream();
        s.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        Chunk(s, "IHDR", Ihdr(img.Width, img.Height, 8, (byte)colorType));
        Chunk(s, "tEXt", Encoding.ASCII.GetBytes("Comment\0ignored ancillary chunk"));
        extraChunks?.Invoke(s);
        int per = (zb.Length + idatPieces - 1) / idatPieces;
        for (int o = 0, k = 0; o < zb.Length; o += per, k++)
            Chunk(s, "IDAT", zb[o..Math.Min(zb.Length, o + per)], breakCrc && k == 0);
        Chunk(s, "IEND", []);
        return s.ToArray();
    }

    [Theory]
    [InlineData(1, 0)] [InlineData(2, 4)] [InlineData(3, 2)] [InlineData(4, 6)]
    public void DecodesAllFiveFilterTypesAcrossSeveralIdatChunks(int channels, int colorType)
    {
        var img = RandomImage(13, 11, channels, 77, smooth: false);
        var png = HandMade(img, colorType, idatPieces: 4);
        var back = PngDecoder.Decode(png);
        Assert.Equal(img.Pixels, back.Pixels);
        Assert.Equal(channels, back.Channels);
    }

    [Fact]
    public void DecodesPaletteWithTransparency()
    {
        var idx = new PngImage(4, 3, 1, [0, 1, 2, 1, 2, 0, 0, 0, 1, 1, 2, 2]);
        byte[] plte = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        var rgb = PngDecoder.Decode(HandMade(idx, 3, 1, extraChunks: s => Chunk(s, "PLTE", plte)));
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255 }, rgb.Pixels[..9]);
        var rgba = PngDecoder.Decode(HandMade(idx, 3, 2, extraChunks: s => { Chunk(s, "PLTE", plte); Chunk(s, "tRNS", [10]); }));
        Assert.Equal(4, rgba.Channels);
        Assert.Equal(new byte[] { 255, 0, 0, 10, 0, 255, 0, 255 }, rgba.Pixels[..8]);
    }

    [Fact]
    public void CorruptFilesThrowNamingTheProblem()
    {
        var img = RandomImage(9, 5, 3, 1, smooth: false);
        var good = PngEncoder.Encode(img);

        var badSig = (byte[])good.Clone(); badSig[1] = (byte)'X';
        Assert.Contains("signature", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(badSig, "a.png")).Message);

        var badCrc = HandMade(img, 2, 2, breakCrc: true);
        var e = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(badCrc, "b.png"));
        Assert.Contains("b.png", e.Message); Assert.Contains("CRC", e.Message); Assert.Contains("IDAT", e.Message);

        var flipped = (byte[])good.Clone(); flipped[40] ^= 0x55; // inside IDAT data: CRC catches it
        Assert.Contains("CRC", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(flipped)).Message);

        foreach (int cut in new[] { 5, 20, good.Length / 2, good.Length - 3 })
        {
            var ex = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(good.AsSpan(0, cut), "t.png"));
            Assert.Contains("t.png", ex.Message);
        }

        var sixteen = new MemoryStream();
        sixteen.Write(good.AsSpan(0, 8)); Chunk(sixteen, "IHDR", Ihdr(2, 2, 16, 0)); Chunk(sixteen, "IEND", []);
        Assert.Contains("bit depth 16", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(sixteen.ToArray())).Message);

        var inter = new MemoryStream();
        inter.Write(good.AsSpan(0, 8)); Chunk(inter, "IHDR", Ihdr(2, 2, 8, 2, interlace: 1)); Chunk(inter, "IEND", []);
        Assert.Contains("interlaced", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(inter.ToArray())).Message);

        // valid chunks, but the zlib stream holds too few rows
        var shortData = new MemoryStream();
        shortData.Write(good.AsSpan(0, 8)); Chunk(shortData, "IHDR", Ihdr(9, 50, 8, 2));
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(new byte[28 * 3]);
        Chunk(shortData, "IDAT", z.ToArray()); Chunk(shortData, "IEND", []);
        Assert.Contains("expected", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(shortData.ToArray())).Message);
    }

    [Fact]
    public void MutatedFilesWithRepairedCrcsOnlyEverThrowInvalidData()
    {
        var good = PngEncoder.Encode(RandomImage(7, 5, 3, 9, smooth: true));
        var g = new Generator(123);
        int rejected = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var b = (byte[])good.Clone();
            int flips = g.NextInt(1, 4);
            for (int k = 0; k < flips; k++) b[g.NextInt(8, b.Length)] = (byte)g.NextInt(0, 256);
            // repair every chunk CRC so that the decoder's later checks are exercised
            for (int pos = 8; pos + 12 <= b.Length;)
            {
                long len = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos));
                if (pos + 12 + len > b.Length) break;
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(pos + 8 + (int)len), Crc32.Compute(b.AsSpan(pos + 4, 4 + (int)len)));
                pos += 12 + (int)len;
            }
            try { PngDecoder.Decode(b, "m.png"); }
            catch (InvalidDataException e) { Assert.Contains("m.png", e.Message); rejected++; }
        }
        Assert.True(rejected > 50, $"only {rejected} of 400 mutants rejected");
    }

    [Fact]
    public void SaveAndLoadFileAndMissingFile()
    {
        using var dir = new TempDir();
        var img = RandomImage(6, 4, 4, 3, smooth: true);
        string p = dir.File("x.png");
        PngEncoder.Save(p, img);
        Assert.Equal(img.Pixels, PngDecoder.Load(p).Pixels);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
        Assert.Throws<FileNotFoundException>(() => PngDecoder.Load(dir.File("missing.png")));
    }

    [Fact]
    public void ImageValidatesBufferLength()
    {
        Assert.Throws<ArgumentException>(() => new PngImage(2, 2, 3, new byte[11]));
        Assert.Throws<ArgumentException>(() => new PngImage(2, 2, 5, new byte[20]));
        Assert.Throws<ArgumentException>(() => new PngImage(0, 2, 1, []));
    }
}
