using MixFlow.Evaluation;
using MixFlow.Tensors;

namespace MixFlow.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void SetWithItselfIsZero()
    {
        var g = new Generator(1);
        int d = 16, n = 500;
        var chol = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j <= i; j++) chol[i * d + j] = i == j ? 1 + i * 0.1 : 0.3 * g.NextNormal();
        var x = EvalTestUtil.Gaussian(g, n, new double[d], chol);
        var s = FeatureStatistics.FromFeatures(x, d);
        double tr = 0;
        for (int i = 0; i < d; i++) tr += s.Covariance[i * d + i];
        Assert.True(FrechetDistance.Compute(s, s) <= 1e-6 * tr);
    }

    [Fact]
    public void MatchesClosedFormForCommutingCovariances()
    {
        // Σ1 = Q diag(a) Qᵀ, Σ2 = Q diag(b) Qᵀ  ⇒  FD = ‖μ1 − μ2‖² + Σ (√a − √b)².
        var g = new Generator(2);
        int d = 12;
        var q = EvalTestUtil.RandomOrthogonal(g, d);
        var a = new double[d]; var b = new double[d];
        var mu1 = new double[d]; var mu2 = new double[d];
        double expect = 0;
        for (int i = 0; i < d; i++)
        {
            a[i] = 0.2 + 3 * g.NextDouble(); b[i] = 0.2 + 3 * g.NextDouble();
            mu1[i] = g.NextNormal(); mu2[i] = g.NextNormal();
            expect += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2);
        }
        double fd = FrechetDistance.Compute(mu1, EvalTestUtil.Compose(q, a), mu2, EvalTestUtil.Compose(q, b));
        Assert.Equal(expect, fd, 1e-10 * expect);
    }

    [Fact]
    public void MatchesTwoByTwoClosedFormForNonCommutingCovariances()
    {
        // For 2×2 SPD A, B: tr((A^½ B A^½)^½) = √(tr(AB) + 2√det(AB)).
        double[] s1 = [2.0, 0.7, 0.7, 1.0], s2 = [0.5, -0.2, -0.2, 3.0];
        double[] mu1 = [0.3, -1.0], mu2 = [1.1, 0.4];
        double trAB = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
        double det = (s1[0] * s1[3] - s1[1] * s1[2]) * (s2[0] * s2[3] - s2[1] * s2[2]);
        double root = Math.Sqrt(trAB + 2 * Math.Sqrt(det));
        double expect = Math.Pow(mu1[0] - mu2[0], 2) + Math.Pow(mu1[1] - mu2[1], 2) + s1[0] + s1[3] + s2[0] + s2[3] - 2 * root;
        Assert.Equal(expect, FrechetDistance.Compute(mu1, s1, mu2, s2), 1e-12);
        Assert.Equal(expect, FrechetDistance.Compute(mu2, s2, mu1, s1), 1e-12); // symmetric
    }

    [Fact]
    public void SampledGaussianFeaturesApproachTheClosedForm()
    {
        // Features drawn directly (no network): N(μ1, diag(a)) vs N(μ2, diag(b)).
        var g = new Generator(3);
        int d = 4, n = 40000;
        double[] mu1 = [0, 1, -1, 0.5], mu2 = [0.5, 1, 0, 0.5], a = [1, 2, 0.5, 1], b = [2, 2, 1, 0.25];
        var c1 = new double[d * d]; var c2 = new double[d * d];
        double expect = 0;
        for (int i = 0; i < d; i++)
        {
            c1[i * d + i] = Math.Sqrt(a[i]); c2[i * d + i] = Math.Sqrt(b[i]);
            expect += Math.Pow(mu1[i] - mu2[i], 2) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2);
        }
        var s1 = FeatureStatistics.FromFeatures(EvalTestUtil.Gaussian(g, n, mu1, c1), d);
        var s2 = FeatureStatistics.FromFeatures(EvalTestUtil.Gaussian(g, n, mu2, c2), d);
        Assert.Equal(expect, FrechetDistance.Compute(s1, s2), 0.05);
    }

    [Fact]
    public void StatisticsAreUnbiasedMeanAndCovariance()
    {
        float[] x = [1, 2, 3, 6, 5, 4];           // rows (1,2), (3,6), (5,4)
        var s = FeatureStatistics.FromFeatures(x, 2);
        Assert.Equal(3, s.Count);
        Assert.Equal(3.0, s.Mean[0], 12); Assert.Equal(4.0, s.Mean[1], 12);
        Assert.Equal(4.0, s.Covariance[0], 12);   // ((−2)² + 0 + 2²)/2
        Assert.Equal(2.0, s.Covariance[1], 12);   // ((−2)(−2) + 0·2 + 2·0)/2
        Assert.Equal(2.0, s.Covariance[2], 12);
        Assert.Equal(4.0, s.Covariance[3], 12);
        Assert.Throws<ArgumentException>(() => FeatureStatistics.FromFeatures(new float[5], 2));
        Assert.Throws<ArgumentException>(() => FeatureStatistics.FromFeatures(new float[2], 2));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(s, FeatureStatistics.FromFeatures(new float[9], 3)));
    }
}
