using System.Text;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixflow-st-" + Guid.NewGuid().ToString("N")[..10]);

    public SafeTensorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", name);

    private string Tmp(string name) => Path.Combine(_dir, name);

    /// <summary>Writes a file from a raw header string (padded to 8 bytes unless <paramref name="pad"/> is false) and data bytes.</summary>
    private string Raw(string name, string header, int dataBytes, ulong? headerLen = null, bool pad = true)
    {
        var h = Encoding.UTF8.GetBytes(header);
        if (pad && h.Length % 8 != 0) h = h.Concat(Enumerable.Repeat((byte)' ', 8 - h.Length % 8)).ToArray();
        var path = Tmp(name);
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes(headerLen ?? (ulong)h.Length));
        fs.Write(h);
        fs.Write(new byte[dataBytes]);
        return path;
    }

    [Fact]
    public void RoundTripKeepsNamesShapesValuesAndMetadata()
    {
        var g = new Generator(7);
        var a = Tensor.RandN(g, 3, 5);
        var scalar = Tensor.Scalar(-1.25f);
        var empty = Tensor.Zeros(0, 4);
        var transposed = Tensor.RandN(g, 4, 6).Transpose(0, 1); // non-contiguous view
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["step"] = "1200", ["ünï"] = "çödé \"quoted\"" };
        var path = Tmp("rt.safetensors");
        SafeTensors.Save(path, [new("b.weight", a), new("scalar", scalar), new("empty", empty), new("t", transposed), new("ä.名前", a)], meta);

        using var f = SafeTensors.Load(path);
        Assert.Equal(new[] { "b.weight", "scalar", "empty", "t", "ä.名前" }, f.Names); // order as given
        Assert.Equal(meta, f.Metadata);
        Assert.Equal(a.ToArray(), f.Read("b.weight").ToArray());
        Assert.Equal(a.ToArray(), f.Read("ä.名前").ToArray());
        var s = f.Read("scalar");
        Assert.Equal(0, s.Rank);
        Assert.Equal(-1.25f, s.Item());
        var e = f.Read("empty");
        Assert.Equal(new[] { 0, 4 }, e.Shape);
        Assert.Equal(0, e.Numel);
        var t = f.Read("t");
        Assert.Equal(new[] { 6, 4 }, t.Shape);
        Assert.Equal(transposed.ToArray(), t.ToArray());
        var info = f.Info("b.weight");
        Assert.Equal(SafeTensorsDType.F32, info.DType);
        Assert.Equal(new[] { 3, 5 }, info.Shape);
        Assert.Equal(60, info.ByteLength);

        // header padded so the data buffer starts 8-byte aligned
        var bytes = File.ReadAllBytes(path);
        ulong n = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, (8 + n) % 8);
        Assert.Equal((long)(8 + n) + 4 * (15 + 1 + 0 + 24 + 15), bytes.LongLength);

        var all = SafeTensors.ReadAll(path);
        Assert.Equal(5, all.Count);
        Assert.Equal(a.ToArray(), all["b.weight"].ToArray());
    }

    [Fact]
    public void RoundTripWithoutTensorsOrMetadata()
    {
        var path = Tmp("none.safetensors");
        SafeTensors.Save(path, Array.Empty<NamedTensor>());
        using var f = SafeTensors.Load(path);
        Assert.Empty(f.Names);
        Assert.Empty(f.Metadata);
    }

    [Fact]
    public void ReadsFileWrittenByPython()
    {
        using var f = SafeTensors.Load(Fixture("py_f32.safetensors"));
        Assert.Equal(new[] { "big", "empty", "layer.bias", "layer.weight", "ramp", "scalar" }, f.Names.OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal("written by st_io.py", f.Metadata["note"]);
        var ramp = f.Read("ramp");
        Assert.Equal(new[] { 2, 3, 4 }, ramp.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray(), ramp.ToArray());
        Assert.Equal(2.5f, f.Read("scalar").Item());
        Assert.Equal(new[] { 0, 3 }, f.Read("empty").Shape);
        var w = f.Read("layer.weight");
        Assert.Equal(new[] { 3, 4 }, w.Shape);
        // values printed by make_safetensors_fixtures.py (torch.Generator seed 1234)
        Assert.Equal(0.0461304634809494f, w[0, 0]);
        Assert.Equal(0.4024028182029724f, w[0, 1]);
        Assert.Equal(-0.15490040183067322f, f.Read("layer.bias")[0]);
        Assert.Equal(new[] { 2, 3, 5 }, f.Info("big").Shape);
    }

    [Theory]
    [InlineData("py_f16.safetensors", "specials", SafeTensorsDType.F16)]
    [InlineData("py_f16.safetensors", "rnd", SafeTensorsDType.F16)]
    [InlineData("py_bf16.safetensors", "w", SafeTensorsDType.BF16)]
    [InlineData("py_ints.safetensors", "f64", SafeTensorsDType.F64)]
    [InlineData("py_ints.safetensors", "i64", SafeTensorsDType.I64)]
    [InlineData("py_ints.safetensors", "i32", SafeTensorsDType.I32)]
    [InlineData("py_ints.safetensors", "u8", SafeTensorsDType.U8)]
    [InlineData("py_ints.safetensors", "bool", SafeTensorsDType.Bool)]
    public void ConvertsStoredTypesLikePyTorch(string file, string name, SafeTensorsDType dtype)
    {
        using var f = SafeTensors.Load(Fixture(file));
        Assert.Equal(dtype, f.Info(name).DType);
        var got = f.Read(name);
        var want = f.Read(name + "_f32");
        Assert.Equal(want.Shape, got.Shape);
        var g = got.ToArray();
        var w = want.ToArray();
        for (int i = 0; i < w.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(w[i]) == BitConverter.SingleToInt32Bits(g[i]), $"{name}[{i}]: got {g[i]}, expected {w[i]}");
    }

    [Fact]
    public void ConvertsRemainingIntegerTypes()
    {
        var data = new List<byte>();
        var header = new StringBuilder("{");
        void Add(string name, string dtype, int count, Action<List<byte>> write)
        {
            int begin = data.Count;
            write(data);
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{count}],\"data_offsets\":[{begin},{data.Count}]}},");
        }
        Add("i16", "I16", 3, d => { foreach (short v in new short[] { -32768, 7, 32767 }) d.AddRange(BitConverter.GetBytes(v)); });
        Add("i8", "I8", 3, d => { foreach (sbyte v in new sbyte[] { -128, -1, 127 }) d.Add((byte)v); });
        Add("u16", "U16", 2, d => { foreach (ushort v in new ushort[] { 0, 65535 }) d.AddRange(BitConverter.GetBytes(v)); });
        Add("u32", "U32", 2, d => { foreach (uint v in new uint[] { 5, 4000000000 }) d.AddRange(BitConverter.GetBytes(v)); });
        Add("u64", "U64", 2, d => { foreach (ulong v in new ulong[] { 9, 1UL << 50 }) d.AddRange(BitConverter.GetBytes(v)); });
        header.Length--;
        header.Append('}');
        var path = Raw("ints2.safetensors", header.ToString(), 0);
        using (var fs = new FileStream(path, FileMode.Append)) fs.Write(data.ToArray());
        using var f = SafeTensors.Load(path);
        Assert.Equal(new[] { -32768f, 7f, 32767f }, f.Read("i16").ToArray());
        Assert.Equal(new[] { -128f, -1f, 127f }, f.Read("i8").ToArray());
        Assert.Equal(new[] { 0f, 65535f }, f.Read("u16").ToArray());
        Assert.Equal(new[] { 5f, 4e9f }, f.Read("u32").ToArray());
        Assert.Equal(new[] { 9f, (float)(1UL << 50) }, f.Read("u64").ToArray());
        Assert.Equal(SafeTensorsDType.U64, f.Info("u64").DType);
        Assert.Equal(8, SafeTensorsDType.U64.SizeOf());
        Assert.Equal("BOOL", SafeTensorsDType.Bool.ToHeaderString());
    }

    [Fact]
    public void ConvertsLargeHalfTensorInParallelChunks()
    {
        // > Par.MinParallel elements so the chunked path runs; every 16-bit pattern appears
        int n = 1 << 17;
        var half = new byte[2 * n];
        for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(half.AsSpan(2 * i), (ushort)(i & 0xFFFF));
        foreach (var (dt, conv) in new (string, Func<ushort, float>)[] { ("F16", b => (float)BitConverter.UInt16BitsToHalf(b)), ("BF16", b => BitConverter.Int32BitsToSingle(b << 16)) })
        {
            var path = Raw($"big_{dt}.safetensors", $"{{\"x\":{{\"dtype\":\"{dt}\",\"shape\":[{n}],\"data_offsets\":[0,{2 * n}]}}}}", 0);
            using (var fs = new FileStream(path, FileMode.Append)) fs.Write(half);
            using var f = SafeTensors.Load(path);
            var got = f.Read("x").ToArray();
            for (int i = 0; i < n; i++)
            {
                float w = conv((ushort)(i & 0xFFFF));
                Assert.True(float.IsNaN(w) ? float.IsNaN(got[i]) : BitConverter.SingleToInt32Bits(w) == BitConverter.SingleToInt32Bits(got[i]), $"{dt}[{i}]: got {got[i]}, expected {w}");
            }
        }
    }

    public static TheoryData<string, string, int, string> MalformedHeaders => new()
    {
        { "notjson", "{\"a\": {\"dtype\": ", 0, "not valid JSON" },
        { "notobject", "[1, 2, 3]", 0, "expected an object" },
        { "entrynotobject", "{\"a\": 5}", 0, "expected an object with dtype" },
        { "nodtype", "{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "no 'dtype'" },
        { "noshape", "{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, "no 'shape'" },
        { "nooffsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "no 'data_offsets'" },
        { "dtypenumber", "{\"a\": {\"dtype\": 3, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "'dtype' is a JSON Number" },
        { "shapestring", "{\"a\": {\"dtype\": \"F32\", \"shape\": \"1\", \"data_offsets\": [0, 4]}}", 4, "'shape' is a JSON String" },
        { "shapefloat", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4, "shape[0]" },
        { "offsetsone", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4]}}", 4, "two integers" },
        { "offsetsneg", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}", 4, "data_offsets[0]" },
        { "unknowndtype", "{\"a\": {\"dtype\": \"F8_E4M3\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1, "unknown or unsupported dtype 'F8_E4M3'" },
        { "lowercasedtype", "{\"a\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "unknown or unsupported dtype 'f32'" },
        { "negativedim", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, -1], \"data_offsets\": [0, 0]}}", 0, "must be non-negative" },
        { "wronglength", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", 20, "needs 24" },
        { "wronglengthf16", "{\"a\": {\"dtype\": \"F16\", \"shape\": [3], \"data_offsets\": [0, 12]}}", 12, "needs 6" },
        { "endbeforebegin", "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 4]}}", 8, "end before they begin" },
        { "outside", "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8, "outside the data buffer of 8 bytes" },
        { "overlap", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "overlaps" },
        { "hole", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", 12, "hole" },
        { "leadinghole", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "hole" },
        { "trailing", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 12, "trailing bytes" },
        { "duplicate", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "appears twice" },
        { "metanotobject", "{\"__metadata__\": [1]}", 0, "'__metadata__' is a JSON Array" },
        { "metanotstring", "{\"__metadata__\": {\"k\": 1}}", 0, "'__metadata__' entry 'k'" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void MalformedHeaderIsRejectedNamingFileAndProblem(string name, string header, int dataBytes, string expected)
    {
        var path = Raw(name + ".safetensors", header, dataBytes);
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Equal(path, ex.FilePath);
        Assert.IsAssignableFrom<IOException>(ex);
    }

    [Fact]
    public void TruncatedFilesAreRejected()
    {
        var shortPath = Tmp("short.safetensors");
        File.WriteAllBytes(shortPath, new byte[] { 1, 2, 3 });
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(shortPath));
        Assert.Contains(shortPath, ex.Message);
        Assert.Contains("at least 8", ex.Message);

        var emptyPath = Tmp("empty.safetensors");
        File.WriteAllBytes(emptyPath, Array.Empty<byte>());
        Assert.Contains("0 bytes", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(emptyPath)).Message);

        var past = Raw("past.safetensors", "{}", 0, headerLen: 1000);
        ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(past));
        Assert.Contains(past, ex.Message);
        Assert.Contains("past the end of the file", ex.Message);

        var huge = Raw("huge.safetensors", "{}", 0, headerLen: 1UL << 62);
        Assert.Contains("past the end", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(huge)).Message);

        // a valid file cut short inside its data: its last tensor now runs outside the buffer
        var ok = Tmp("ok.safetensors");
        SafeTensors.Save(ok, [new("x", Tensor.Ones(10))]);
        var bytes = File.ReadAllBytes(ok);
        var cut = Tmp("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^4]);
        Assert.Contains("outside the data buffer", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(cut)).Message);
    }

    [Fact]
    public void UnknownTensorNameAndDisposedFileAreReported()
    {
        var path = Tmp("one.safetensors");
        SafeTensors.Save(path, [new("x", Tensor.Ones(2))]);
        var f = SafeTensors.Load(path);
        var ex = Assert.Throws<KeyNotFoundException>(() => f.Read("y"));
        Assert.Contains("'y'", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Contains("'x'", ex.Message);
        var dst = Tensor.Zeros(3);
        Assert.Contains("[2]", Assert.Throws<ArgumentException>(() => f.ReadInto("x", dst)).Message);
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Read("x"));
        f.Dispose(); // idempotent
    }

    [Fact]
    public void SaveRejectsBadNames()
    {
        var p = Tmp("bad.safetensors");
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => SafeTensors.Save(p, [new("a", Tensor.Ones(1)), new("a", Tensor.Ones(1))])).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => SafeTensors.Save(p, [new("__metadata__", Tensor.Ones(1))])).Message);
        Assert.Contains("empty name", Assert.Throws<ArgumentException>(() => SafeTensors.Save(p, [new("", Tensor.Ones(1))])).Message);
        Assert.False(File.Exists(p));
    }

    private static IEnumerable<NamedTensor> ThrowingEnumeration()
    {
        yield return new NamedTensor("a", Tensor.Ones(3));
        throw new InvalidOperationException("enumeration failed midway");
    }

    [Fact]
    public void FailedSaveLeavesPreviousFileIntactAndNoTemporaryFile()
    {
        var path = Tmp("model.safetensors");
        var original = Tensor.Arange(0, 6);
        SafeTensors.Save(path, [new("w", original)]);
        var before = File.ReadAllBytes(path);

        // 1) the tensor enumeration throws midway
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, ThrowingEnumeration()));
        Assert.Equal(before, File.ReadAllBytes(path));

        // 2) writing the data fails after the temporary file was created (a tensor whose storage was released)
        var dead = Tensor.Ones(5);
        dead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, [new("ok", Tensor.Ones(4)), new("dead", dead)]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(_dir).Select(Path.GetFileName));

        using var f = SafeTensors.Load(path);
        Assert.Equal(original.ToArray(), f.Read("w").ToArray());
    }

    [Fact]
    public void SaveIntoMissingDirectoryThrowsIOExceptionNamingPath()
    {
        var path = Path.Combine(_dir, "no", "such", "dir", "m.safetensors");
        var ex = Assert.Throws<IOException>(() => SafeTensors.Save(path, [new("w", Tensor.Ones(2))]));
        Assert.Contains(path, ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "no")));
    }

    [Fact]
    public void SaveOverwritesExistingFile()
    {
        var path = Tmp("over.safetensors");
        SafeTensors.Save(path, [new("w", Tensor.Ones(100))]);
        SafeTensors.Save(path, [new("v", Tensor.Full(3f, 2))]);
        using var f = SafeTensors.Load(path);
        Assert.Equal(new[] { "v" }, f.Names);
        Assert.Equal(new[] { 3f, 3f }, f.Read("v").ToArray());
    }

    private sealed class Tiny : Module
    {
        public readonly Tensor W, B, Running;
        public readonly Inner Child;
        public Tiny(ulong seed, int outDim = 3)
        {
            var g = new Generator(seed);
            W = RegisterParameter("weight", Tensor.RandN(g, outDim, 4));
            B = RegisterParameter("bias", Tensor.RandN(g, outDim));
            Running = RegisterBuffer("running", Tensor.RandN(g, 2));
            Child = RegisterModule("child", new Inner(g));
        }
    }

    private sealed class Inner : Module
    {
        public readonly Tensor P;
        public Inner(Generator g) => P = RegisterParameter("p", Tensor.RandN(g, 2, 2));
    }

    [Fact]
    public void ModuleStateRoundTripsInPlace()
    {
        var path = Tmp("tiny.safetensors");
        var a = new Tiny(1);
        a.SaveSafeTensors(path, new Dictionary<string, string> { ["epoch"] = "3" });
        using (var f = SafeTensors.Load(path))
        {
            Assert.Equal(new[] { "weight", "bias", "child.p", "running" }, f.Names);
            Assert.Equal("3", f.Metadata["epoch"]);
        }
        var b = new Tiny(2);
        var wRef = b.W;
        b.LoadSafeTensors(path);
        Assert.Same(wRef, b.W);
        Assert.Equal(a.W.ToArray(), b.W.ToArray());
        Assert.Equal(a.B.ToArray(), b.B.ToArray());
        Assert.Equal(a.Running.ToArray(), b.Running.ToArray());
        Assert.Equal(a.Child.P.ToArray(), b.Child.P.ToArray());
    }

    [Fact]
    public void ModuleLoadReportsMismatchesWithFileName()
    {
        var path = Tmp("tiny5.safetensors");
        new Tiny(1, outDim: 5).SaveSafeTensors(path);
        var ex = Assert.Throws<ArgumentException>(() => new Tiny(2).LoadSafeTensors(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("'weight'", ex.Message);
        Assert.Contains("[5, 4]", ex.Message);

        var partial = Tmp("partial.safetensors");
        var src = new Tiny(3);
        SafeTensors.Save(partial, [new("weight", src.W), new("extra", Tensor.Ones(1))]);
        var strictEx = Assert.Throws<ArgumentException>(() => new Tiny(4).LoadSafeTensors(partial));
        Assert.Contains("missing 'bias'", strictEx.Message);
        Assert.Contains("unexpected 'extra'", strictEx.Message);
        var m = new Tiny(4);
        var biasBefore = m.B.ToArray();
        m.LoadSafeTensors(partial, strict: false);
        Assert.Equal(src.W.ToArray(), m.W.ToArray());
        Assert.Equal(biasBefore, m.B.ToArray());
    }
}
