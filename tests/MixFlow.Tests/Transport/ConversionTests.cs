using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class ConversionTests
{
    public static TheoryData<PathKind> Paths => new() { PathKind.Linear, PathKind.Gvp, PathKind.Vp };
    static readonly FlowQuantity[] All = Enum.GetValues<FlowQuantity>();

    /// <summary>From true (x1, x0) every quantity is known; each conversion must reproduce the others in float64.</summary>
    [Theory, MemberData(nameof(Paths))]
    public void AllConversionsRecoverTheTruth(PathKind kind)
    {
        var p = InterpolationPaths.Create(kind);
        var g = new Generator(11);
        for (int n = 0; n < 200; n++)
        {
            double t = 0.02 + 0.96 * g.NextDouble();
            double x1 = 3 * g.NextNormal(), x0 = g.NextNormal();
            var c = p.Coefficients(t);
            double x = c.Alpha * x1 + c.Sigma * x0;
            var truth = new Dictionary<FlowQuantity, double>
            {
                [FlowQuantity.Velocity] = c.DAlpha * x1 + c.DSigma * x0,
                [FlowQuantity.Noise] = x0,
                [FlowQuantity.Score] = -x0 / c.Sigma,
                [FlowQuantity.Data] = x1,
            };
            foreach (var from in All)
                foreach (var to in All)
                {
                    double got = PredictionConversions.Convert(c, x, truth[from], from, to);
                    Assert.True(Math.Abs(got - truth[to]) <= 1e-8 * (1 + Math.Abs(truth[to])),
                        $"{kind} t={t}: {from}->{to} gave {got}, expected {truth[to]}");
                    // Round trip
                    double back = PredictionConversions.Convert(c, x, got, to, from);
                    Assert.True(Math.Abs(back - truth[from]) <= 1e-8 * (1 + Math.Abs(truth[from])), $"{kind}: round trip {from}->{to}->{from}");
                }
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void ExplicitFormulasAgreeWithGenericConversion(PathKind kind)
    {
        var p = InterpolationPaths.Create(kind);
        var g = new Generator(5);
        for (int n = 0; n < 100; n++)
        {
            double t = 0.02 + 0.96 * g.NextDouble(), x = g.NextNormal(), q = g.NextNormal();
            var c = p.Coefficients(t);
            Assert.Equal(PredictionConversions.Convert(c, x, q, FlowQuantity.Velocity, FlowQuantity.Score), PredictionConversions.ScoreFromVelocity(c, x, q), 8);
            Assert.Equal(PredictionConversions.Convert(c, x, q, FlowQuantity.Noise, FlowQuantity.Velocity), PredictionConversions.VelocityFromNoise(c, x, q), 8);
            Assert.Equal(PredictionConversions.Convert(c, x, q, FlowQuantity.Score, FlowQuantity.Noise), PredictionConversions.NoiseFromScore(c, q), 10);
            Assert.Equal(PredictionConversions.Convert(c, x, q, FlowQuantity.Noise, FlowQuantity.Data), PredictionConversions.DataFromNoise(c, x, q), 8);
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void TensorConversionMatchesScalar(PathKind kind)
    {
        var p = InterpolationPaths.Create(kind);
        var g = new Generator(8);
        var x = Tensor.RandN(g, 4, 3);
        var q = Tensor.RandN(g, 4, 3);
        var tv = new float[] { 0.1f, 0.3f, 0.6f, 0.9f };
        var r = PredictionConversions.Convert(p, x, Tensor.FromArray(tv, 4), q, FlowQuantity.Velocity, FlowQuantity.Score).ToArray();
        var shared = PredictionConversions.Convert(p, x, 0.3, q, FlowQuantity.Velocity, FlowQuantity.Score).ToArray();
        var xa = x.ToArray(); var qa = q.ToArray();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                int k = i * 3 + j;
                var c = p.Coefficients(tv[i]);
                double e = PredictionConversions.ScoreFromVelocity(c, xa[k], qa[k]);
                Assert.True(Math.Abs(r[k] - e) <= 1e-4 * (1 + Math.Abs(e)), $"{r[k]} vs {e}");
                double e2 = PredictionConversions.ScoreFromVelocity(p.Coefficients(0.3), xa[k], qa[k]);
                Assert.True(Math.Abs(shared[k] - e2) <= 1e-4 * (1 + Math.Abs(e2)));
            }
    }
}
