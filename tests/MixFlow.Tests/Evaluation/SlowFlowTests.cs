using MixFlow.Evaluation;
using MixFlow.Imaging;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Evaluation;

public class SlowFlowTests
{
    /// <summary>States α_s(t)·x1 + σ_s(t)·x0 at times s(t) on a grid t.</summary>
    private static List<TrajectoryPoint> Synthetic(IInterpolationPath path, Tensor x0, Tensor x1, double[] t, Func<double, double> s)
    {
        var list = new List<TrajectoryPoint>();
        foreach (double ti in t)
        {
            double si = s(ti);
            var x = x1 * (float)path.Alpha(si) + x0 * (float)path.Sigma(si);
            list.Add(new TrajectoryPoint(ti, x));
        }
        return list;
    }

    public static TheoryData<PathKind> Paths => new() { PathKind.Linear, PathKind.Gvp, PathKind.Vp };

    [Theory]
    [MemberData(nameof(Paths))]
    public void RecoversTheTimeOfExactInterpolations(PathKind kind)
    {
        var path = InterpolationPaths.Create(kind);
        using var scope = new TensorScope();
        var g = new Generator(1);
        var x0 = Tensor.RandN(g, 6, 3, 10);
        var x1 = Tensor.RandN(g, 6, 3, 10) * 0.5f + 0.3f;
        var t = Enumerable.Range(0, 11).Select(i => i / 10.0 * (kind == PathKind.Vp ? 0.999 : 1.0)).ToArray();
        var est = SlowFlowDiagnostic.EstimateTimes(path, Synthetic(path, x0, x1, t, s => s), x0, x1);
        for (int i = 0; i < t.Length; i++)
            for (int b = 0; b < 6; b++)
            {
                Assert.Equal(t[i], est.LeastSquares[i][b], 2e-4);
                Assert.Equal(t[i], est.NoiseShare[i][b], 2e-4);
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RecoversAKnownSlowedTime(PathKind kind)
    {
        var path = InterpolationPaths.Create(kind);
        using var scope = new TensorScope();
        var g = new Generator(2);
        var x0 = Tensor.RandN(g, 5, 40);
        var x1 = Tensor.RandN(g, 5, 40) * 0.8f;
        var t = Enumerable.Range(0, 9).Select(i => i / 8.0 * 0.99).ToArray();
        Func<double, double> slowed = u => 0.8 * u * u + 0.1 * u;   // m_t ≠ t
        var est = SlowFlowDiagnostic.EstimateTimes(path, Synthetic(path, x0, x1, t, slowed), x0, x1);
        for (int i = 0; i < t.Length; i++)
            for (int b = 0; b < 5; b++)
            {
                Assert.Equal(slowed(t[i]), est.LeastSquares[i][b], 2e-4);
                Assert.Equal(slowed(t[i]), est.NoiseShare[i][b], 2e-4);
            }
    }

    [Fact]
    public void ClosedFormAndSearchAgreeOnTheLinearPath()
    {
        var path = new LinearPath();
        var g = new Generator(3);
        for (int r = 0; r < 50; r++)
        {
            var xt = new float[20]; var x1 = new float[20]; var x0 = new float[20];
            g.FillNormal(xt); g.FillNormal(x1); g.FillNormal(x0);
            var ip = TrajectoryInnerProducts.Of(xt, x1, x0);
            Assert.Equal(SlowFlowEstimators.LeastSquares(path, ip), SlowFlowEstimators.LeastSquaresSearch(path, ip), 1e-6);
        }
    }

    [Fact]
    public void InvertSigmaInvertsEveryPath()
    {
        foreach (var kind in Enum.GetValues<PathKind>())
        {
            var path = InterpolationPaths.Create(kind);
            foreach (double s in new[] { 0.05, 0.3, 0.5, 0.77, 0.95 })
                Assert.Equal(s, SlowFlowEstimators.InvertSigma(path, path.Sigma(s)), 1e-9);
            Assert.Equal(0.0, SlowFlowEstimators.InvertSigma(path, 2.0));
            Assert.Equal(1.0, SlowFlowEstimators.InvertSigma(path, -0.5));
            Assert.True(double.IsNaN(SlowFlowEstimators.InvertSigma(path, double.NaN)));
        }
    }

    [Fact]
    public void ExactGaussianFlowHasNoSlowdown()
    {
        // Data N(μ, s²I): the exact flow is x_t = tμ + √(t²s² + (1 − t)²)·x0 = t·x̂1 + (√(t²s² + (1 − t)²) − ts)·x0,
        // so the x0 share is exactly c_t = √(t²s² + (1 − t)²) − ts, and m_t = 1 − c_t ≈ t for small s.
        int d = 64;
        var g = new Generator(4);
        var mu = new double[d];
        for (int j = 0; j < d; j++) mu[j] = g.NextNormal();
        double s = 0.05;
        var transport = new FlowTransport();
        var model = new GaussianVelocityOracle(transport.Path, mu, s);
        var diag = new SlowFlowDiagnostic(transport, new SlowFlowOptions { Steps = 200, Samples = 48, BatchSize = 20, Seed = 5 });
        var report = diag.Run(model, [d], "exact");
        var ns = report.NoiseShare;
        var ls = report.LeastSquares;
        Assert.Equal(201, ns.T.Length);
        Assert.Equal(48, ns.Samples);
        Assert.Equal(SlowFlowEstimator.LeastSquares, ls.Estimator);
        for (int i = 0; i < ns.T.Length; i++)
        {
            double t = ns.T[i];
            Assert.Equal(i / 200.0, t, 12);
            double c = Math.Sqrt(t * t * s * s + (1 - t) * (1 - t)) - t * s;
            Assert.Equal(1 - c, ns.Median[i], 0.01);
            Assert.Equal(t, ns.Median[i], 0.035);
            Assert.Equal(t, ls.Median[i], 0.05);
            Assert.True(ns.P10[i] <= ns.Median[i] + 1e-12 && ns.Median[i] <= ns.P90[i] + 1e-12);
        }
        Assert.True(Math.Abs(ns.MeanLag) < 0.03);
    }

    [Fact]
    public void QuantilesInterpolateLikeNumpy()
    {
        double[] v = [1, 2, 3, 4, 10];
        Assert.Equal(3.0, SlowFlowDiagnostic.Quantile(v, 0.5));
        Assert.Equal(1.4, SlowFlowDiagnostic.Quantile(v, 0.1), 12);
        Assert.Equal(7.6, SlowFlowDiagnostic.Quantile(v, 0.9), 12);
        var r = SlowFlowDiagnostic.Summarize("x", SlowFlowEstimator.NoiseShare, [0.0, 1.0], [[double.NaN, 0.2, 0.4], [1, 1, 1]]);
        Assert.Equal(0.3, r.Median[0], 12);
        Assert.Equal(1.0, r.P90[1]);
    }

    [Fact]
    public void PlotWritesPngAndSvgWithLegend()
    {
        var a = new SlowFlowResult("base", SlowFlowEstimator.NoiseShare, 10, [0, 0.5, 1], [0, 0.4, 1], [0, 0.3, 0.9], [0, 0.5, 1]);
        var b = a with { Label = "MixFlow", Median = [0, 0.48, 1] };
        string dir = Path.Combine(Path.GetTempPath(), "mixflow-slowflow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string png = Path.Combine(dir, "sf.png"), svg = Path.Combine(dir, "sf.svg");
            SlowFlowPlot.Save([a, b], png, svg);
            var img = PngDecoder.Decode(File.ReadAllBytes(png));
            Assert.Equal(640, img.Width);
            string text = File.ReadAllText(svg);
            Assert.Contains("MixFlow", text);
            Assert.Contains("base", text);
            Assert.Contains("m = t", text);
            Assert.Throws<ArgumentException>(() => SlowFlowPlot.Create([]));
            Assert.Throws<ArgumentException>(() => SlowFlowPlot.Save([a], null, null));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RejectsBadOptions()
    {
        var tr = new FlowTransport();
        Assert.Throws<ArgumentException>(() => new SlowFlowDiagnostic(tr, new SlowFlowOptions { Steps = 0 }));
        Assert.Throws<ArgumentException>(() => new SlowFlowDiagnostic(tr, new SlowFlowOptions { Samples = 0 }));
        Assert.Throws<ArgumentException>(() => new SlowFlowDiagnostic(tr, new SlowFlowOptions { Shift = -1 }));
    }
}
