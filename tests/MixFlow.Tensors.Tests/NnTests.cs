using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Tests;

public class NnTests
{
    static string[] Names(Module m) => m.StateDict().Select(s => s.Name).ToArray();

    [Fact]
    public void StateDictNamesMatchPyTorch()
    {
        var g = new Generator(1);
        Assert.Equal(new[] { "weight", "bias" }, Names(new Linear(3, 4, g)));
        Assert.Equal(new[] { "weight" }, Names(new Linear(3, 4, g, bias: false)));
        Assert.Equal(new[] { "weight", "bias" }, Names(new LayerNorm(5)));
        Assert.Empty(Names(new LayerNorm(5, 1e-6f, affine: false)));
        Assert.Equal(new[] { "weight" }, Names(new Embedding(7, 3, g)));
        Assert.Equal(new[] { "weight", "bias" }, Names(new Conv2d(2, 3, 3, g)));
        // nn.Sequential(Linear, SiLU, Linear, GELU, Linear): activations take indices 1 and 3.
        var seq = new Sequential(new Linear(2, 4, g), new SiLU(), new Linear(4, 4, g), new GELU(true), new Linear(4, 1, g));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias" }, Names(seq));
        var list = new ModuleList<Linear>([new Linear(1, 1, g), new Linear(1, 1, g, bias: false)]);
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight" }, Names(list));
    }

    [Fact]
    public void ShapesOfParameters()
    {
        var g = new Generator(1);
        Assert.Equal(new[] { 4, 3 }, new Linear(3, 4, g).Weight.Shape);
        Assert.Equal(new[] { 4 }, new Linear(3, 4, g).Bias!.Shape);
        Assert.Equal(new[] { 6, 2, 3, 3 }, new Conv2d(2, 6, 3, g).Weight.Shape);
        Assert.Equal(new[] { 7, 3 }, new Embedding(7, 3, g).Weight.Shape);
    }

    [Fact]
    public void LinearForwardIsAffineMapInDouble()
    {
        var g = new Generator(2);
        var lin = new Linear(3, 2, g);
        var x = Tensor.RandN(new Generator(3), 4, 3);
        var y = lin.Forward(x).ToArray();
        var w = lin.Weight.ToArray(); var b = lin.Bias!.ToArray(); var xv = x.ToArray();
        for (int i = 0; i < 4; i++)
            for (int o = 0; o < 2; o++)
            {
                double s = b[o];
                for (int k = 0; k < 3; k++) s += (double)xv[i * 3 + k] * w[o * 3 + k];
                Assert.Equal(s, y[i * 2 + o], 5);
            }
    }

    [Fact]
    public void DefaultInitBoundsAreKaimingUniformWithASqrt5()
    {
        var lin = new Linear(100, 400, new Generator(4));
        var w = lin.Weight.ToArray();
        float bound = 1f / MathF.Sqrt(100);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.95f * bound && w.Min() < -0.95f * bound);
        // Uniform(−b, b) has variance b²/3.
        double var = w.Select(v => (double)v * v).Average();
        Assert.InRange(var, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3);
        Assert.All(lin.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        var conv = new Conv2d(4, 8, 3, new Generator(5));
        float cb = 1f / MathF.Sqrt(4 * 9);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -cb, cb));
    }

    [Fact]
    public void InitHelpers()
    {
        var t = Tensor.Empty(200, 300);
        Init.XavierUniform(t, new Generator(6));
        float b = MathF.Sqrt(6f / 500);
        var v = t.ToArray();
        Assert.All(v, x => Assert.InRange(x, -b, b));
        Assert.True(v.Max() > 0.95f * b);
        var c = Tensor.Empty(8, 2, 3, 3);
        Assert.Equal(new FanInOut(18, 72), Init.Fans(c));
        Init.Normal(t, 0.02f, new Generator(7));
        double std = Math.Sqrt(t.ToArray().Select(x => (double)x * x).Average());
        Assert.InRange(std, 0.0195, 0.0205);
        Init.Zeros(t);
        Assert.All(t.ToArray(), x => Assert.Equal(0f, x));
        Assert.Throws<ArgumentException>(() => Init.Fans(Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => Init.Normal(t, -1f, new Generator(1)));
    }

    [Fact]
    public void SequentialAppliesLayersInOrderAndActivationsMatchOps()
    {
        var g = new Generator(8);
        var l1 = new Linear(3, 5, g); var l2 = new Linear(5, 2, g);
        var seq = new Sequential(l1, new ReLU(), l2);
        var x = Tensor.RandN(new Generator(9), 4, 3);
        Assert.Equal(l2.Forward(l1.Forward(x).Relu()).ToArray(), seq.Forward(x).ToArray());
        Assert.Equal(x.Silu().ToArray(), new SiLU().Forward(x).ToArray());
        Assert.Equal(x.Gelu(true).ToArray(), new GELU(true).Forward(x).ToArray());
        Assert.Same(l2, seq[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => seq[3]);
    }

    [Fact]
    public void LinearGradientsMatchFiniteDifferences()
    {
        var lin = new Linear(3, 2, new Generator(10));
        var x = Tensor.RandN(new Generator(11), 4, 3);
        GradCheck.Check(a => Tensor.Linear(a[0], a[1], a[2]).Square().Sum(), [x, lin.Weight.Detach(), lin.Bias!.Detach()]);
    }

    [Fact]
    public void LoadStateDictRoundTrip()
    {
        var a = new Sequential(new Linear(2, 3, new Generator(1)), new SiLU(), new Linear(3, 1, new Generator(2)));
        var b = new Sequential(new Linear(2, 3, new Generator(3)), new SiLU(), new Linear(3, 1, new Generator(4)));
        b.LoadStateDict(a.StateDict().ToDictionary(s => s.Name, s => s.Tensor));
        var x = Tensor.RandN(new Generator(5), 2, 2);
        Assert.Equal(a.Forward(x).ToArray(), b.Forward(x).ToArray());
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var g = new Generator(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 3, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(4, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, 2, g).Forward([0, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f, g));
        var e = Assert.Throws<ArgumentException>(() => new LayerNorm(4).Forward(Tensor.Zeros(2, 5)));
        Assert.Contains("[2, 5]", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, g).Forward(Tensor.Zeros(1, 2, 8, 8)));
        Assert.Contains("[1, 2, 8, 8]", e2.Message);
    }

    [Fact]
    public void DropoutIsIdentityInEvalMode()
    {
        var d = new Dropout(0.5f, new Generator(1));
        d.Eval();
        var x = Tensor.RandN(new Generator(2), 10);
        Assert.Same(x, d.Forward(x));
    }
}
