using MixFlow.Tensors;
using MixFlow.Tensors.IO;

namespace MixFlow.Tests.Models;

/// <summary>Reads the model fixtures (written by tests/torch/st_io.py) with the engine's safetensors reader.</summary>
internal static class ModelFixtureReader
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", file);

    public static Dictionary<string, Tensor> Read(string file) => ReadFrom("models", file);

    /// <summary>Reads <c>Fixtures/&lt;folder&gt;/&lt;file&gt;</c>, moving the tensors out of any open scope.</summary>
    public static Dictionary<string, Tensor> ReadFrom(string folder, string file)
    {
        var r = SafeTensors.ReadAll(Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, file));
        foreach (var t in r.Values) t.MoveToOuterScope();
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
