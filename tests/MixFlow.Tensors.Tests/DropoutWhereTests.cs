namespace MixFlow.Tensors.Tests;

public class DropoutWhereTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    /// <summary>A 0/1 float mask with roughly half ones.</summary>
    static Tensor Mask(ulong seed, params int[] shape)
    {
        var m = Tensor.Rand(new Generator(seed), shape);
        var s = m.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = s[i] < 0.5f ? 1f : 0f;
        return m;
    }

    [Theory]
    [InlineData(0.1f)] [InlineData(0.3f)] [InlineData(0.75f)]
    public void DropoutPreservesMeanAndDropsFractionP(float p)
    {
        const int n = 200_000;
        var y = Tensor.Ones(n).Dropout(p, new Generator(42)).ToArray();
        float scale = 1f / (1f - p);
        int zeroCount = 0; double total = 0;
        foreach (var v in y)
        {
            if (v == 0f) zeroCount++;
            else if (v != scale) Assert.Fail($"value {v} is neither 0 nor {scale}");
            total += v;
        }
        double zeros = zeroCount / (double)n;
        // Binomial: sd of the dropped fraction is sqrt(p(1−p)/n) ≤ 0.0012; allow 5 sd.
        Assert.InRange(zeros, p - 0.006, p + 0.006);
        double mean = total / n;
        double sdMean = Math.Sqrt(p / (1 - p) / n);
        Assert.InRange(mean, 1 - 5 * sdMean, 1 + 5 * sdMean);
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndForZeroP()
    {
        var x = R(1, 3, 4);
        var gen = new Generator(5);
        var state = gen.GetState();
        Assert.Same(x, x.Dropout(0.5f, gen, training: false));
        Assert.Same(x, x.Dropout(0f, gen));
        Assert.Equal(state, gen.GetState()); // no random numbers drawn
    }

    [Fact]
    public void DropoutSameSeedSameMaskAndBackwardUsesIt()
    {
        var x = R(2, 4, 5, 6).RequireGrad();
        var a = x.Dropout(0.4f, new Generator(9));
        var b = x.Dropout(0.4f, new Generator(9));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), x.Dropout(0.4f, new Generator(10)).ToArray());
        a.Sum().Backward();
        // d(sum y)/dx = mask; recover the mask from y / x.
        var xs = x.ToArray(); var ys = a.ToArray(); var gs = x.Grad!.ToArray();
        for (int i = 0; i < xs.Length; i++) Assert.Equal(ys[i] / xs[i], gs[i], 1e-4);
        GradCheck.Check(t => t[0].Dropout(0.3f, new Generator(3)), [R(4, 3, 7)]);
    }

    [Fact]
    public void DropoutRejectsBadProbability()
    {
        var x = Tensor.Ones(3);
        foreach (var p in new[] { -0.1f, 1f, 1.5f, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Dropout(p, new Generator(1)));
            Assert.Contains("Dropout", e.Message);
        }
    }

    [Fact]
    public void WhereSelectsWithBroadcastAndRoutesGradients()
    {
        var c = Tensor.FromArray(new float[] { 1, 0, 2 }, 3, 1);    // nonzero = true
        var a = Tensor.FromArray(new float[] { 10, 20 }, 1, 2);
        var b = Tensor.FromArray(new float[] { -1, -2, -3, -4, -5, -6 }, 3, 2);
        Assert.Equal(new float[] { 10, 20, -3, -4, 10, 20 }, Tensor.Where(c, a, b).ToArray());
        var cond = Mask(1, 3, 1, 5);
        GradCheck.Check(t => Tensor.Where(cond, t[0], t[1]), [R(2, 4, 1), R(3, 3, 4, 5)]);
        GradCheck.Check(t => Tensor.Where(Mask(4, 5), t[0], t[1]), [R(5, 2, 5), R(6, 1)]);
        var ar = a.RequireGrad(); var br = b.RequireGrad(); var cr = c.RequireGrad();
        Tensor.Where(cr, ar, br).Sum().Backward();
        Assert.Equal(new float[] { 2, 2 }, ar.Grad!.ToArray());
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, br.Grad!.ToArray());
        Assert.Null(cr.Grad);
    }

    [Fact]
    public void MaskedFillWithBroadcastMask()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var m = Tensor.FromArray(new float[] { 0, 1, 0 }, 3);
        Assert.Equal(new float[] { 1, -9, 3, 4, -9, 6 }, x.MaskedFill(m, -9f).ToArray());
        var mask = Mask(7, 2, 1, 4);
        GradCheck.Check(t => t[0].MaskedFill(mask, float.NegativeInfinity).Exp(), [R(8, 2, 3, 4)]);
        GradCheck.Check(t => t[0].MaskedFill(Mask(9, 4, 5), 0.5f), [R(10, 5)]); // mask broadcasts x up
        var xr = x.RequireGrad();
        xr.MaskedFill(m, 0f).Sum().Backward();
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 1 }, xr.Grad!.ToArray());
    }

    [Fact]
    public void IncompatibleShapesThrowNamingAllThree()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Ones(2, 3), Tensor.Ones(4), Tensor.Ones(1)));
        Assert.Contains("Where", e.Message); Assert.Contains("[2, 3]", e.Message); Assert.Contains("[4]", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).MaskedFill(Tensor.Ones(2), 0f));
        Assert.Contains("MaskedFill", e2.Message); Assert.Contains("[2]", e2.Message);
    }
}
