using System.Runtime.InteropServices;
using System.Text.Json;
using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.IO;

/// <summary>
/// Reading and writing the Hugging Face safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the
/// first byte after the header) plus an optional <c>"__metadata__"</c> map of strings, then the raw data buffer.
/// </summary>
public static class SafeTensors
{
    /// <summary>
    /// Writes tensors as float32 (<c>F32</c>) to <paramref name="path"/>, atomically: the bytes go to a temporary file
    /// <c>path + ".tmp-&lt;random&gt;"</c> in the same directory, which is flushed to disk (fsync) and then renamed over
    /// <paramref name="path"/>. If anything fails the temporary file is deleted and a previous file at
    /// <paramref name="path"/> is left untouched.
    /// </summary>
    /// <remarks>
    /// Tensors are stored in the order given (header entries and data in that order; readers do not depend on it), the
    /// header is padded with spaces to a multiple of 8 bytes so the data buffer is 8-byte aligned. Non-contiguous
    /// tensors are written in row-major order. The tensors are enumerated once, before the file is created. The rename
    /// is atomic on POSIX file systems and on NTFS; the directory entry itself is not fsynced (.NET has no API for
    /// it), so after a power loss the old or the new file is present, never a partial one.
    /// </remarks>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Named tensors; names must be non-empty, unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string map stored as <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">Empty, duplicate or reserved names.</exception>
    /// <exception cref="IOException">The file cannot be written (directory missing or not writable, disk full …); the message names the path.</exception>
    public static void Save(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"SafeTensors.Save '{path}': a tensor has an empty name");
            if (name == "__metadata__") throw new ArgumentException($"SafeTensors.Save '{path}': '__metadata__' is reserved and cannot name a tensor");
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors.Save '{path}': the tensor name '{name}' appears twice");
        }
        byte[] header = BuildHeader(list, metadata);

        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp-" + Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 6)).ToLowerInvariant();
        bool created = false;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                created = true;
                Span<byte> len = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
                fs.Write(len);
                fs.Write(header);
                foreach (var (_, t) in list)
                {
                    if (t.Numel == 0) continue;
                    if (t.IsContiguous) fs.Write(MemoryMarshal.AsBytes(t.ReadSpan()));
                    else fs.Write(MemoryMarshal.AsBytes(t.ToArray().AsSpan()));
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            created = false;
            DirectorySync.FlushParentOf(full); // the rename itself is durable only once the folder is flushed
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"SafeTensors.Save: cannot write '{full}': {e.Message}", e);
        }
        finally
        {
            if (created) { try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
        }
    }

    private static byte[] BuildHeader(List<NamedTensor> list, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in list)
            {
                long bytes = (long)t.Numel * sizeof(float);
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in t._shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    /// <summary>Writes a state given as a dictionary (entries in the dictionary's enumeration order); see <see cref="Save(string, IEnumerable{NamedTensor}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    /// <exception cref="ArgumentException">Empty or reserved names.</exception>
    /// <exception cref="IOException">The file cannot be written; the message names the path.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => Save(path, tensors.Select(kv => new NamedTensor(kv.Key, kv.Value)), metadata);

    /// <summary>Opens a file for reading (memory-mapped; dispose the result).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed; the message names the file and the problem.</exception>
    public static SafeTensorsFile Load(string path) => new(path);

    /// <summary>Reads every tensor of a file into float32 tensors, by name.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed.</exception>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var f = Load(path);
        return f.ReadAll();
    }
}
