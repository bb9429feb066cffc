using System.Text.Json;
using MixFlow.Tensors;

namespace MixFlow.Tests.Models;

/// <summary>Minimal F32-only safetensors reader for the model fixtures (written by tests/torch/st_io.py).</summary>
internal static class ModelFixtureReader
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", file);

    public static Dictionary<string, Tensor> Read(string file)
    {
        var bytes = File.ReadAllBytes(PathOf(file));
        long n = BitConverter.ToInt64(bytes, 0);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var r = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__") continue;
            if (prop.Value.GetProperty("dtype").GetString() != "F32") throw new InvalidDataException($"{file}: {prop.Name} is not F32");
            var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offs = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            int count = (int)((offs[1] - offs[0]) / 4);
            var data = new float[count];
            Buffer.BlockCopy(bytes, (int)(8 + n + offs[0]), data, 0, count * 4);
            var t = Tensor.FromArray(data, shape);
            t.MoveToOuterScope();
            r[prop.Name] = t;
        }
        return r;
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        var x = a.ToArray(); var y = b.ToArray();
        double m = 0;
        for (int i = 0; i < x.Length; i++) m = Math.Max(m, Math.Abs((double)x[i] - y[i]));
        return m;
    }
}
