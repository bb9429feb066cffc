using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MixFlow.Imaging;

namespace MixFlow.Data;

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0; C order only). Reads dtypes <c>|u1</c>,
/// <c>&lt;i4</c>, <c>&lt;i8</c>, <c>&lt;f4</c>, <c>&lt;f8</c>; writes <c>|u1</c>, <c>&lt;f4</c>, <c>&lt;i8</c> (version
/// 1.0, or 2.0 when the header needs it).
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, is truncated, Fortran-ordered or of an
    /// unsupported dtype; the message names the file and the problem.</exception>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"npy file '{path}' does not exist", path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads one .npy array from a stream.</summary>
    /// <param name="stream">The stream, positioned at the magic string.</param>
    /// <param name="name">The name used in error messages (file path, or "archive.npz:entry").</param>
    /// <exception cref="InvalidDataException">Corrupt, truncated, Fortran-ordered or unsupported; the message names
    /// <paramref name="name"/> and the problem.</exception>
    public static NpyArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> pre = stackalloc byte[8];
        int got = ReadFully(stream, pre);
        if (got < 8) throw Bad(name, $"truncated: {got} bytes, the .npy preamble needs 8");
        if (!pre[..6].SequenceEqual(Magic)) throw Bad(name, "bad magic string (not a .npy file)");
        int major = pre[6];
        int headerLen;
        if (major == 1)
        {
            Span<byte> l = stackalloc byte[2];
            if (ReadFully(stream, l) < 2) throw Bad(name, "truncated in the header length");
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(l);
        }
        else if (major is 2 or 3)
        {
            Span<byte> l = stackalloc byte[4];
            if (ReadFully(stream, l) < 4) throw Bad(name, "truncated in the header length");
            uint hl = BinaryPrimitives.ReadUInt32LittleEndian(l);
            if (hl > 1 << 24) throw Bad(name, $"header length {hl} is implausibly large");
            headerLen = (int)hl;
        }
        else throw Bad(name, $"unsupported format version {major}.{pre[7]} (1.0, 2.0 and 3.0 are supported)");

        var hb = new byte[headerLen];
        int hgot = ReadFully(stream, hb);
        if (hgot < headerLen) throw Bad(name, $"truncated header: expected {headerLen} bytes, got {hgot}");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb);
        var (dtype, shape) = ParseHeader(header, name);

        long count = 1;
        foreach (int d in shape) count *= d;
        int size = ElementSize(dtype);
        long bytes = count * size;
        if (bytes > Array.MaxLength) throw Bad(name, $"array of {count} elements is too large to load");
        var raw = ReadBlock(stream, bytes, out long dgot)
            ?? throw Bad(name, $"truncated data: shape [{string.Join(", ", shape)}] of {DescrOf(dtype)} needs {bytes} bytes, got {dgot}");

        switch (dtype)
        {
            case NpyDType.UInt8: return NpyArray.FromUInt8(raw, shape);
            case NpyDType.Int32: { var a = new int[count]; CopyLittleEndian(raw, MemoryMarshal.AsBytes(a.AsSpan())); return NpyArray.FromInt32(a, shape); }
            case NpyDType.Int64: { var a = new long[count]; CopyLittleEndian(raw, MemoryMarshal.AsBytes(a.AsSpan())); return NpyArray.FromInt64(a, shape); }
            case NpyDType.Float32: { var a = new float[count]; CopyLittleEndian(raw, MemoryMarshal.AsBytes(a.AsSpan())); return NpyArray.FromFloat32(a, shape); }
            default: { var a = new double[count]; CopyLittleEndian(raw, MemoryMarshal.AsBytes(a.AsSpan())); return NpyArray.FromFloat64(a, shape); }
        }
    }

    /// <summary>Writes an array to a .npy file atomically (temporary file, flush to disk, rename).</summary>
    /// <param name="path">The destination.</param>
    /// <param name="array">The array; its dtype must be UInt8, Float32 or Int64.</param>
    /// <exception cref="NotSupportedException">The dtype is not writable.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        CheckWritable(array);
        AtomicFile.Write(path, s => Write(s, array));
    }

    /// <summary>Writes an array in .npy format to a stream.</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="array">The array; its dtype must be UInt8, Float32 or Int64.</param>
    /// <exception cref="NotSupportedException">The dtype is not writable.</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        CheckWritable(array);
        var sb = new StringBuilder();
        var shape = array.Shape;
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        sb.Append("{'descr': '").Append(DescrOf(array.DType)).Append("', 'fortran_order': False, 'shape': ").Append(shapeText).Append(", }");
        string dict = sb.ToString();
        // preamble (magic 6 + version 2 + length 2 or 4) + header + padding + '\n' must be a multiple of 64
        bool v2 = dict.Length + 1 + 10 > ushort.MaxValue;
        int pre = v2 ? 12 : 10;
        int total = pre + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        stream.Write(Magic);
        stream.WriteByte(v2 ? (byte)2 : (byte)1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[4];
        if (v2) { BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length); stream.Write(len); }
        else { BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length); stream.Write(len[..2]); }
        stream.Write(Encoding.ASCII.GetBytes(header));
        switch (array.Data)
        {
            case byte[] b: stream.Write(b); break;
            case float[] f: WriteLittleEndian(stream, MemoryMarshal.AsBytes(f.AsSpan())); break;
            case long[] l: WriteLittleEndian(stream, MemoryMarshal.AsBytes(l.AsSpan())); break;
        }
    }

    private static void CheckWritable(NpyArray a)
    {
        if (a.DType is not (NpyDType.UInt8 or NpyDType.Float32 or NpyDType.Int64))
            throw new NotSupportedException($"NpyFile.Write: dtype {a.DType} cannot be written (UInt8, Float32 and Int64 can)");
    }

    internal static string DescrOf(NpyDType t) => t switch
    {
        NpyDType.UInt8 => "|u1",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.Float32 => "<f4",
        _ => "<f8",
    };

    private static int ElementSize(NpyDType t) => t switch { NpyDType.UInt8 => 1, NpyDType.Int32 => 4, NpyDType.Float32 => 4, _ => 8 };

    /// <summary>Parses the header dictionary, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.</summary>
    private static (NpyDType, int[]) ParseHeader(string header, string name)
    {
        string h = header.Trim();
        if (!h.StartsWith('{') || !h.EndsWith('}')) throw Bad(name, $"header is not a Python dict literal: {Snip(h)}");
        string descr = StringValue(h, "descr", name);
        NpyDType dtype = descr switch
        {
            "|u1" or "<u1" or "u1" or "=u1" or "B" => NpyDType.UInt8,
            "<i4" => NpyDType.Int32,
            "<i8" => NpyDType.Int64,
            "<f4" => NpyDType.Float32,
            "<f8" => NpyDType.Float64,
            _ => throw Bad(name, $"unsupported dtype '{descr}' (supported: |u1, <i4, <i8, <f4, <f8)"),
        };
        string fo = RawValue(h, "fortran_order", name);
        if (fo.StartsWith("True", StringComparison.Ordinal)) throw Bad(name, "fortran_order is True: only C-order arrays are supported (save with np.ascontiguousarray)");
        if (!fo.StartsWith("False", StringComparison.Ordinal)) throw Bad(name, $"fortran_order value '{Snip(fo)}' is not True or False");
        string sv = RawValue(h, "shape", name);
        if (!sv.StartsWith('(')) throw Bad(name, $"shape is not a tuple: {Snip(sv)}");
        int close = sv.IndexOf(')');
        if (close < 0) throw Bad(name, $"shape tuple is not closed: {Snip(sv)}");
        var parts = sv[1..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i].TrimEnd('L');
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw Bad(name, $"shape entry '{parts[i]}' is not a non-negative 32-bit integer");
        }
        return (dtype, shape);
    }

    private static string RawValue(string h, string key, string name)
    {
        int k = h.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (k < 0) k = h.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
        if (k < 0) throw Bad(name, $"header has no '{key}' key: {Snip(h)}");
        int colon = h.IndexOf(':', k + key.Length + 2);
        if (colon < 0) throw Bad(name, $"header key '{key}' has no value");
        return h[(colon + 1)..].TrimStart();
    }

    private static string StringValue(string h, string key, string name)
    {
        string v = RawValue(h, key, name);
        if (v.Length < 2 || (v[0] != '\'' && v[0] != '"')) throw Bad(name, $"'{key}' is not a string (structured dtypes are not supported): {Snip(v)}");
        int end = v.IndexOf(v[0], 1);
        if (end < 0) throw Bad(name, $"'{key}' string is not closed");
        return v[1..end];
    }

    private static string Snip(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private static void CopyLittleEndian(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        src.CopyTo(dst);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpyFile: big-endian hosts are not supported");
    }

    private static void WriteLittleEndian(Stream s, ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpyFile: big-endian hosts are not supported");
        s.Write(bytes);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or returns null (with the bytes available in
    /// <paramref name="got"/>) when the stream ends first. Memory grows with the data actually present, so a corrupt
    /// size field cannot make it allocate gigabytes up front.</summary>
    internal static byte[]? ReadBlock(Stream s, long count, out long got)
    {
        if (s.CanSeek)
        {
            long left = Math.Max(0, s.Length - s.Position);
            if (left < count) { got = left; return null; }
        }
        const int Chunk = 1 << 24;
        if (count <= Chunk)
        {
            var small = new byte[count];
            got = ReadFully(s, small);
            return got == count ? small : null;
        }
        var parts = new List<byte[]>();
        got = 0;
        while (got < count)
        {
            var part = new byte[Math.Min(Chunk, count - got)];
            int n = ReadFully(s, part);
            got += n;
            if (n < part.Length) return null;
            parts.Add(part);
        }
        var all = new byte[count];
        long o = 0;
        foreach (var part in parts) { Buffer.BlockCopy(part, 0, all, (int)o, part.Length); o += part.Length; }
        return all;
    }

    internal static int ReadFully(Stream s, Span<byte> buf)
    {
        int got = 0;
        while (got < buf.Length)
        {
            int n = s.Read(buf[got..]);
            if (n == 0) break;
            got += n;
        }
        return got;
    }

    private static InvalidDataException Bad(string name, string problem) => new($"npy '{name}': {problem}");
}
