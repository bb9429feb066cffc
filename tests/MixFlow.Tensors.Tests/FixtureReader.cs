using System.Buffers.Binary;
using System.Text.Json;

namespace MixFlow.Tensors.Tests;

/// <summary>
/// Test-only reader of the F32 safetensors fixtures written by <c>tests/torch/st_io.py</c> (8-byte little-endian
/// header length, JSON header, raw little-endian data). Only F32 is accepted; the engine's full reader lives elsewhere.
/// </summary>
internal static class FixtureReader
{
    public static Dictionary<string, Tensor> Load(params string[] relativePath)
    {
        var path = Path.Combine([AppContext.BaseDirectory, "Fixtures", .. relativePath]);
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtype = entry.Value.GetProperty("dtype").GetString();
            if (dtype != "F32") throw new InvalidDataException($"{path}: tensor {entry.Name} has dtype {dtype}; this test reader handles F32 only");
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offs = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = new float[(offs[1] - offs[0]) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + n + offs[0] + 4 * i), 4));
            var t = Tensor.FromArray(values, shape);
            t.MoveToOuterScope();
            result[entry.Name] = t;
        }
        return result;
    }
}
