namespace MixFlow.Tensors.Tests;

/// <summary>The fused single-pass GELU (tanh) kernels against the closed form in double and finite differences.</summary>
public class GeluTanhFusedTests
{
    private const double C = 0.7978845608028654, A = 0.044715;

    private static double Ref(double x) => 0.5 * x * (1 + Math.Tanh(C * (x + A * x * x * x)));

    private static double RefGrad(double x)
    {
        double t = Math.Tanh(C * (x + A * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * A * x * x);
    }

    private static float[] Inputs(int n)
    {
        var gen = new Generator(3);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 4f * (float)gen.NextNormal();
        float[] special = [0f, -0f, 1e-6f, -1e-6f, 10f, -10f, 30f, -30f, 100f, -100f, 1e4f, -1e4f];
        special.CopyTo(v, 0);
        return v;
    }

    [Theory]
    [InlineData(37)]        // scalar tail only after a few vectors
    [InlineData(70_001)]    // the parallel path and an odd tail
    public void ForwardAndBackwardMatchTheClosedFormInDouble(int n)
    {
        var xv = Inputs(n);
        var x = Tensor.FromArray(xv, n).RequireGrad();
        var y = x.Gelu(approximateTanh: true);
        var gen = new Generator(5);
        var g = Tensor.RandN(gen, n);
        y.Backward(g);
        var yv = y.ToArray(); var gv = g.ToArray(); var dx = x.Grad!.ToArray();
        for (int i = 0; i < n; i++)
        {
            double r = Ref(xv[i]);
            Assert.True(Math.Abs(yv[i] - r) <= 1e-6 + 2e-6 * Math.Abs(r), $"forward at x = {xv[i]}: {yv[i]} vs {r}");
            double rg = gv[i] * RefGrad(xv[i]);
            Assert.True(Math.Abs(dx[i] - rg) <= 1e-6 + 2e-6 * Math.Abs(rg), $"backward at x = {xv[i]}: {dx[i]} vs {rg}");
            Assert.False(float.IsNaN(yv[i]) || float.IsNaN(dx[i]));
        }
    }

    [Fact]
    public void NanPropagates()
    {
        var y = Tensor.FromArray([float.NaN, 1f], 2).Gelu(true).ToArray();
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(Ref(1), y[1], 6);
    }

    [Fact]
    public void GradCheckOnAStridedInput()
    {
        var gen = new Generator(11);
        var x = Tensor.RandN(gen, 5, 7);
        GradCheck.Check(t => t[0].MT.Gelu(true), [x]);
    }

    [Fact]
    public void AdoptedGradientOfANonLeafStillAccumulatesTheOtherUses()
    {
        // y is a non-leaf used twice: gelu's fresh gradient buffer is taken over as y.Grad and the second use must
        // accumulate into it (and never into a buffer shared with another tensor).
        var gen = new Generator(13);
        var xv = Tensor.RandN(gen, 3, 4).ToArray();
        var x = Tensor.FromArray(xv, 3, 4).RequireGrad();
        var y = x * 2f;
        var z = y.Gelu(true) + y * 3f;
        z.Sum().Backward();
        var dx = x.Grad!.ToArray();
        for (int i = 0; i < xv.Length; i++)
        {
            double expect = 2 * (RefGrad(2.0 * xv[i]) + 3);
            Assert.True(Math.Abs(dx[i] - expect) <= 1e-5 + 1e-5 * Math.Abs(expect), $"element {i}: {dx[i]} vs {expect}");
        }
        GradCheck.Check(t => { var yy = t[0] * 2f; return yy.Gelu(true) + yy * 3f; }, [Tensor.RandN(gen, 3, 4)]);
    }
}
