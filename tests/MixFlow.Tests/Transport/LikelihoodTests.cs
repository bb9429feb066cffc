using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class LikelihoodTests
{
    static double GaussianLogPdf(float[] x, int offset, double[] mu, double s)
    {
        double r = 0;
        for (int j = 0; j < mu.Length; j++) { double z = (x[offset + j] - mu[j]) / s; r += -0.5 * z * z - Math.Log(s) - 0.5 * Math.Log(2 * Math.PI); }
        return r;
    }

    [Theory]
    [InlineData(PathKind.Linear)] [InlineData(PathKind.Gvp)]
    public void ExactDivergenceMatchesClosedForm(PathKind path)
    {
        double[] mu = [0.5, -1.0];
        const double s = 0.7;
        var tr = new FlowTransport(new TransportOptions(path));
        var oracle = new GaussianOracle(tr.Path, mu, s);
        var x1 = Tensor.FromArray(new float[] { 0.5f, -1f, 1.2f, -0.3f, -0.4f, -2.1f }, 3, 2);
        var r = new OdeLikelihood(tr, new LikelihoodOptions(Steps: 60)).Evaluate(oracle, x1);
        Assert.True(r.ExactDivergence);
        var xa = x1.ToArray();
        for (int i = 0; i < 3; i++)
        {
            double expected = GaussianLogPdf(xa, 2 * i, mu, s);
            Assert.True(Math.Abs(r.LogLikelihood[i] - expected) < 2e-3, $"{path} sample {i}: {r.LogLikelihood[i]} vs {expected}");
            Assert.Equal(-r.LogLikelihood[i] / (2 * Math.Log(2)), r.BitsPerDim[i], 12);
        }
        Assert.Equal(60 * 4 * 2, r.Nfe); // 4 stages, one pass per dimension
    }

    [Fact]
    public void HutchinsonRademacherIsExactForIsotropicJacobians()
    {
        const int d = 16;
        var mu = Enumerable.Range(0, d).Select(i => 0.1 * i - 0.5).ToArray();
        const double s = 1.3;
        var tr = new FlowTransport();
        var oracle = new GaussianOracle(tr.Path, mu, s);
        var x1 = Tensor.RandN(new Generator(4), 4, d) * 1.3f;
        var r = new OdeLikelihood(tr, new LikelihoodOptions(Steps: 40)).Evaluate(oracle, x1);
        Assert.False(r.ExactDivergence);
        var xa = x1.ToArray();
        for (int i = 0; i < 4; i++)
        {
            double expected = GaussianLogPdf(xa, d * i, mu, s);
            Assert.True(Math.Abs(r.LogLikelihood[i] - expected) < 5e-3, $"sample {i}: {r.LogLikelihood[i]} vs {expected}");
        }
        // Gaussian probes are unbiased but noisy: averaged over probes, close
        var g = new OdeLikelihood(tr, new LikelihoodOptions(Steps: 20, Probe: ProbeDistribution.Gaussian, Probes: 16, Seed: 3)).Evaluate(oracle, x1);
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(g.LogLikelihood[i] - GaussianLogPdf(xa, d * i, mu, s)) < 3, $"gaussian probes sample {i}");
    }

    [Fact]
    public void LikelihoodOptionsAreValidated()
    {
        Assert.Contains("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new OdeLikelihood(new FlowTransport(), new LikelihoodOptions(Steps: 0))).Message);
        Assert.Contains("Probes", Assert.Throws<ArgumentOutOfRangeException>(() => new OdeLikelihood(new FlowTransport(), new LikelihoodOptions(Probes: 0))).Message);
    }
}
