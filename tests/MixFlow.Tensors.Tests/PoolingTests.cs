namespace MixFlow.Tensors.Tests;

public class PoolingTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    /// <summary>Distinct values 0.1·k in a random order, so that ±h in finite differences never changes an argmax.</summary>
    static Tensor Distinct(ulong seed, params int[] shape)
    {
        int n = TensorShape.Numel(shape);
        return Tensor.FromArray(new Generator(seed).Permutation(n).Select(v => v * 0.1f).ToArray(), shape);
    }

    /// <summary>Naive pooling in double: reduce each kernel×kernel window with <paramref name="max"/> or the mean.</summary>
    static double[] NaivePool(float[] x, int[] s, int k, int stride, bool max)
    {
        int ho = (s[2] - k) / stride + 1, wo = (s[3] - k) / stride + 1, planes = s[0] * s[1];
        var y = new double[planes * ho * wo];
        for (int p = 0; p < planes; p++) for (int a = 0; a < ho; a++) for (int b = 0; b < wo; b++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++)
            {
                double v = x[(p * s[2] + a * stride + i) * s[3] + b * stride + j];
                acc = max ? Math.Max(acc, v) : acc + v;
            }
            y[(p * ho + a) * wo + b] = max ? acc : acc / (k * k);
        }
        return y;
    }

    [Theory]
    [InlineData(1, 1, 5, 7, 3, 1)]
    [InlineData(2, 3, 7, 5, 2, 2)]
    [InlineData(3, 2, 9, 9, 3, 2)]
    [InlineData(1, 2, 4, 6, 1, 1)]
    [InlineData(2, 1, 6, 5, 2, 3)]
    public void ForwardMatchesNaiveAndBackwardPassesGradCheck(int n, int c, int h, int w, int k, int stride)
    {
        var x = R(1, n, c, h, w);
        var avg = x.AvgPool2d(k, stride);
        var ho = (h - k) / stride + 1; var wo = (w - k) / stride + 1;
        Assert.Equal(new[] { n, c, ho, wo }, avg.Shape);
        var ea = NaivePool(x.ToArray(), x.Shape, k, stride, max: false);
        var em = NaivePool(x.ToArray(), x.Shape, k, stride, max: true);
        var aa = avg.ToArray(); var am = x.MaxPool2d(k, stride).ToArray();
        for (int i = 0; i < ea.Length; i++) { Assert.Equal(ea[i], aa[i], 1e-5); Assert.Equal(em[i], am[i], 1e-6); }
        GradCheck.Check(t => t[0].AvgPool2d(k, stride), [R(2, n, c, h, w)]);
        GradCheck.Check(t => t[0].MaxPool2d(k, stride), [Distinct(3, n, c, h, w)]);
    }

    [Fact]
    public void MaxPoolGradientGoesToFirstMaximumOnTies()
    {
        // Window [[1, 3], [3, 2]]: the first 3 in row-major order gets the gradient; overlapping windows (stride 1) add up.
        var x = Tensor.FromArray(new float[] { 1, 3, 0, 3, 2, 0 }, 1, 1, 2, 3).RequireGrad();
        var y = x.MaxPool2d(2, 1);
        Assert.Equal(new float[] { 3, 3 }, y.ToArray());
        y.Backward(Tensor.FromArray(new float[] { 10, 100 }, 1, 1, 1, 2));
        Assert.Equal(new float[] { 0, 110, 0, 0, 0, 0 }, x.Grad!.ToArray());
    }

    [Fact]
    public void BackwardAccumulatesAndWorksOnViews()
    {
        var x = R(4, 2, 3, 6, 6).RequireGrad();
        x.AvgPool2d(2, 2).Sum().Backward();
        x.AvgPool2d(2, 2).Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0.5f, v, 1e-6));
        GradCheck.Check(t => t[0].Permute(0, 1, 3, 2).AvgPool2d(3, 2), [R(5, 1, 2, 7, 5)]);
    }

    [Fact]
    public void GlobalAvgPoolIsPlaneMean()
    {
        var x = R(6, 2, 3, 5, 4);
        var y = x.GlobalAvgPool2d();
        Assert.Equal(new[] { 2, 3 }, y.Shape);
        var xs = x.ToArray(); var ys = y.ToArray();
        for (int p = 0; p < 6; p++) Assert.Equal(xs.Skip(p * 20).Take(20).Select(v => (double)v).Average(), ys[p], 1e-5);
        GradCheck.Check(t => t[0].GlobalAvgPool2d(), [R(7, 2, 3, 3, 5)]);
    }

    [Fact]
    public void BadArgumentsThrowNamingOpAndShape()
    {
        var x = Tensor.Zeros(1, 2, 4, 5);
        var e1 = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 4, 5).MaxPool2d(2, 2));
        Assert.Contains("MaxPool2d", e1.Message); Assert.Contains("[2, 4, 5]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => x.AvgPool2d(5, 1));
        Assert.Contains("AvgPool2d", e2.Message); Assert.Contains("larger", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => x.AvgPool2d(2, 0));
        Assert.Contains("stride", e3.Message);
        Assert.Throws<ArgumentException>(() => x.MaxPool2d(0, 1));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).GlobalAvgPool2d());
    }
}
