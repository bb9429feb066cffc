using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Evaluation;

public class ToyMetricsTests
{
    private static float[] Normal(ulong seed, int n, int d, double shiftX = 0)
    {
        var g = new Generator(seed);
        var x = new float[n * d];
        g.FillNormal(x);
        for (int i = 0; i < n; i++) x[i * d] += (float)shiftX;
        return x;
    }

    [Fact]
    public void SlicedW2OfIdenticalSamplesIsZero()
    {
        var x = Normal(1, 500, 2);
        Assert.Equal(0.0, SlicedWasserstein.Compute(x, x, 2), 12);
    }

    [Fact]
    public void SlicedW2OfAShiftIsTheShiftOverRootD()
    {
        // 1-D: exactly the shift.
        var x = Normal(2, 300, 1);
        var y = x.Select(v => v + 1.5f).ToArray();
        Assert.Equal(1.5, SlicedWasserstein.Compute(x, y, 1), 5);
        // 2-D, independent samples of N(0, I) and N(δ, I): SW2 → ‖δ‖/√2 (E_θ (θ·δ)² = ‖δ‖²/2).
        var a = Normal(3, 1500, 2);
        var b = Normal(4, 1500, 2, shiftX: 3.0);
        double sw = SlicedWasserstein.Compute(a, b, 2, projections: 256, seed: 7);
        Assert.Equal(3.0 / Math.Sqrt(2), sw, 0.15);
        // the same points shifted: every projection is exactly |θ·δ|, so only the finite set of directions matters
        var shifted = a.Select((v, i) => i % 2 == 0 ? v + 3f : v).ToArray();
        Assert.Equal(3.0 / Math.Sqrt(2), SlicedWasserstein.Compute(a, shifted, 2, projections: 256, seed: 7), 0.15);
        // same distribution, independent samples: small
        Assert.True(SlicedWasserstein.Compute(a, Normal(5, 1500, 2), 2, projections: 64) < 0.1);
    }

    [Fact]
    public void QuantileW2HandlesDifferentSampleSizes()
    {
        Assert.Equal(1.0 / 12, SlicedWasserstein.QuantileW2Squared([0.0, 1.0], [0.0, 0.5, 1.0]), 14);
        Assert.Equal(4.0, SlicedWasserstein.QuantileW2Squared([1.0], [3.0, 3.0, 3.0]), 14);
    }

    [Fact]
    public void MmdIsNearZeroForOneDistributionAndPositiveForTwo()
    {
        var a = Normal(10, 400, 2);
        var b = Normal(11, 400, 2);
        var c = Normal(12, 400, 2, shiftX: 2.0);
        double same = Mmd.Compute(a, b, 2);
        double diff = Mmd.Compute(a, c, 2);
        Assert.True(Math.Abs(same) < 0.01, $"same-distribution MMD² {same}");
        Assert.True(diff > 0.1, $"different-distribution MMD² {diff}");
        Assert.True(Mmd.Compute(a, c, 2, [1.0]) > 0.1);
        Assert.Throws<ArgumentException>(() => Mmd.Compute(a, c, 2, [0.0]));
        Assert.Throws<ArgumentException>(() => Mmd.Compute(a.AsSpan(0, 2), c, 2));
    }

    [Fact]
    public void MmdUnbiasedEstimatorMatchesDirectFormula()
    {
        float[] x = [0, 0, 1, 0, 0, 2];
        float[] y = [1, 1, 3, 0];
        double l = 1.3, gam = 1 / (2 * l * l);
        double K(float[] p, int i, float[] q, int j) { double dx = p[2 * i] - q[2 * j], dy = p[2 * i + 1] - q[2 * j + 1]; return Math.Exp(-gam * (dx * dx + dy * dy)); }
        double kxx = 0, kyy = 0, kxy = 0;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) if (i != j) kxx += K(x, i, x, j);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) if (i != j) kyy += K(y, i, y, j);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) kxy += K(x, i, y, j);
        double expect = kxx / 6 + kyy / 2 - 2 * kxy / 6;
        Assert.Equal(expect, Mmd.Compute(x, y, 2, [l]), 12);
    }

    [Fact]
    public void ToySamplesAgainstTheirOwnDistributionScoreLow()
    {
        using var scope = new TensorScope();
        var own = ToyDataset.Sample(Toy2D.EightGaussians, 800, new Generator(99));
        var other = ToyDataset.Sample(Toy2D.Rings, 800, new Generator(98));
        var opt = new ToyMetricsOptions { Projections = 64 };
        var good = ToyMetrics.Compute(own, Toy2D.EightGaussians, opt);
        var bad = ToyMetrics.Compute(other, Toy2D.EightGaussians, opt);
        Assert.Equal(800, good.Samples);
        Assert.Null(good.TestNll);
        Assert.True(good.SlicedW2 < 0.3 && good.SlicedW2 < bad.SlicedW2 / 3, $"{good.SlicedW2} vs {bad.SlicedW2}");
        Assert.True(good.Mmd2 < bad.Mmd2 / 5, $"{good.Mmd2} vs {bad.Mmd2}");
        Assert.Throws<ArgumentException>(() => ToyMetrics.Compute(Tensor.Zeros(10, 3), Toy2D.Rings));
    }

    [Fact]
    public void TestNllOfTheExactGaussianFlowIsTheGaussianNll()
    {
        var path = new LinearPath();
        double[] mu = [0.5, -1.0];
        double s = 0.7;
        var model = new GaussianVelocityOracle(path, mu, s);
        var transport = new FlowTransport();
        using var scope = new TensorScope();
        var g = new Generator(4);
        var data = Tensor.RandN(g, 64, 2) * (float)s + Tensor.FromArray([(float)mu[0], (float)mu[1]], 1, 2);
        var v = data.ToArray();
        double expect = 0;
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 2; j++)
            {
                double z = (v[i * 2 + j] - mu[j]) / s;
                expect += 0.5 * z * z + Math.Log(s) + 0.5 * Math.Log(2 * Math.PI);
            }
        expect /= 64;
        double nll = ToyMetrics.TestNll(model, transport, data, new LikelihoodOptions(Steps: 40), batchSize: 25);
        Assert.Equal(expect, nll, 2e-3);
    }
}
