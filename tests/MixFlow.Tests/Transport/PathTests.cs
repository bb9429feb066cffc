using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class PathTests
{
    public static TheoryData<PathKind> Paths => new() { PathKind.Linear, PathKind.Gvp, PathKind.Vp };

    [Theory, MemberData(nameof(Paths))]
    public void DerivativesMatchCentralDifferences(PathKind kind)
    {
        var p = InterpolationPaths.Create(kind);
        for (double t = 0.05; t < 0.96; t += 0.05)
        {
            const double h = 1e-6;
            Assert.Equal((p.Alpha(t + h) - p.Alpha(t - h)) / (2 * h), p.DAlpha(t), 6);
            Assert.Equal((p.Sigma(t + h) - p.Sigma(t - h)) / (2 * h), p.DSigma(t), 1e-5);
            var c = p.Coefficients(t);
            Assert.Equal(p.Alpha(t), c.Alpha, 14);
            Assert.Equal(p.Sigma(t), c.Sigma, 14);
            Assert.Equal(p.DAlpha(t), c.DAlpha, 14);
            Assert.Equal(p.DSigma(t), c.DSigma, 14);
        }
    }

    [Fact]
    public void EndpointsAndClosedForms()
    {
        var lin = new LinearPath();
        Assert.Equal(0.3, lin.Alpha(0.3)); Assert.Equal(0.7, lin.Sigma(0.3), 15);
        var gvp = new GvpPath();
        Assert.Equal(0, gvp.Alpha(0), 15); Assert.Equal(1, gvp.Sigma(0), 15);
        Assert.Equal(1, gvp.Alpha(1), 15); Assert.Equal(0, gvp.Sigma(1), 15);
        Assert.Equal(1, gvp.Alpha(0.37) * gvp.Alpha(0.37) + gvp.Sigma(0.37) * gvp.Sigma(0.37), 14);
        var vp = new VpPath();
        Assert.Equal(1, vp.Alpha(1), 15);
        Assert.Equal(Math.Exp(-0.25 * 19.9 - 0.05), vp.Alpha(0), 14);
        double s = 1 - 0.4, lmc = -0.25 * s * s * 19.9 - 0.5 * s * 0.1;
        Assert.Equal(Math.Exp(lmc), vp.Alpha(0.4), 14);
        Assert.Equal(Math.Sqrt(1 - Math.Exp(2 * lmc)), vp.Sigma(0.4), 14);
    }

    [Theory, MemberData(nameof(Paths))]
    public void SampleMatchesManualInterpolation(PathKind kind)
    {
        var p = InterpolationPaths.Create(kind);
        var g = new Generator(3);
        var x0 = Tensor.RandN(g, 3, 2, 2);
        var x1 = Tensor.RandN(g, 3, 2, 2);
        var tv = new float[] { 0.1f, 0.5f, 0.9f };
        var s = p.Sample(x0, x1, Tensor.FromArray(tv, 3));
        var a0 = x0.ToArray(); var a1 = x1.ToArray(); var xt = s.Xt.ToArray(); var ut = s.Ut.ToArray();
        for (int i = 0; i < 3; i++)
        {
            var c = p.Coefficients(tv[i]);
            for (int j = 0; j < 4; j++)
            {
                int k = i * 4 + j;
                Assert.Equal(c.Alpha * a1[k] + c.Sigma * a0[k], xt[k], 1e-5);
                Assert.Equal(c.DAlpha * a1[k] + c.DSigma * a0[k], ut[k], 1e-5);
            }
        }
        var at = p.Alpha(Tensor.FromArray(tv, 3), 3);
        Assert.Equal(new[] { 3, 1, 1 }, at.Shape);
        Assert.Equal((float)p.Alpha(tv[1]), at[1, 0, 0]);
    }

    [Fact]
    public void SampleRejectsMismatchedShapes()
    {
        var p = new LinearPath();
        var ex = Assert.Throws<ArgumentException>(() => p.Sample(Tensor.Zeros(2, 3), Tensor.Zeros(2, 4), Tensor.Zeros(2)));
        Assert.Contains("same shape", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => p.Sample(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), Tensor.Zeros(3)));
        Assert.Contains("[2]", ex2.Message);
    }

    [Fact]
    public void VpRejectsBadBetas()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new VpPath(1, 0.5));
        Assert.Contains("betaMax", ex.Message);
    }
}
