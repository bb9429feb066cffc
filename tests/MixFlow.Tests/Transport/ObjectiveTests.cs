using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class ObjectiveTests
{
    static Tensor Data(ulong seed, params int[] shape) => Tensor.RandN(new Generator(seed), shape) * 0.5f + 1f;

    [Theory]
    [InlineData(0.8)] [InlineData(0.3)] [InlineData(1.0)]
    public void SlowedTimeStaysInItsInterval(double gamma)
    {
        var obj = new MixFlowObjective(new FlowTransport(), new MixFlowOptions(gamma));
        var gen = new Generator(4);
        var model = new SpyModel();
        for (int it = 0; it < 5; it++)
        {
            obj.Loss(model, Data(1, 256, 3), null, gen);
            var times = obj.LastTimes!;
            for (int i = 0; i < 256; i++)
            {
                Assert.InRange(times.M[i], (1 - gamma) * times.T[i] - 1e-6, times.T[i]);
            }
            // m actually spreads over the interval
            double frac = times.T.Zip(times.M).Average(p => p.First > 0 ? p.Second / p.First : 1);
            Assert.InRange(frac, 1 - gamma / 2 - 0.1, 1 - gamma / 2 + 0.1);
        }
    }

    [Fact]
    public void TimeDistributionIsBeta21()
    {
        var obj = new MixFlowObjective(new FlowTransport());
        var gen = new Generator(7);
        var model = new SpyModel();
        var ts = new List<double>();
        for (int it = 0; it < 8; it++) { obj.Loss(model, Data(2, 512, 2), null, gen); ts.AddRange(obj.LastTimes!.T.Select(x => (double)x)); }
        Assert.True(Stats.KolmogorovSmirnov(ts, t => t * t) < Stats.KsCritical1Percent(ts.Count));
    }

    [Theory]
    [InlineData(PathKind.Linear, PredictionType.Velocity)]
    [InlineData(PathKind.Gvp, PredictionType.Velocity)]
    [InlineData(PathKind.Vp, PredictionType.Noise)]
    [InlineData(PathKind.Gvp, PredictionType.Score)]
    public void GammaZeroIsFlowMatchingBitForBit(PathKind path, PredictionType pred)
    {
        var tr = new FlowTransport(new TransportOptions(path, pred, LossWeighting.Likelihood));
        var sampler = new BetaTimeSampler(2, 1);
        var fm = new FlowMatchingObjective(tr, sampler);
        var mf = new MixFlowObjective(tr, new MixFlowOptions(0), sampler);
        var x1 = Data(3, 64, 2, 3);
        for (ulong seed = 0; seed < 3; seed++)
        {
            var m1 = new SpyModel(); var m2 = new SpyModel();
            var a = fm.Loss(m1, x1, null, new Generator(seed));
            var b = mf.Loss(m2, x1, null, new Generator(seed));
            Assert.Equal(a.Loss.Item(), b.Loss.Item());
            Assert.Equal(a.PerSample.ToArray(), b.PerSample.ToArray());
            Assert.Equal(m1.Inputs[0], m2.Inputs[0]);
            Assert.Equal(m1.Times[0], m2.Times[0]);
            Assert.Equal(a.MeanT, b.MeanStateTime);
        }
    }

    [Fact]
    public void NetworkReceivesTNotM()
    {
        var obj = new MixFlowObjective(new FlowTransport(), new MixFlowOptions(0.8));
        var spy = new SpyModel();
        var x1 = Data(5, 32, 4);
        obj.Loss(spy, x1, null, new Generator(12));
        var times = obj.LastTimes!;
        Assert.Equal(times.T, spy.Times[0]);
        Assert.NotEqual(times.M, spy.Times[0]);
        // and the input is x_m, not x_t: replay the draws
        var g = new Generator(12);
        for (int i = 0; i < 32; i++) g.NextDouble();
        var x0 = Tensor.RandN(g, 32, 4).ToArray();
        var xa = x1.ToArray();
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(times.M[i] * xa[i * 4 + j] + (1 - times.M[i]) * x0[i * 4 + j], spy.Inputs[0][i * 4 + j], 1e-5);
    }

    [Fact]
    public void OriginalTargetEqualsSlowedTargetOnLinearPath()
    {
        var tr = new FlowTransport();
        var slowed = new MixFlowObjective(tr, new MixFlowOptions(0.8, MixFlowTarget.SlowedVelocity));
        var original = new MixFlowObjective(tr, new MixFlowOptions(0.8, MixFlowTarget.OriginalVelocity));
        var x1 = Data(6, 64, 3);
        var a = slowed.Loss(new SpyModel(), x1, null, new Generator(1));
        var b = original.Loss(new SpyModel(), x1, null, new Generator(1));
        Assert.Equal(a.Loss.Item(), b.Loss.Item());
        // but not on a curved path
        var gtr = new FlowTransport(new TransportOptions(PathKind.Gvp));
        var c = new MixFlowObjective(gtr, new MixFlowOptions(0.8, MixFlowTarget.SlowedVelocity)).Loss(new SpyModel(), x1, null, new Generator(1));
        var d = new MixFlowObjective(gtr, new MixFlowOptions(0.8, MixFlowTarget.OriginalVelocity)).Loss(new SpyModel(), x1, null, new Generator(1));
        Assert.NotEqual(c.Loss.Item(), d.Loss.Item());
    }

    [Fact]
    public void FlowMatchingLossMatchesManualComputation()
    {
        var tr = new FlowTransport(new TransportOptions(PathKind.Gvp));
        var obj = new FlowMatchingObjective(tr);
        var spy = new SpyModel(a: 0.5f, b: 0.25f);
        var x1 = Data(8, 16, 3);
        var r = obj.Loss(spy, x1, null, new Generator(21));
        var g = new Generator(21);
        var t = new double[16];
        for (int i = 0; i < 16; i++) t[i] = (float)g.NextDouble();
        var x0 = Tensor.RandN(g, 16, 3).ToArray();
        var xa = x1.ToArray();
        double total = 0;
        for (int i = 0; i < 16; i++)
        {
            var c = tr.Path.Coefficients(t[i]);
            for (int j = 0; j < 3; j++)
            {
                int k = i * 3 + j;
                double xt = c.Alpha * xa[k] + c.Sigma * x0[k], ut = c.DAlpha * xa[k] + c.DSigma * x0[k];
                double f = 0.5 * xt + 0.25 * t[i];
                total += (f - ut) * (f - ut);
            }
        }
        Assert.Equal(total / 48, r.Loss.Item(), 1e-4);
        Assert.Equal(t.Average(), r.MeanT, 1e-6);
    }

    [Theory]
    [InlineData(PredictionType.Noise, LossWeighting.None)]
    [InlineData(PredictionType.Noise, LossWeighting.Likelihood)]
    [InlineData(PredictionType.Score, LossWeighting.Velocity)]
    public void WeightedNoiseAndScoreLossesMatchSiT(PredictionType pred, LossWeighting w)
    {
        var tr = new FlowTransport(new TransportOptions(PathKind.Vp, pred, w));
        var obj = new FlowMatchingObjective(tr);
        var x1 = Data(9, 8, 2);
        var r = obj.Loss(new SpyModel(), x1, null, new Generator(2));
        var g = new Generator(2);
        var iv = tr.TrainInterval;
        var t = new double[8];
        for (int i = 0; i < 8; i++) t[i] = (float)iv.Map(g.NextDouble());
        var x0 = Tensor.RandN(g, 8, 2).ToArray();
        var xa = x1.ToArray();
        var per = r.PerSample.ToArray();
        for (int i = 0; i < 8; i++)
        {
            var c = tr.Path.Coefficients(t[i]);
            double dv = c.DAlpha / c.Alpha * c.Sigma * c.Sigma - c.Sigma * c.DSigma;
            double weight = w switch { LossWeighting.None => 1, LossWeighting.Velocity => Math.Pow(dv / c.Sigma, 2), _ => dv / (c.Sigma * c.Sigma) };
            double sum = 0;
            for (int j = 0; j < 2; j++)
            {
                int k = i * 2 + j;
                double xt = c.Alpha * xa[k] + c.Sigma * x0[k];
                double f = 0.5 * xt + 0.25 * t[i];
                double d = pred == PredictionType.Noise ? f - x0[k] : c.Sigma * f + x0[k];
                sum += d * d;
            }
            double expected = weight * sum / 2;
            Assert.True(Math.Abs(per[i] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"sample {i}: {per[i]} vs {expected}");
        }
    }

    [Fact]
    public void InputPerturbationKeepsTheCleanTarget()
    {
        var tr = new FlowTransport();
        var x1 = Data(10, 32, 3);
        // A zero model: the loss is mean(u_t²), independent of the input, so λ must not change it.
        var zero = new SpyModel(a: 0, b: 0);
        var fm = new FlowMatchingObjective(tr).Loss(zero, x1, null, new Generator(3)).Loss.Item();
        var ip = new InputPerturbationObjective(tr, 0.5).Loss(new SpyModel(a: 0, b: 0), x1, null, new Generator(3)).Loss.Item();
        Assert.Equal(fm, ip);
        // With λ = 0 the input is the flow-matching input.
        var s1 = new SpyModel(); var s2 = new SpyModel();
        new FlowMatchingObjective(tr).Loss(s1, x1, null, new Generator(4));
        new InputPerturbationObjective(tr, 0).Loss(s2, x1, null, new Generator(4));
        Assert.Equal(s1.Inputs[0], s2.Inputs[0]);
        // With λ > 0 the input moves by σ_t·λ·ξ.
        var s3 = new SpyModel();
        new InputPerturbationObjective(tr, 0.5).Loss(s3, x1, null, new Generator(4));
        Assert.NotEqual(s1.Inputs[0], s3.Inputs[0]);
    }

    [Fact]
    public void LossIsDifferentiable()
    {
        var m = new ScalarModel();
        var obj = new MixFlowObjective(new FlowTransport());
        var r = obj.Loss(m, Data(11, 16, 2), null, new Generator(5));
        Assert.True(r.Loss.RequiresGrad);
        Assert.Equal(0, r.Loss.Rank);
        r.Loss.Backward();
        Assert.NotNull(m.W.Grad);
        Assert.NotEqual(0f, m.W.Grad!.Item());
    }

    [Fact]
    public void ImageShapedBatchesAndLabelsFlowThrough()
    {
        var spy = new SpyModel(numClasses: 5);
        var x1 = Data(12, 3, 2, 4, 4);
        int[] labels = [4, 0, 2];
        foreach (ITrainingObjective obj in new ITrainingObjective[] { new FlowMatchingObjective(new FlowTransport()), new MixFlowObjective(new FlowTransport(new TransportOptions(PathKind.Gvp))), new InputPerturbationObjective(new FlowTransport()) })
        {
            var r = obj.Loss(spy, x1, labels, new Generator(1));
            Assert.Equal(new[] { 3 }, r.PerSample.Shape);
            Assert.True(float.IsFinite(r.Loss.Item()));
            Assert.Equal(labels, spy.Labels[^1]);
            Assert.Equal(96, spy.Inputs[^1].Length);
            Assert.Equal(r.PerSample.ToArray().Average(), r.Loss.Item(), 1e-5);
        }
    }

    [Theory]
    [InlineData(-0.1)] [InlineData(1.5)] [InlineData(double.NaN)]
    public void GammaOutsideUnitIntervalIsRejected(double gamma)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MixFlowObjective(new FlowTransport(), new MixFlowOptions(gamma)));
        Assert.Contains("Gamma", ex.Message);
        Assert.Contains("[0, 1]", ex.Message);
    }

    [Fact]
    public void BadBatchesAreRejected()
    {
        var obj = new FlowMatchingObjective(new FlowTransport());
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => obj.Loss(new SpyModel(), Data(1, 4, 2), [1, 2], new Generator(1))).Message);
        Assert.Contains("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new InputPerturbationObjective(new FlowTransport(), -1)).Message);
    }
}
