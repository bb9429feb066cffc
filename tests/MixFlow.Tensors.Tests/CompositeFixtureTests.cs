namespace MixFlow.Tensors.Tests;

/// <summary>
/// Whole graphs built from the functional ops against PyTorch (float64 references from
/// <c>tests/torch/make_composite_fixtures.py</c>): outputs, loss and the gradient of every weight and of the input.
/// </summary>
public class CompositeFixtureTests
{
    /// <summary>Allowed |ours − torch| as AbsTol + RelTol·|torch| (float32 engine against float64 references).</summary>
    private const double AbsTol = 1e-4;
    private const double RelTol = 1e-4;

    static void AssertClose(string name, Tensor want, Tensor got)
    {
        Assert.True(want.Shape.SequenceEqual(got.Shape), $"{name}: shape {TensorShape.Format(got.Shape)}, expected {TensorShape.Format(want.Shape)}");
        var a = want.ToArray(); var b = got.ToArray();
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= AbsTol + RelTol * Math.Abs(a[i]), $"{name} element {i}: {b[i]:G7}, torch {a[i]:G7}");
    }

    static void AssertGradients(Dictionary<string, Tensor> f, IEnumerable<string> leaves)
    {
        foreach (var name in leaves) AssertClose("grad." + name, f["grad." + name], f[name].Grad ?? throw new Xunit.Sdk.XunitException($"{name} got no gradient"));
    }

    [Fact]
    public void MlpWithMseMatchesTorch()
    {
        var f = FixtureReader.Load("composite", "mlp.safetensors");
        string[] leaves = ["x", "w1", "b1", "w2", "b2", "w3", "b3"];
        foreach (var n in leaves) f[n].RequiresGrad = true;
        var h = Tensor.Linear(f["x"], f["w1"], f["b1"]).Silu();
        h = Tensor.Linear(h, f["w2"], f["b2"]).Gelu(approximateTanh: true);
        var output = Tensor.Linear(h, f["w3"], f["b3"]);
        var loss = Tensor.MseLoss(output, f["target"]);
        loss.Backward();
        AssertClose("out", f["out"], output);
        AssertClose("loss", f["loss"], loss);
        AssertGradients(f, leaves);
    }

    [Fact]
    public void TransformerBlockWithCrossEntropyHeadMatchesTorch()
    {
        var f = FixtureReader.Load("composite", "transformer.safetensors");
        string[] leaves = ["x", "ln1.weight", "ln1.bias", "qkv.weight", "qkv.bias", "proj.weight", "proj.bias",
            "ln2.weight", "ln2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "head.weight", "head.bias"];
        foreach (var n in leaves) f[n].RequiresGrad = true;
        var xs = f["x"].Shape;
        int b = xs[0], t = xs[1], c = xs[2], heads = 4, hd = c / heads;
        var labels = f["labels"].ToArray().Select(v => (int)v).ToArray();

        var x = f["x"];
        var h = Tensor.LayerNorm(x, f["ln1.weight"], f["ln1.bias"], 1e-5f);
        var qkv = Tensor.Linear(h, f["qkv.weight"], f["qkv.bias"]).Reshape(b, t, 3, heads, hd).Permute(2, 0, 3, 1, 4);
        var qkvParts = qkv.Chunk(3, 0);
        var att = Tensor.ScaledDotProductAttention(qkvParts[0].Squeeze(0), qkvParts[1].Squeeze(0), qkvParts[2].Squeeze(0), f["mask"]);
        x = x + Tensor.Linear(att.Transpose(1, 2).Reshape(b, t, c), f["proj.weight"], f["proj.bias"]);
        h = Tensor.LayerNorm(x, f["ln2.weight"], f["ln2.bias"], 1e-5f);
        x = x + Tensor.Linear(Tensor.Linear(h, f["fc1.weight"], f["fc1.bias"]).Gelu(), f["fc2.weight"], f["fc2.bias"]);
        var logits = Tensor.Linear(x, f["head.weight"], f["head.bias"]).Reshape(b * t, -1);
        var loss = Tensor.CrossEntropy(logits, labels);
        loss.Backward();

        AssertClose("out", f["out"], x);
        AssertClose("loss", f["loss"], loss);
        AssertGradients(f, leaves);
    }
}
