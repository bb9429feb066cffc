using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class SamplerTests
{
    static readonly double[] Mu = [0.5, -1.0];
    const double S = 0.6;
    const int N = 4096;

    static Tensor Noise(ulong seed) => Tensor.RandN(new Generator(seed), N, 2);

    static void AssertGaussian(Tensor x, string what, double meanTol = 0.05, double varRelTol = 0.1)
    {
        var (m, v) = Stats.MeanVar(x);
        for (int j = 0; j < 2; j++)
        {
            Assert.True(Math.Abs(m[j] - Mu[j]) < meanTol, $"{what}: mean[{j}] = {m[j]}, expected {Mu[j]}");
            Assert.True(Math.Abs(v[j] / (S * S) - 1) < varRelTol, $"{what}: var[{j}] = {v[j]}, expected {S * S}");
        }
    }

    public static TheoryData<PathKind, OdeMethod, int> OdeCases => new()
    {
        { PathKind.Linear, OdeMethod.Euler, 100 }, { PathKind.Linear, OdeMethod.Heun, 20 }, { PathKind.Linear, OdeMethod.Midpoint, 20 }, { PathKind.Linear, OdeMethod.Rk4, 10 },
        { PathKind.Gvp, OdeMethod.Euler, 100 }, { PathKind.Gvp, OdeMethod.Heun, 20 }, { PathKind.Gvp, OdeMethod.Rk4, 10 },
        { PathKind.Vp, OdeMethod.Heun, 50 }, { PathKind.Vp, OdeMethod.Rk4, 25 },
    };

    [Theory, MemberData(nameof(OdeCases))]
    public void FixedStepOdeCarriesNoiseToTheData(PathKind path, OdeMethod method, int steps)
    {
        var tr = new FlowTransport(new TransportOptions(path));
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var r = new FixedStepOdeSampler(tr, new OdeSamplerOptions(method, steps)).Sample(oracle, Noise(1));
        AssertGaussian(r.X, $"{path}/{method}");
        int perStep = method switch { OdeMethod.Euler => 1, OdeMethod.Rk4 => 4, _ => 2 };
        Assert.Equal(perStep * steps, r.Nfe);
        Assert.Equal(r.Nfe, oracle.Calls);
    }

    [Theory]
    [InlineData(PredictionType.Noise)] [InlineData(PredictionType.Score)]
    public void NoiseAndScorePredictionsSampleCorrectly(PredictionType pred)
    {
        var tr = new FlowTransport(new TransportOptions(PathKind.Linear, pred));
        var oracle = new GaussianOracle(tr.Path, Mu, S, pred);
        var r = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Heun, 30)).Sample(oracle, Noise(2));
        AssertGaussian(r.X, $"{pred}");
    }

    [Theory]
    [InlineData(PathKind.Linear)] [InlineData(PathKind.Gvp)] [InlineData(PathKind.Vp)]
    public void DormandPrinceCarriesNoiseToTheData(PathKind path)
    {
        var tr = new FlowTransport(new TransportOptions(path));
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var dp = new DormandPrinceSampler(tr);
        var r = dp.Sample(oracle, Noise(3));
        AssertGaussian(r.X, $"dopri5/{path}");
        Assert.Equal(r.Nfe, oracle.Calls);
        var st = dp.LastStats!;
        Assert.Equal(2 + 6 * (st.Accepted + st.Rejected), r.Nfe); // k1 + initial-step probe + 6 per attempt
    }

    public static TheoryData<PathKind, DiffusionForm, LastStep> SdeCases => new()
    {
        { PathKind.Linear, DiffusionForm.Sigma, LastStep.Euler }, { PathKind.Linear, DiffusionForm.Constant, LastStep.Tweedie },
        { PathKind.Linear, DiffusionForm.Linear, LastStep.Euler }, { PathKind.Linear, DiffusionForm.Sbdm, LastStep.Mean },
        { PathKind.Linear, DiffusionForm.Sigma, LastStep.None },
        { PathKind.Gvp, DiffusionForm.Sigma, LastStep.Euler }, { PathKind.Gvp, DiffusionForm.Sbdm, LastStep.Mean }, { PathKind.Vp, DiffusionForm.Sbdm, LastStep.Tweedie },
    };

    [Theory, MemberData(nameof(SdeCases))]
    public void EulerMaruyamaCarriesNoiseToTheData(PathKind path, DiffusionForm form, LastStep last)
    {
        var tr = new FlowTransport(new TransportOptions(path));
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var opts = new SdeSamplerOptions(Steps: 250, Diffusion: form, LastStep: last);
        var r = new EulerMaruyamaSampler(tr, opts).Sample(oracle, Noise(4), gen: new Generator(44));
        AssertGaussian(r.X, $"EM/{path}/{form}/{last}", 0.06, 0.12);
        Assert.Equal(250 + (last == LastStep.None ? 0 : 1), r.Nfe);
    }

    [Fact]
    public void MeanLastStepOmitsTheFinalNoise()
    {
        // SiT's "Mean" last step is the noiseless part of one more Euler–Maruyama step: from the exact marginal at
        // t1 = 1 − h the output is ((1 − w·h·k)·x + …) with k = 1/v_t the score slope, so its variance is
        // (1 + h·(k_v − w/v_t))²·v_t where k_v is the velocity slope — below s² when w is large at the end.
        var tr = new FlowTransport();
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var r = new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Steps: 250, Diffusion: DiffusionForm.Sigma, LastStep: LastStep.Mean)).Sample(oracle, Noise(4), gen: new Generator(44));
        double t1 = 0.96, h = 0.04, a = t1, sg = 1 - t1, vt = a * a * S * S + sg * sg, kv = (a * S * S - sg) / vt, w = t1;
        double expected = Math.Pow(1 + h * (kv - w / vt), 2) * vt;
        var (_, v) = Stats.MeanVar(r.X);
        for (int j = 0; j < 2; j++) Assert.True(Math.Abs(v[j] / expected - 1) < 0.1, $"var[{j}] = {v[j]}, expected {expected}");
    }

    [Fact]
    public void SdeDiffusionFormsFollowTheirFormulas()
    {
        var tr = new FlowTransport();
        double t = 0.3;
        Assert.Equal(2.0, new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Diffusion: DiffusionForm.Constant, DiffusionNorm: 2)).Diffusion(t), 14);
        Assert.Equal((1 - t) / t, new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Diffusion: DiffusionForm.Sbdm)).Diffusion(t), 12);
        Assert.Equal(t, new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Diffusion: DiffusionForm.Sigma)).Diffusion(t), 14);
        Assert.Equal(0.5 * (1 - t), new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Diffusion: DiffusionForm.Linear, DiffusionNorm: 0.5)).Diffusion(t), 14);
        Assert.Throws<ArgumentNullException>(() => new EulerMaruyamaSampler(tr).Sample(new SpyModel(), Tensor.Zeros(2, 2)));
    }

    static double OrderError(OdeMethod method, int steps)
    {
        var tr = new FlowTransport();
        var x0 = Tensor.FromArray(new float[] { 1f, 0.5f, -0.75f }, 3, 1);
        var r = new FixedStepOdeSampler(tr, method, TimeGrid.Uniform(steps)).Sample(new CosineFieldModel(), x0);
        var got = r.X.ToArray();
        double err = 0, e = Math.Exp(Math.Sin(1));
        for (int i = 0; i < 3; i++) err = Math.Max(err, Math.Abs(got[i] - x0.ToArray()[i] * e));
        return err;
    }

    [Theory]
    [InlineData(OdeMethod.Euler, 1, 16)] [InlineData(OdeMethod.Heun, 2, 8)] [InlineData(OdeMethod.Midpoint, 2, 8)] [InlineData(OdeMethod.Rk4, 4, 2)]
    public void SolverOrderOnAnAnalyticOde(OdeMethod method, int order, int steps)
    {
        double e1 = OrderError(method, steps), e2 = OrderError(method, 2 * steps);
        double observed = Math.Log2(e1 / e2);
        Assert.True(Math.Abs(observed - order) < 0.35, $"{method}: errors {e1} → {e2}, observed order {observed}, expected {order}");
    }

    [Fact]
    public void DormandPrinceMeetsItsTolerance()
    {
        var tr = new FlowTransport();
        var x0 = Tensor.FromArray(new float[] { 1f, 0.5f, -0.75f }, 3, 1);
        double e = Math.Exp(Math.Sin(1));
        int prevNfe = 0;
        foreach (var tol in new[] { 1e-3, 1e-5 })
        {
            var model = new CosineFieldModel();
            var r = new DormandPrinceSampler(tr, new DormandPrinceOptions(tol, tol)).Sample(model, x0);
            var got = r.X.ToArray();
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(got[i] - x0.ToArray()[i] * e) < 10 * tol * (1 + Math.Abs(got[i])), $"tol {tol}: {got[i]}");
            Assert.Equal(model.Calls, r.Nfe);
            Assert.True(r.Nfe > prevNfe, "a tighter tolerance must cost more evaluations");
            prevNfe = r.Nfe;
        }
    }

    [Fact]
    public void TrajectoryIsRecordedAndInputIsLeftIntact()
    {
        var tr = new FlowTransport();
        var x0 = Noise(5);
        var copy = x0.ToArray();
        var r = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Euler, 10)).Sample(new GaussianOracle(tr.Path, Mu, S), x0, recordTrajectory: true);
        Assert.Equal(11, r.Trajectory!.Count);
        Assert.Equal(0, r.Trajectory[0].T);
        Assert.Equal(1, r.Trajectory[^1].T, 12);
        Assert.Same(r.X, r.Trajectory[^1].X);
        Assert.All(r.Trajectory, p => Assert.True(p.X.IsAlive));
        Assert.Equal(copy, x0.ToArray());
        var r2 = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Euler, 10)).Sample(new GaussianOracle(tr.Path, Mu, S), x0);
        Assert.Null(r2.Trajectory);
        Assert.Equal(r.X.ToArray(), r2.X.ToArray());
    }

    [Fact]
    public void SamplingInsideAScopeReleasesIntermediates()
    {
        var tr = new FlowTransport();
        var x0 = Noise(6);
        Tensor x;
        using (var scope = new TensorScope())
        {
            x = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Rk4, 20)).Sample(new GaussianOracle(tr.Path, Mu, S), x0).X;
            Assert.True(scope.Count < 30, $"{scope.Count} tensors reached the caller's scope"); // only the hand-over states, not the stages
        }
        Assert.False(x.IsAlive);
    }

    [Fact]
    public void EpsilonScalingOfOneIsTheIdentityAndLargerShrinksTheNoise()
    {
        var tr = new FlowTransport(new TransportOptions(PathKind.Gvp));
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var x = Noise(7);
        var t = Tensor.Full(0.4f, N);
        var a = oracle.Forward(x, t, null).ToArray();
        var b = new EpsilonScaling(oracle, tr, 1.0).Forward(x, t, null).ToArray();
        for (int i = 0; i < a.Length; i += 97) Assert.Equal(a[i], b[i], 1e-4);
        // v' = α'x̂1 + σ'ε̂/λ ⇒ v' − v = σ'ε̂(1/λ − 1)
        var eps = PredictionConversions.Convert(tr.Path, x, 0.4, oracle.Forward(x, t, null), FlowQuantity.Velocity, FlowQuantity.Noise).ToArray();
        var c = new EpsilonScaling(oracle, tr, 1.25).Forward(x, t, null).ToArray();
        double ds = tr.Path.DSigma(0.4);
        for (int i = 0; i < a.Length; i += 97) Assert.Equal(a[i] + ds * eps[i] * (1 / 1.25 - 1), c[i], 1e-4);
        Assert.Contains("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonScaling(oracle, tr, 0.9)).Message);
        // a sampler runs on the wrapper (noise-prediction transport: output converted back)
        var ntr = new FlowTransport(new TransportOptions(PathKind.Linear, PredictionType.Noise));
        var noiseOracle = new GaussianOracle(ntr.Path, Mu, S, PredictionType.Noise);
        var r = new FixedStepOdeSampler(ntr, new OdeSamplerOptions(OdeMethod.Heun, 30)).Sample(new EpsilonScaling(noiseOracle, ntr, 1.0), Noise(8));
        AssertGaussian(r.X, "eps-scaling λ=1 noise prediction");
    }

    [Fact]
    public void TimeShiftSamplerSelectsTheMatchingNoiseLevel()
    {
        var tr = new FlowTransport();
        var ts = new TimeShiftSampler(tr, new TimeShiftOptions(Steps: 50, Window: 0.1, WindowPoints: 101, DataVariance: S * S));
        // exact variance at t ⇒ τ = t
        Assert.Equal(0.6, ts.SelectTime(0.6, ts.ExpectedVariance(0.6)), 12);
        // signal of time 0.6 with the noise of time 0.55 ⇒ τ = 0.55
        double a6 = tr.Path.Alpha(0.6), signal = a6 * a6 * S * S;
        Assert.Equal(0.55, ts.SelectTime(0.6, signal + Math.Pow(tr.Path.Sigma(0.55), 2)), 9);
        // out of the window ⇒ the window edge; less noisy than t ⇒ t
        Assert.Equal(0.5, ts.SelectTime(0.6, signal + Math.Pow(tr.Path.Sigma(0.3), 2)), 9);
        Assert.Equal(0.6, ts.SelectTime(0.6, signal + Math.Pow(tr.Path.Sigma(0.7), 2)), 12);
        // within the tolerance ⇒ t
        Assert.Equal(0.6, ts.SelectTime(0.6, signal + Math.Pow(tr.Path.Sigma(0.55), 2), tolerance: 1), 12);
        // batch variance estimator
        var x = Tensor.RandN(new Generator(1), 20000, 3) * 2f;
        Assert.Equal(4.0, TimeShiftSampler.EstimateVariance(x), 0.1);
        // with the exact oracle the sampler keeps the nominal times and equals plain Euler
        var oracle = new GaussianOracle(tr.Path, Mu, S);
        var x0 = Noise(9);
        var r = ts.Sample(oracle, x0);
        var euler = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Euler, 50)).Sample(oracle, x0);
        Assert.Equal(50, r.ModelTimes!.Count);
        Assert.Equal(50, r.Nfe);
        for (int i = 0; i < 50; i++) Assert.Equal(ts.Grid[i], r.ModelTimes[i]);
        Assert.Equal(euler.X.ToArray(), r.X.ToArray());
        // a state that is noisier than its time (noise inflated by 15%) makes it use earlier times, which
        // brings the final variance closer to the data's than plain Euler
        var noisy = x0 * 1.15f;
        var rs = ts.Sample(oracle, noisy);
        var re = new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Euler, 50)).Sample(oracle, noisy);
        int shifted = 0;
        for (int i = 0; i < 50; i++) { Assert.InRange(rs.ModelTimes![i], ts.Grid[i] - 0.1 - 1e-12, ts.Grid[i]); if (rs.ModelTimes[i] < ts.Grid[i]) shifted++; }
        Assert.True(shifted > 10, $"only {shifted} steps were shifted");
        double vs = Stats.MeanVar(rs.X).Var.Average(), ve = Stats.MeanVar(re.X).Var.Average();
        Assert.True(Math.Abs(vs - S * S) < Math.Abs(ve - S * S), $"time-shift variance {vs}, Euler {ve}, data {S * S}");
    }

    [Fact]
    public void SamplersRecordNoGraph()
    {
        var tr = new FlowTransport();
        var model = new ScalarModel();
        var x0 = Tensor.RandN(new Generator(1), 8, 2);
        ISampler[] samplers =
        [
            new FixedStepOdeSampler(tr, new OdeSamplerOptions(OdeMethod.Rk4, 4)), new DormandPrinceSampler(tr),
            new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Steps: 5)), new TimeShiftSampler(tr, new TimeShiftOptions(Steps: 5)),
        ];
        foreach (var s in samplers)
        {
            var r = s.Sample(model, x0, gen: new Generator(2));
            Assert.False(r.X.RequiresGrad, s.GetType().Name);
            Assert.All(r.X.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void BadSamplerOptionsAreRejected()
    {
        var tr = new FlowTransport();
        Assert.Contains("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new FixedStepOdeSampler(tr, new OdeSamplerOptions(Steps: 0))).Message);
        Assert.Contains("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new EulerMaruyamaSampler(tr, new SdeSamplerOptions(Steps: -3))).Message);
        Assert.Contains("Shift", Assert.Throws<ArgumentOutOfRangeException>(() => new FixedStepOdeSampler(tr, new OdeSamplerOptions(Shift: 0))).Message);
        Assert.Contains("Atol", Assert.Throws<ArgumentOutOfRangeException>(() => new DormandPrinceSampler(tr, new DormandPrinceOptions(Atol: -1))).Message);
        Assert.Contains("DiffusionNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new EulerMaruyamaSampler(tr, new SdeSamplerOptions(DiffusionNorm: -1))).Message);
        Assert.Contains("LastStepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new EulerMaruyamaSampler(tr, new SdeSamplerOptions(LastStepSize: 0))).Message);
        Assert.Contains("Window", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeShiftSampler(tr, new TimeShiftOptions(Window: 1.5))).Message);
        Assert.Contains("TrainEps", Assert.Throws<ArgumentOutOfRangeException>(() => new FlowTransport(new TransportOptions(TrainEps: -0.1))).Message);
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => new FixedStepOdeSampler(tr).Sample(new SpyModel(), Tensor.Zeros(2, 2), [1])).Message);
    }

    [Fact]
    public void SamplingIntervalsFollowSiTRules()
    {
        Assert.Equal(new TimeInterval(0, 1), new FlowTransport().OdeSampleInterval);
        Assert.Equal(new TimeInterval(0, 1 - 1e-3), new FlowTransport(new TransportOptions(PathKind.Vp)).OdeSampleInterval);
        Assert.Equal(new TimeInterval(1e-3, 1 - 1e-3), new FlowTransport(new TransportOptions(PathKind.Gvp, PredictionType.Noise)).OdeSampleInterval);
        Assert.Equal(new TimeInterval(0, 0.96), new FlowTransport().SdeSampleInterval(DiffusionForm.Sigma, 0.04));
        Assert.Equal(new TimeInterval(1e-3, 0.96), new FlowTransport().SdeSampleInterval(DiffusionForm.Sbdm, 0.04));
        Assert.Equal(new TimeInterval(0, 1 - 1e-5), new FlowTransport(new TransportOptions(PathKind.Vp)).TrainInterval);
    }
}
