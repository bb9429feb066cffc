using System.IO.MemoryMappedFiles;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace MixFlow.Tensors.IO;

/// <summary>
/// An opened safetensors file: the header is parsed and validated on opening, the data buffer is memory-mapped and
/// tensors are converted to float32 on <see cref="Read"/>. Dispose it to unmap the file. Reads may run concurrently.
/// </summary>
/// <remarks>
/// Validation (each failure is a <see cref="SafeTensorsFormatException"/> naming the file): the file holds at least
/// the 8-byte header length; the header fits in the file and is at most <see cref="MaxHeaderBytes"/>; it is a JSON
/// object; every entry other than <c>__metadata__</c> is an object with a known <c>dtype</c> string, a <c>shape</c>
/// array of non-negative integers and a <c>data_offsets</c> array of two integers 0 ≤ begin ≤ end; end − begin equals
/// numel·sizeof(dtype); names are unique; the entries, sorted by offset, cover the data buffer exactly (no overlap, no
/// hole, no trailing bytes), as the format's specification requires. <c>__metadata__</c>, when present, maps strings to
/// strings.
/// </remarks>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted (100 MB, the limit of the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _infos;
    private readonly List<string> _names;

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>Tensor names in header order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates a file; prefer <see cref="SafeTensors.Load"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed (see remarks of the type).</exception>
    internal SafeTensorsFile(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("SafeTensorsFile: big-endian hosts are not supported");
        Path = path;
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        long length = fs.Length;
        if (length < 8)
        {
            fs.Dispose();
            throw new SafeTensorsFormatException(path, $"the file has {length} bytes; at least 8 are needed for the header length");
        }
        try
        {
            _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
        try
        {
            _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + _view.PointerOffset;

            ulong n = *(ulong*)_base;
            if (n > (ulong)(length - 8))
                throw new SafeTensorsFormatException(path, $"the header length {n} runs past the end of the file ({length} bytes, so at most {length - 8} header bytes)");
            if (n > MaxHeaderBytes)
                throw new SafeTensorsFormatException(path, $"the header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
            _dataStart = 8 + (long)n;
            var header = new ReadOnlySpan<byte>(_base + 8, (int)n).ToArray();
            (_infos, _names, var meta) = ParseHeader(path, header, length - _dataStart);
            Metadata = meta;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Parses and validates a header (the JSON bytes) for a data buffer of <paramref name="bufferLength"/> bytes.</summary>
    internal static (Dictionary<string, TensorInfo> Infos, List<string> Names, Dictionary<string, string> Metadata) ParseHeader(string path, byte[] header, long bufferLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new SafeTensorsFormatException(path, $"the header is not valid JSON ({e.Message})", e); }
        catch (ArgumentException e) { throw new SafeTensorsFormatException(path, $"the header is not valid UTF-8 JSON ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, $"the header is a JSON {root.ValueKind}; expected an object mapping tensor names to entries");
            var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            var names = new List<string>();
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMeta = false;
            foreach (var prop in root.EnumerateObject())
            {
                string name = prop.Name;
                if (name == "__metadata__")
                {
                    if (sawMeta) throw new SafeTensorsFormatException(path, "the header has '__metadata__' twice");
                    sawMeta = true;
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new SafeTensorsFormatException(path, $"'__metadata__' is a JSON {prop.Value.ValueKind}; expected an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new SafeTensorsFormatException(path, $"'__metadata__' entry '{m.Name}' is a JSON {m.Value.ValueKind}; expected a string");
                        if (!meta.TryAdd(m.Name, m.Value.GetString()!))
                            throw new SafeTensorsFormatException(path, $"'__metadata__' has the key '{m.Name}' twice");
                    }
                    continue;
                }
                if (infos.ContainsKey(name)) throw new SafeTensorsFormatException(path, $"the tensor name '{name}' appears twice in the header");
                var info = ParseEntry(path, name, prop.Value, bufferLength);
                infos.Add(name, info);
                names.Add(name);
            }
            CheckCoverage(path, infos.Values, bufferLength);
            return (infos, names, meta);
        }
    }

    private static TensorInfo ParseEntry(string path, string name, JsonElement e, long bufferLength)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': the entry is a JSON {e.ValueKind}; expected an object with dtype, shape and data_offsets");
        if (!e.TryGetProperty("dtype", out var dt)) throw new SafeTensorsFormatException(path, $"tensor '{name}': the entry has no 'dtype'");
        if (!e.TryGetProperty("shape", out var sh)) throw new SafeTensorsFormatException(path, $"tensor '{name}': the entry has no 'shape'");
        if (!e.TryGetProperty("data_offsets", out var off)) throw new SafeTensorsFormatException(path, $"tensor '{name}': the entry has no 'data_offsets'");
        if (dt.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': 'dtype' is a JSON {dt.ValueKind}; expected a string such as \"F32\"");
        var dts = dt.GetString();
        if (!SafeTensorsDTypes.TryParse(dts, out var dtype))
            throw new SafeTensorsFormatException(path, $"tensor '{name}': unknown or unsupported dtype '{dts}' (supported: {SafeTensorsDTypes.Supported})");
        if (sh.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': 'shape' is a JSON {sh.ValueKind}; expected an array of non-negative integers");
        var shape = new int[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim))
                throw new SafeTensorsFormatException(path, $"tensor '{name}': shape[{i}] is '{d.GetRawText()}'; expected a non-negative integer");
            if (dim < 0) throw new SafeTensorsFormatException(path, $"tensor '{name}': shape[{i}] is {dim}; dimensions must be non-negative");
            if (dim > int.MaxValue) throw new SafeTensorsFormatException(path, $"tensor '{name}': shape[{i}] is {dim}; at most {int.MaxValue} is supported");
            shape[i++] = (int)dim;
            numel = dim == 0 || numel == 0 ? 0 : (numel > int.MaxValue / dim ? long.MaxValue : numel * dim);
        }
        if (numel > int.MaxValue)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': shape {TensorShape.Format(shape)} has more than {int.MaxValue} elements, the engine's limit");
        if (off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': 'data_offsets' is '{Trim(off.GetRawText())}'; expected an array [begin, end] of two integers");
        var o = new long[2];
        i = 0;
        foreach (var v in off.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out o[i]) || o[i] < 0)
                throw new SafeTensorsFormatException(path, $"tensor '{name}': data_offsets[{i}] is '{v.GetRawText()}'; expected a non-negative integer");
            i++;
        }
        long begin = o[0], end = o[1];
        if (end < begin) throw new SafeTensorsFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        if (end > bufferLength)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] lie outside the data buffer of {bufferLength} bytes");
        long expected = numel * dtype.SizeOf();
        if (end - begin != expected)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] span {end - begin} bytes, but shape {TensorShape.Format(shape)} of {dtype.ToHeaderString()} needs {expected}");
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static string Trim(string s) => s.Length <= 60 ? s : s[..60] + "…";

    private static void CheckCoverage(string path, IEnumerable<TensorInfo> infos, long bufferLength)
    {
        var sorted = infos.ToList();
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long pos = 0;
        string? prev = null;
        foreach (var t in sorted)
        {
            if (t.Begin < pos)
                throw new SafeTensorsFormatException(path, $"tensor '{t.Name}' (bytes [{t.Begin}, {t.End})) overlaps tensor '{prev}' (which ends at {pos})");
            if (t.Begin > pos)
                throw new SafeTensorsFormatException(path, $"the data buffer has a hole: bytes [{pos}, {t.Begin}) before tensor '{t.Name}' belong to no tensor");
            if (t.ByteLength > 0) { pos = t.End; prev = t.Name; }
        }
        if (pos != bufferLength)
            throw new SafeTensorsFormatException(path, $"the data buffer has {bufferLength} bytes but the tensors cover only the first {pos}; trailing bytes belong to no tensor");
    }

    /// <summary>True when the file holds a tensor of this name.</summary>
    public bool Contains(string name) => _infos.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name; the message names the file.</exception>
    public TensorInfo Info(string name)
    {
        if (_infos.TryGetValue(name, out var i)) return i;
        var some = string.Join(", ", _names.Take(8).Select(n => $"'{n}'"));
        throw new KeyNotFoundException($"safetensors file '{Path}': no tensor named '{name}' ({_names.Count} tensors: {some}{(_names.Count > 8 ? ", …" : "")})");
    }

    /// <summary>Reads a tensor, converting its elements to float32, into a new contiguous tensor (pooled, so it joins the current <see cref="TensorScope"/>).</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public Tensor Read(string name)
    {
        var info = Info(name);
        var t = Tensor.Empty(info.Shape.ToArray());
        ReadInto(info, t.AsSpan());
        return t;
    }

    /// <summary>Reads a tensor into an existing contiguous tensor of the same shape (no allocation).</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="ArgumentException">The destination's shape differs from the stored one or it is not contiguous.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public void ReadInto(string name, Tensor destination)
    {
        var info = Info(name);
        if (!TensorShape.Equal(destination._shape, info.Shape.ToArray()))
            throw new ArgumentException($"safetensors file '{Path}': tensor '{name}' has shape {TensorShape.Format(info.Shape.ToArray())}; the destination has shape {TensorShape.Format(destination._shape)}");
        if (!destination.IsContiguous)
            throw new ArgumentException($"safetensors file '{Path}': ReadInto('{name}') needs a contiguous destination");
        ReadInto(info, destination.AsSpan());
    }

    /// <summary>Reads every tensor (see <see cref="Read"/>), by name.</summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public Dictionary<string, Tensor> ReadAll()
    {
        var d = new Dictionary<string, Tensor>(_names.Count, StringComparer.Ordinal);
        foreach (var n in _names) d[n] = Read(n);
        return d;
    }

    private void ReadInto(TensorInfo info, Span<float> dst)
    {
        if (_base == null) throw new ObjectDisposedException(nameof(SafeTensorsFile), $"safetensors file '{Path}' was disposed");
        byte* src = _base + _dataStart + info.Begin;
        int n = dst.Length;
        if (n == 0) return;
        var dtype = info.DType;
        int size = dtype.SizeOf();
        if (n < Kernels.Par.MinParallel) { Convert(dtype, src, dst); return; }
        fixed (float* pd = dst)
        {
            nint ps = (nint)src, pdst = (nint)pd;
            Kernels.Par.For(n, Kernels.Par.MinParallel / 2, (s, len) =>
                Convert(dtype, (byte*)ps + (long)s * size, new Span<float>((float*)pdst + s, len)));
        }
    }

    private static void Convert(SafeTensorsDType dtype, byte* src, Span<float> dst)
    {
        int n = dst.Length;
        switch (dtype)
        {
            case SafeTensorsDType.F32:
                new ReadOnlySpan<float>(src, n).CopyTo(dst);
                break;
            case SafeTensorsDType.F16:
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(src, n), dst);
                break;
            case SafeTensorsDType.BF16:
            {
                var s = new ReadOnlySpan<ushort>(src, n);
                var d = MemoryMarshal.Cast<float, uint>(dst);
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    ref ushort rs = ref MemoryMarshal.GetReference(s);
                    ref uint rd = ref MemoryMarshal.GetReference(d);
                    for (; i <= n - 16; i += 16)
                    {
                        var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref rs, (nuint)i));
                        Vector256.ShiftLeft(lo, 16).StoreUnsafe(ref rd, (nuint)i);
                        Vector256.ShiftLeft(hi, 16).StoreUnsafe(ref rd, (nuint)(i + 8));
                    }
                }
                for (; i < n; i++) d[i] = (uint)s[i] << 16;
                break;
            }
            case SafeTensorsDType.F64:
                { var s = new ReadOnlySpan<double>(src, n); for (int i = 0; i < n; i++) dst[i] = (float)s[i]; }
                break;
            case SafeTensorsDType.I64: { var s = new ReadOnlySpan<long>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.I32: { var s = new ReadOnlySpan<int>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.I16: { var s = new ReadOnlySpan<short>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.I8: { var s = new ReadOnlySpan<sbyte>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.U64: { var s = new ReadOnlySpan<ulong>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.U32: { var s = new ReadOnlySpan<uint>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.U16: { var s = new ReadOnlySpan<ushort>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.U8: { var s = new ReadOnlySpan<byte>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i]; break; }
            case SafeTensorsDType.Bool: { var s = new ReadOnlySpan<byte>(src, n); for (int i = 0; i < n; i++) dst[i] = s[i] != 0 ? 1f : 0f; break; }
            default: throw new InvalidOperationException($"SafeTensorsFile: dtype {dtype} has no conversion");
        }
    }

    /// <summary>Unmaps the file; later reads throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_base != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
