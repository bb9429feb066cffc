using MixFlow.Tensors.IO;

namespace MixFlow.Tensors.Tests;

/// <summary>
/// Reads the fixture tensors written by the PyTorch scripts in <c>tests/torch/</c> (through <c>st_io.py</c>) with
/// the engine's own safetensors reader; the tensors are moved out of any open <see cref="TensorScope"/>.
/// </summary>
internal static class FixtureReader
{
    /// <summary>Loads <c>Fixtures/&lt;relativePath…&gt;</c> from the test output directory.</summary>
    public static Dictionary<string, Tensor> Load(params string[] relativePath)
    {
        var r = SafeTensors.ReadAll(Path.Combine([AppContext.BaseDirectory, "Fixtures", .. relativePath]));
        foreach (var t in r.Values) t.MoveToOuterScope();
        return r;
    }
}
