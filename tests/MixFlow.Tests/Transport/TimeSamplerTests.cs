using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class TimeSamplerTests
{
    [Fact]
    public void Beta21PassesKolmogorovSmirnov()
    {
        var s = new BetaTimeSampler(2, 1);
        var g = new Generator(1);
        var xs = s.NextBatch(g, 5000);
        Assert.All(xs, x => Assert.InRange(x, 0, 1));
        Assert.True(Stats.KolmogorovSmirnov(xs, t => t * t) < Stats.KsCritical1Percent(5000));
        // and it is not uniform
        Assert.True(Stats.KolmogorovSmirnov(xs, t => t) > Stats.KsCritical1Percent(5000));
    }

    [Fact]
    public void GeneralBetaAndUniformPassKolmogorovSmirnov()
    {
        var g = new Generator(2);
        var u = new UniformTimeSampler().NextBatch(g, 4000);
        Assert.True(Stats.KolmogorovSmirnov(u, t => t) < Stats.KsCritical1Percent(4000));
        // Beta(1, 3): CDF 1 − (1 − t)^3
        var b = new BetaTimeSampler(1, 3).NextBatch(g, 4000);
        Assert.True(Stats.KolmogorovSmirnov(b, t => 1 - Math.Pow(1 - t, 3)) < Stats.KsCritical1Percent(4000));
        // Beta(2, 2): CDF 3t² − 2t³ (Gamma-ratio path)
        var c = new BetaTimeSampler(2, 2).NextBatch(g, 4000);
        Assert.True(Stats.KolmogorovSmirnov(c, t => 3 * t * t - 2 * t * t * t) < Stats.KsCritical1Percent(4000));
    }

    [Fact]
    public void LogitNormalHasTheRightQuantiles()
    {
        var g = new Generator(3);
        var xs = new LogitNormalTimeSampler(0.5, 0.8).NextBatch(g, 4000);
        // CDF(t) = Φ((logit t − μ)/s)
        static double Phi(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));
        Assert.True(Stats.KolmogorovSmirnov(xs, t => Phi((Math.Log(t / (1 - t)) - 0.5) / 0.8)) < Stats.KsCritical1Percent(4000));
    }

    static double Erf(double x)
    {
        // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7)
        double s = Math.Sign(x); x = Math.Abs(x);
        double t = 1 / (1 + 0.3275911 * x);
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return s * y;
    }

    [Fact]
    public void TimeShiftClosedForm()
    {
        Assert.Equal(0.5, TimeShift.Apply(0.5, 1), 15);
        Assert.Equal(1.0 / 3, TimeShift.Apply(0.5, 2), 15);     // 0.5 / (2 − 0.5)
        Assert.Equal(0, TimeShift.Apply(0, 3), 15);
        Assert.Equal(1, TimeShift.Apply(1, 3), 15);
        for (double t = 0.05; t < 1; t += 0.1)
        {
            Assert.True(TimeShift.Apply(t, 3) < t);               // s > 1 moves towards noise
            Assert.True(TimeShift.Apply(t, 0.5) > t);
            Assert.Equal(t, TimeShift.Invert(TimeShift.Apply(t, 2.5), 2.5), 13);
            // σ' = sσ/(1 + (s−1)σ) on σ = 1 − t
            double sig = 1 - t, s = 2.5;
            Assert.Equal(1 - s * sig / (1 + (s - 1) * sig), TimeShift.Apply(t, s), 13);
        }
        Assert.Equal(2.0, TimeShift.FromDimension(16384), 15);
        Assert.Equal(Math.Sqrt(768.0 * 256 / 4096), TimeShift.FromDimension(768 * 256), 12);
    }

    [Fact]
    public void ShiftedSamplerAppliesTheShiftToEachDraw()
    {
        var a = new Generator(9); var b = new Generator(9);
        var inner = new BetaTimeSampler(2, 1);
        var shifted = ShiftedTimeSampler.FromDimension(inner, 4 * 4096);
        for (int i = 0; i < 50; i++) Assert.Equal(TimeShift.Apply(inner.Next(a), 2.0), shifted.Next(b), 14);
    }

    [Theory]
    [InlineData(0.0)] [InlineData(-1.0)] [InlineData(double.NaN)]
    public void NonPositiveShiftIsRejected(double s)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ShiftedTimeSampler(new UniformTimeSampler(), s));
        Assert.Contains("shift", ex.Message);
        Assert.Contains("> 0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Shifted(10, s));
    }

    [Fact]
    public void BadSamplerParametersAreRejected()
    {
        Assert.Contains("a must be", Assert.Throws<ArgumentOutOfRangeException>(() => new BetaTimeSampler(0, 1)).Message);
        Assert.Contains("std", Assert.Throws<ArgumentOutOfRangeException>(() => new LogitNormalTimeSampler(0, -1)).Message);
        Assert.Contains("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => TimeShift.FromDimension(0)).Message);
    }

    [Fact]
    public void TimeGridIsUniformOrShifted()
    {
        var u = TimeGrid.Uniform(4, 0, 1);
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1.0 }, u.Times);
        var s = TimeGrid.Shifted(4, 3, 0.1, 0.9);
        Assert.Equal(0.1, s[0]); Assert.Equal(0.9, s[4]);
        Assert.Equal(0.1 + 0.8 * TimeShift.Apply(0.5, 3), s[2], 14);
        Assert.Contains("steps", Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Uniform(0)).Message);
        Assert.Contains("t0", Assert.Throws<ArgumentOutOfRangeException>(() => TimeGrid.Uniform(4, 0.5, 0.2)).Message);
        Assert.Throws<ArgumentException>(() => TimeGrid.FromTimes([0.1, 0.1]));
    }
}
