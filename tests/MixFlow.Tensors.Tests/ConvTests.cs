namespace MixFlow.Tensors.Tests;

public class ConvTests
{
    static Tensor R(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape);

    /// <summary>Direct convolution in double: y[n,o,oh,ow] = b[o] + Σ_{c,i,j} w[o,c,i,j]·x[n,c,oh·sh−ph+i, ow·sw−pw+j].</summary>
    static double[] NaiveConv(float[] x, int[] xs, float[] w, int[] ws, float[]? b, int sh, int sw, int ph, int pw, out int ho, out int wo)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        ho = (h + 2 * ph - kh) / sh + 1; wo = (wd + 2 * pw - kw) / sw + 1;
        var y = new double[n * o * ho * wo];
        for (int a = 0; a < n; a++) for (int oc = 0; oc < o; oc++) for (int p = 0; p < ho; p++) for (int q = 0; q < wo; q++)
        {
            double acc = b?[oc] ?? 0;
            for (int ci = 0; ci < c; ci++) for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++)
            {
                int ih = p * sh - ph + i, iw = q * sw - pw + j;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                acc += (double)w[((oc * c + ci) * kh + i) * kw + j] * x[((a * c + ci) * h + ih) * wd + iw];
            }
            y[((a * o + oc) * ho + p) * wo + q] = acc;
        }
        return y;
    }

    /// <summary>Adjoint of the direct convolution in double: dX and dW for an output gradient g.</summary>
    static (double[] dx, double[] dw) NaiveConvBackward(float[] x, int[] xs, float[] w, int[] ws, float[] g, int sh, int sw, int ph, int pw)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int ho = (h + 2 * ph - kh) / sh + 1, wo = (wd + 2 * pw - kw) / sw + 1;
        var dx = new double[x.Length]; var dw = new double[w.Length];
        for (int a = 0; a < n; a++) for (int oc = 0; oc < o; oc++) for (int p = 0; p < ho; p++) for (int q = 0; q < wo; q++)
        {
            double gv = g[((a * o + oc) * ho + p) * wo + q];
            for (int ci = 0; ci < c; ci++) for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++)
            {
                int ih = p * sh - ph + i, iw = q * sw - pw + j;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                int xi = ((a * c + ci) * h + ih) * wd + iw, wi = ((oc * c + ci) * kh + i) * kw + j;
                dx[xi] += gv * w[wi]; dw[wi] += gv * x[xi];
            }
        }
        return (dx, dw);
    }

    static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7}");
    }

    static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        AssertClose(expected.ToArray().Select(v => (double)v).ToArray(), actual.ToArray(), tol, what);
    }

    // (N, C, H, W, O, kh, kw, sh, sw, ph, pw): odd sizes, strides 1 and 2, padding 0/1/2, kernels 1 and 3, N = 1, C = 1.
    public static IEnumerable<object[]> Shapes => new int[][]
    {
        [1, 1, 5, 7, 1, 3, 3, 1, 1, 1, 1],
        [2, 3, 7, 5, 4, 3, 3, 2, 2, 1, 1],
        [3, 2, 6, 9, 3, 1, 1, 1, 1, 0, 0],
        [1, 3, 5, 5, 2, 1, 1, 2, 2, 1, 1],
        [2, 2, 9, 7, 3, 3, 2, 2, 1, 0, 2],
        [5, 1, 4, 4, 2, 3, 3, 1, 1, 0, 0],
        [9, 2, 5, 5, 2, 3, 3, 2, 2, 2, 1],   // more images than parallel groups
    }.Select(r => r.Cast<object>().ToArray());

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndBackwardMatchDirectLoopInDouble(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var x = R(1, n, c, h, w); var wt = R(2, o, c, kh, kw); var b = R(3, o);
        x.RequiresGrad = true; wt.RequiresGrad = true; b.RequiresGrad = true;
        var y = Tensor.Conv2d(x, wt, b, sh, sw, ph, pw);
        var expected = NaiveConv(x.ToArray(), x.Shape, wt.ToArray(), wt.Shape, b.ToArray(), sh, sw, ph, pw, out int ho, out int wo);
        Assert.Equal(new[] { n, o, ho, wo }, y.Shape);
        AssertClose(expected, y.ToArray(), 1e-5, "y");
        var g = R(4, y.Shape);
        y.Backward(g);
        var (dx, dw) = NaiveConvBackward(x.ToArray(), x.Shape, wt.ToArray(), wt.Shape, g.ToArray(), sh, sw, ph, pw);
        AssertClose(dx, x.Grad!.ToArray(), 1e-5, "dx");
        AssertClose(dw, wt.Grad!.ToArray(), 1e-5, "dw");
        var gs = g.ToArray();
        var db = new double[o];
        for (int i = 0; i < gs.Length; i++) db[i / (ho * wo) % o] += gs[i];
        AssertClose(db, b.Grad!.ToArray(), 1e-5, "db");
    }

    [Fact]
    public void LargerConvolutionMatchesDirectLoop()
    {
        var x = R(11, 2, 16, 30, 30); var wt = R(12, 32, 16, 3, 3);
        x.RequiresGrad = true; wt.RequiresGrad = true;
        var y = Tensor.Conv2d(x, wt, null, 1, 1);
        var expected = NaiveConv(x.ToArray(), x.Shape, wt.ToArray(), wt.Shape, null, 1, 1, 1, 1, out _, out _);
        AssertClose(expected, y.ToArray(), 1e-4, "y");
        var g = R(13, y.Shape);
        y.Backward(g);
        var (dx, dw) = NaiveConvBackward(x.ToArray(), x.Shape, wt.ToArray(), wt.Shape, g.ToArray(), 1, 1, 1, 1);
        AssertClose(dx, x.Grad!.ToArray(), 1e-4, "dx");
        AssertClose(dw, wt.Grad!.ToArray(), 1e-4, "dw");
    }

    [Theory]
    [InlineData(4, 16, 91, 2)]    // K·L = 144·8281: im2col/col2im split over the cores
    [InlineData(3, 5, 20, 3)]     // small: one thread per image
    public void BatchEqualsPerImageCalls(int n, int c, int hw, int o)
    {
        // Single-image calls are checked against the direct loop above; a batch must give the same per-image results
        // and the sum of the per-image weight gradients.
        var x = R(14, n, c, hw, hw).RequireGrad(); var wt = R(15, o, c, 3, 3).RequireGrad(); var b = R(16, o);
        var g = R(17, n, o, hw, hw);
        var y = Tensor.Conv2d(x, wt, b, 1, 1);
        y.Backward(g);
        var yb = y.ToArray(); var dxb = x.Grad!.ToArray(); var dwb = wt.Grad!.ToArray();
        var x1 = x.Detach(); wt.Grad = null;
        var y1 = new List<float>(); var dx1 = new List<float>();
        for (int i = 0; i < n; i++)
        {
            var xi = x1.Slice(0, i, i + 1).Contiguous().RequireGrad();
            var yi = Tensor.Conv2d(xi, wt, b, 1, 1);
            yi.Backward(g.Slice(0, i, i + 1).Contiguous());
            y1.AddRange(yi.ToArray()); dx1.AddRange(xi.Grad!.ToArray());
        }
        AssertClose(y1.Select(v => (double)v).ToArray(), yb, 1e-5, "y");
        AssertClose(dx1.Select(v => (double)v).ToArray(), dxb, 1e-5, "dx");
        AssertClose(wt.Grad!.ToArray().Select(v => (double)v).ToArray(), dwb, 1e-4, "dw");
    }

    [Theory]
    [InlineData(16, 30, 30, 3, 3, 1, 1, 1, 1)]
    [InlineData(40, 33, 31, 3, 2, 2, 3, 2, 0)]
    public void Im2ColParallelEqualsSerialAndCol2ImIsItsAdjoint(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new Kernels.ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
        var x = R(31, c * h * w).ToArray(); var cmat = R(32, g.K * g.L).ToArray();
        var serial = new float[g.K * g.L]; var parallel = new float[g.K * g.L];
        Kernels.Im2Col.Forward(g, x, 0, serial, 0, parallel: false);
        Kernels.Im2Col.Forward(g, x, 0, parallel, 0, parallel: true);
        Assert.Equal(serial, parallel);
        var back1 = new float[x.Length]; var back2 = new float[x.Length];
        Kernels.Im2Col.Backward(g, cmat, 0, back1, 0, parallel: false);
        Kernels.Im2Col.Backward(g, cmat, 0, back2, 0, parallel: true);
        Assert.Equal(back1, back2);
        // <im2col(x), C> = <x, col2im(C)>
        double lhs = 0, rhs = 0;
        for (int i = 0; i < serial.Length; i++) lhs += (double)serial[i] * cmat[i];
        for (int i = 0; i < x.Length; i++) rhs += (double)x[i] * back1[i];
        Assert.Equal(lhs, rhs, 1e-6 * (1 + Math.Abs(lhs)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradCheckAllInputs(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        if (n > 3) n = 3; // finite differences cost two forward passes per input element
        GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], sh, sw, ph, pw), [R(5, n, c, h, w), R(6, o, c, kh, kw), R(7, o)]);
    }

    [Fact]
    public void GradCheckSquareOverloadWithoutBiasAndNonContiguousInput()
    {
        // x is a transposed view: the op must make it contiguous and route the gradient back through the view.
        GradCheck.Check(t => Tensor.Conv2d(t[0].Transpose(2, 3), t[1], null, stride: 2, padding: 1), [R(8, 2, 3, 6, 5), R(9, 4, 3, 3, 3)]);
    }

    [Fact]
    public void BackwardAccumulatesIntoExistingGradients()
    {
        var x = R(1, 2, 2, 5, 5).RequireGrad(); var w = R(2, 3, 2, 3, 3).RequireGrad(); var b = R(3, 3).RequireGrad();
        Tensor.Conv2d(x, w, b, 1, 1).Sum().Backward();
        var gx = x.Grad!.ToArray(); var gw = w.Grad!.ToArray(); var gb = b.Grad!.ToArray();
        Tensor.Conv2d(x, w, b, 1, 1).Sum().Backward();
        AssertClose(gx.Select(v => 2.0 * v).ToArray(), x.Grad!.ToArray(), 1e-6, "dx");
        AssertClose(gw.Select(v => 2.0 * v).ToArray(), w.Grad!.ToArray(), 1e-6, "dw");
        AssertClose(gb.Select(v => 2.0 * v).ToArray(), b.Grad!.ToArray(), 1e-6, "db");
    }

    [Fact]
    public void BatchGradientEqualsSumOfPerImageGradients()
    {
        // dW of a batch accumulates image after image; per-image calls accumulate across calls.
        var x = R(21, 6, 3, 7, 7); var w = R(22, 4, 3, 3, 3).RequireGrad();
        Tensor.Conv2d(x, w, null, 2, 1).Square().Sum().Backward();
        var batch = w.Grad!.ToArray();
        w.Grad = null;
        for (int i = 0; i < 6; i++) Tensor.Conv2d(x.Slice(0, i, i + 1), w, null, 2, 1).Square().Sum().Backward();
        AssertClose(batch.Select(v => (double)v).ToArray(), w.Grad!.ToArray(), 1e-5, "dw");
    }

    [Fact]
    public void ZeroInputChannelsGiveTheBias()
    {
        var b = Tensor.FromArray(new float[] { 1, -2, 3 }, 3).RequireGrad();
        var y = Tensor.Conv2d(Tensor.Zeros(2, 0, 4, 4), Tensor.Zeros(3, 0, 3, 3), b, 1, 1);
        Assert.Equal(new[] { 2, 3, 4, 4 }, y.Shape);
        var ys = y.ToArray();
        for (int i = 0; i < ys.Length; i++) Assert.Equal(b.ToArray()[i / 16 % 3], ys[i]);
        y.Sum().Backward();
        Assert.Equal(new float[] { 32, 32, 32 }, b.Grad!.ToArray());
    }

    [Fact]
    public void BadShapesThrowNamingOpAndShapes()
    {
        var x = Tensor.Zeros(1, 3, 5, 5);
        var e1 = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(3, 5, 5), Tensor.Zeros(2, 3, 3, 3), null));
        Assert.Contains("Conv2d", e1.Message); Assert.Contains("[3, 5, 5]", e1.Message); Assert.Contains("rank 4", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(2, 4, 3, 3), null));
        Assert.Contains("[2, 4, 3, 3]", e2.Message); Assert.Contains("channels", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 7, 3), null));
        Assert.Contains("larger than the padded input", e3.Message);
        Assert.Null(Record.Exception(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 7, 3), null, 1, 1)));
        var e4 = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), null, stride: 0));
        Assert.Contains("stride", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), Tensor.Zeros(3)));
        Assert.Contains("bias [3]", e5.Message); Assert.Contains("[2]", e5.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(2, 3, 3, 3), null, 1, 1, -1, 0));
    }

    static Dictionary<string, Tensor> Fixture() =>
        FixtureReader.Load("convnet", "convnet.safetensors");

    [Fact]
    public void SmallConvNetMatchesPyTorch()
    {
        var f = Fixture();
        string[] leaves = ["x", "w1", "b1", "w2", "b2", "wl", "bl"];
        foreach (var k in leaves) f["net." + k].RequiresGrad = true;
        var h = Tensor.Conv2d(f["net.x"], f["net.w1"], f["net.b1"], stride: 1, padding: 1).Silu();
        h = h.MaskedFill(f["net.mask"], 0.25f);
        h = Tensor.Conv2d(h, f["net.w2"], f["net.b2"], stride: 2, padding: 1);
        h = h.AvgPool2d(2, 2).MaxPool2d(2, 1).GlobalAvgPool2d();
        var y = Tensor.Linear(h, f["net.wl"], f["net.bl"]);
        var loss = (y - f["net.target"]).Square().Mean();
        AssertClose(f["net.y"], y, 1e-5, "y");
        Assert.Equal(f["net.loss"].ToArray()[0], loss.Item(), 1e-5);
        loss.Backward();
        foreach (var k in leaves) AssertClose(f["net.grad." + k], f["net." + k].Grad!, 1e-5, "grad " + k);
    }

    [Fact]
    public void RectangularStrideAndPaddingMatchPyTorch()
    {
        var f = Fixture();
        foreach (var k in new[] { "x", "w", "b" }) f["rect." + k].RequiresGrad = true;
        var y = Tensor.Conv2d(f["rect.x"], f["rect.w"], f["rect.b"], strideH: 2, strideW: 1, padH: 0, padW: 2);
        AssertClose(f["rect.y"], y, 1e-5, "y");
        (y * f["rect.r"]).Sum().Backward();
        foreach (var k in new[] { "x", "w", "b" }) AssertClose(f["rect.grad." + k], f["rect." + k].Grad!, 1e-5, "grad " + k);
    }
}
