using System.IO.Compression;
using System.Text;
using MixFlow.Data;

namespace MixFlow.Tests.Data;

public class NpyTests
{
    /// <summary>A .npy file written by hand (independent of NpyFile.Write).</summary>
    static byte[] HandNpy(string header, byte[] data, int major = 1)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var h = Encoding.ASCII.GetBytes(header + "\n");
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)h.Length)); else ms.Write(BitConverter.GetBytes((uint)h.Length));
        ms.Write(h); ms.Write(data);
        return ms.ToArray();
    }

    static NpyArray ReadBytes(byte[] b, string name = "mem.npy") => NpyFile.Read(new MemoryStream(b), name);

    [Fact]
    public void RoundTripWritableDtypes()
    {
        using var dir = new TempDir();
        var arrays = new[]
        {
            NpyArray.FromUInt8([0, 1, 2, 250, 255, 7], 2, 3),
            NpyArray.FromFloat32([1.5f, -2.25f, float.MaxValue, float.Epsilon, 0f], 5),
            NpyArray.FromInt64([long.MinValue, -1, 0, 1, long.MaxValue, 42, 7, 8], 2, 2, 2),
            NpyArray.FromFloat32([3f], []),
            NpyArray.FromUInt8([], 0, 4),
        };
        for (int i = 0; i < arrays.Length; i++)
        {
            string p = dir.File($"a{i}.npy");
            NpyFile.Write(p, arrays[i]);
            var back = NpyFile.Read(p);
            Assert.Equal(arrays[i].DType, back.DType);
            Assert.Equal(arrays[i].Shape, back.Shape);
            Assert.Equal(arrays[i].Data, back.Data);
            var bytes = File.ReadAllBytes(p);
            int headerEnd = 10 + BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, headerEnd % 64);         // numpy's alignment
            Assert.Equal((byte)'\n', bytes[headerEnd - 1]);
        }
        Assert.Equal(arrays.Length, Directory.GetFiles(dir.Path).Length); // atomic writes leave no temp files
    }

    [Fact]
    public void ReadsHandMadeInt32Float64AndVersion2Headers()
    {
        var i4 = ReadBytes(HandNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", [.. BitConverter.GetBytes(-5), .. BitConverter.GetBytes(6), .. BitConverter.GetBytes(int.MaxValue)]));
        Assert.Equal(NpyDType.Int32, i4.DType);
        Assert.Equal(new[] { -5, 6, int.MaxValue }, (int[])i4.Data);
        Assert.Equal(new long[] { -5, 6, int.MaxValue }, i4.ToInt64());

        var f8 = ReadBytes(HandNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", [.. BitConverter.GetBytes(Math.PI), .. BitConverter.GetBytes(-0.5)], major: 2));
        Assert.Equal(NpyDType.Float64, f8.DType);
        Assert.Equal(new[] { 1, 2 }, f8.Shape);
        Assert.Equal(new[] { Math.PI, -0.5 }, (double[])f8.Data);
        Assert.Equal(new[] { (float)Math.PI, -0.5f }, f8.ToFloat32());

        var u1 = ReadBytes(HandNpy("{\"descr\": \"|u1\", \"shape\": (2, 1), \"fortran_order\": False}", [9, 8]));
        Assert.Equal(new byte[] { 9, 8 }, (byte[])u1.Data);
    }

    [Fact]
    public void CorruptNpyThrowsNamingFileAndProblem()
    {
        var ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy(ok, new byte[10]), "x.npy"));
        Assert.Contains("x.npy", e.Message); Assert.Contains("16", e.Message); Assert.Contains("10", e.Message);

        Assert.Contains("fortran_order", Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]))).Message);
        Assert.Contains(">f4", Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]))).Message);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => ReadBytes(Encoding.ASCII.GetBytes("PK not numpy at all"))).Message);
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy(ok, new byte[16], major: 9))).Message);
        Assert.Contains("shape", Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy("{'descr': '<f4', 'fortran_order': False}", new byte[16]))).Message);
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => ReadBytes(HandNpy(ok, new byte[16])[..30])).Message);
        Assert.Throws<FileNotFoundException>(() => NpyFile.Read("/nonexistent/q.npy"));
        Assert.Throws<NotSupportedException>(() => NpyFile.Write(new MemoryStream(), NpyArray.FromFloat64([1.0], 1)));
    }

    [Fact]
    public void MutatedNpyAndIdxOnlyEverThrowInvalidData()
    {
        var ms = new MemoryStream();
        NpyFile.Write(ms, NpyArray.FromFloat32([1, 2, 3, 4, 5, 6], 2, 3));
        var good = ms.ToArray();
        var g = new MixFlow.Tensors.Generator(5);
        for (int trial = 0; trial < 400; trial++)
        {
            var b = (byte[])good.Clone();
            b[g.NextInt(0, 80)] = (byte)g.NextInt(0, 256);
            if (trial % 4 == 0) b = b[..g.NextInt(0, b.Length)];
            try { ReadBytes(b, "m.npy"); }
            catch (InvalidDataException e) { Assert.Contains("m.npy", e.Message); }
        }
        var idx = new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 };
        for (int trial = 0; trial < 200; trial++)
        {
            var b = (byte[])idx.Clone();
            b[g.NextInt(0, 16)] = (byte)g.NextInt(0, 256);
            try { MixFlow.Data.IdxFile.Read(new MemoryStream(b), "m.idx"); }
            catch (InvalidDataException e) { Assert.Contains("m.idx", e.Message); }
        }
    }

    [Theory]
    [InlineData(false)] [InlineData(true)]
    public void NpzRoundTripStoredAndDeflated(bool compress)
    {
        using var dir = new TempDir();
        string p = dir.File("a.npz");
        var a = NpyArray.FromFloat32([1, 2, 3, 4, 5, 6], 3, 2);
        var b = NpyArray.FromInt64([10, 20], 2);
        var c = NpyArray.FromUInt8(Enumerable.Range(0, 200).Select(i => (byte)(i % 3)).ToArray(), 200);
        NpzFile.Write(p, [new("a", a), new("b", b), new("c", c)], compress);
        var back = NpzFile.Read(p);
        Assert.Equal(["a", "b", "c"], back.Keys.OrderBy(k => k));
        Assert.Equal(a.Data, back["a"].Data); Assert.Equal(a.Shape, back["a"].Shape);
        Assert.Equal(b.Data, back["b"].Data);
        Assert.Equal(c.Data, back["c"].Data);
        using var zip = ZipFile.OpenRead(p);
        Assert.All(zip.Entries, en => Assert.EndsWith(".npy", en.FullName));
        if (compress) Assert.True(zip.GetEntry("c.npy")!.CompressedLength < zip.GetEntry("c.npy")!.Length);
        else Assert.Equal(zip.GetEntry("c.npy")!.Length, zip.GetEntry("c.npy")!.CompressedLength);
    }

    [Fact]
    public void WriteSamplesProducesAdmLayout()
    {
        using var dir = new TempDir();
        string p = dir.File("samples.npz");
        var px = Enumerable.Range(0, 2 * 3 * 4 * 3).Select(i => (byte)i).ToArray();
        NpzFile.WriteSamples(p, px, 2, 3, 4, 3, [7, 1]);
        var back = NpzFile.Read(p);
        Assert.Equal(NpyDType.UInt8, back["arr_0"].DType);
        Assert.Equal(new[] { 2, 3, 4, 3 }, back["arr_0"].Shape);
        Assert.Equal(px, back["arr_0"].Data);
        Assert.Equal(NpyDType.Int64, back["arr_1"].DType);
        Assert.Equal(new long[] { 7, 1 }, back["arr_1"].Data);
        NpzFile.WriteSamples(p, px, 2, 3, 4, 3, null); // overwrite in place, unlabelled
        Assert.Equal(["arr_0"], NpzFile.Read(p).Keys);
        Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Throws<ArgumentException>(() => NpzFile.WriteSamples(p, px, 2, 3, 4, 2, null));
        Assert.Throws<ArgumentException>(() => NpzFile.WriteSamples(p, px, 2, 3, 4, 3, [1]));
    }

    [Fact]
    public void CorruptNpzThrowsNamingFileAndEntry()
    {
        using var dir = new TempDir();
        string junk = dir.File("junk.npz");
        File.WriteAllBytes(junk, Encoding.ASCII.GetBytes("this is not a zip file at all, sorry"));
        var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(junk));
        Assert.Contains("junk.npz", e.Message);

        string trunc = dir.File("trunc.npz");
        using (var fs = File.Create(trunc))
        using (var zip = new ZipArchive(fs, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("x.npy").Open();
            s.Write(HandNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[7]));
        }
        e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(trunc));
        Assert.Contains("trunc.npz:x.npy", e.Message);
        Assert.Contains("16", e.Message);
    }

    [Fact]
    public void NumpyDatasetFromSamplesAndFloats()
    {
        using var dir = new TempDir();
        string p = dir.File("s.npz");
        // 2 images 2x2 RGB, NHWC
        byte[] px = [0, 255, 51, 0, 255, 51, 0, 255, 51, 0, 255, 51, /* image 2 */ 255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0];
        NpzFile.WriteSamples(p, px, 2, 2, 2, 3, [3, 0]);
        var ds = NumpyDataset.Load(p);
        Assert.Equal(2, ds.Count);
        Assert.Equal(new[] { 3, 2, 2 }, ds.SampleShape);
        Assert.Equal(4, ds.NumClasses);
        var x = new float[2 * 12];
        var l = new int[2];
        ds.Fill([0, 1], x, l);
        Assert.Equal(new[] { 3, 0 }, l);
        Assert.Equal(new float[] { -1, -1, -1, -1, 1, 1, 1, 1, (float)(51 / 127.5 - 1), (float)(51 / 127.5 - 1), (float)(51 / 127.5 - 1), (float)(51 / 127.5 - 1) }, x[..12]);
        Assert.Equal(new float[] { 1, -1, 1, -1 }, x[12..16]);

        string f = dir.File("pts.npy");
        NpyFile.Write(f, NpyArray.FromFloat32([1, 2, 3, 4, 5, 6], 3, 2));
        var pts = NumpyDataset.Load(f);
        Assert.Equal((3, 0), (pts.Count, pts.NumClasses));
        Assert.Equal(new[] { 2 }, pts.SampleShape);

        NpzFile.Write(dir.File("bad.npz"), [new("arr_0", NpyArray.FromUInt8([1, 2], 2)), new("arr_1", NpyArray.FromInt64([1], 1))]);
        Assert.Contains("bad.npz", Assert.Throws<InvalidDataException>(() => NumpyDataset.Load(dir.File("bad.npz"))).Message);
        Assert.Contains("images", Assert.Throws<InvalidDataException>(() => NumpyDataset.Load(p, samplesKey: "images")).Message);
    }
}
