using System.Numerics.Tensors;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;

namespace MixFlow.Tensors.Tests;

[Collection(AllocationCounterCollection.Name)]
public class OptimizerTests
{
    private const int Steps = 5;
    private static readonly string[] Names = ["w1", "w2", "b", "s", "c"];
    private static readonly float[] BigScales = [1f, -0.5f, 2f, 0.25f, -1f];

    private static readonly Lazy<Dictionary<string, Tensor>> Small = new(() => SafeTensors.ReadAll(Fixture("optim_small.safetensors")));
    private static readonly Lazy<Dictionary<string, Tensor>> Big = new(() => SafeTensors.ReadAll(Fixture("optim_big.safetensors")));

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim", name);

    private static double LrAt(double baseLr, int k) => baseLr * (1 - 0.1 * k);

    private static List<NamedTensor> FreshParams()
        => Names.Select(n => new NamedTensor(n, Tensor.FromArray(Small.Value["init." + n].ToArray(), Small.Value["init." + n].Shape).RequireGrad())).ToList();

    private static void SetGrads(List<NamedTensor> ps, int k)
    {
        foreach (var (n, p) in ps)
            p.Grad = Small.Value.TryGetValue($"grad.{k}.{n}", out var g) ? Tensor.FromArray(g.ToArray(), g.Shape) : null;
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what, double rtol = 1e-6, double atol = 1e-7)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= atol + rtol * Math.Abs(e[i]), $"{what}[{i}]: got {a[i]:R}, PyTorch {e[i]:R}");
    }

    private static Optimizer Make(string kind, List<NamedTensor> ps) => kind switch
    {
        "adamw" => new AdamW(ps, new AdamWOptions(LearningRate: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1)),
        "sgd" => new Sgd(ps, new SgdOptions(LearningRate: 5e-2, Momentum: 0.9, WeightDecay: 0.01)),
        _ => new Sgd(ps, new SgdOptions(LearningRate: 5e-2, Momentum: 0.9, WeightDecay: 0.01, Nesterov: true)),
    };

    private static double BaseLr(string kind) => kind == "adamw" ? 1e-2 : 5e-2;

    private static void RunSteps(string kind, Optimizer opt, List<NamedTensor> ps, int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            opt.LearningRate = LrAt(BaseLr(kind), k);
            SetGrads(ps, k);
            opt.Step();
        }
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    [InlineData("sgdn")]
    public void MatchesPyTorchStepByStep(string kind)
    {
        var ps = FreshParams();
        var opt = Make(kind, ps);
        for (int k = 0; k < Steps; k++)
        {
            RunSteps(kind, opt, ps, k, k + 1);
            foreach (var (n, p) in ps) AssertClose(Small.Value[$"{kind}.{k}.{n}"], p, $"{kind} step {k + 1} '{n}'");
        }
        Assert.Equal(Steps, opt.StepCount);
        var sc = opt.Scalars();
        Assert.Equal(Steps - 1, sc.ParameterSteps["c"]); // skipped once (no gradient at step 2)
        Assert.Equal(Steps, sc.ParameterSteps["w1"]);
    }

    [Fact]
    public void AdamWDecaysOnlyMatricesByDefault()
    {
        var ps = FreshParams();
        var opt = new AdamW(ps);
        Assert.Equal(new[] { true, true, false, false, true }, Enumerable.Range(0, ps.Count).Select(opt.DecaysParameter));
        Assert.Equal(new AdamWOptions(1e-3, 0.9, 0.999, 1e-8, 0.01), opt.Options);

        // decaying the bias too changes it away from PyTorch's (two-group) result: the filter matters
        var ps2 = FreshParams();
        var all = new AdamW(ps2, new AdamWOptions(1e-2, 0.9, 0.99, 1e-8, 0.1) { WeightDecayFilter = WeightDecayFilters.All });
        RunSteps("adamw", all, ps2, 0, Steps);
        var b = ps2[2].Tensor.ToArray();
        var want = Small.Value[$"adamw.{Steps - 1}.b"].ToArray();
        Assert.True(b.Zip(want).Any(z => Math.Abs(z.First - z.Second) > 1e-5 * Math.Abs(z.Second)), "decaying the bias should change it");
        AssertClose(Small.Value[$"adamw.{Steps - 1}.w1"], ps2[0].Tensor, "w1 with all-decay filter");
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void LargeParameterMatchesPyTorch(string kind)
    {
        var init = Big.Value["init.big"];
        var g = Big.Value["grad.big"].ToArray();
        var p = Tensor.FromArray(init.ToArray(), init.Shape).RequireGrad();
        Assert.True(p.Numel > 32768, "should exceed the parallel threshold");
        var ps = new List<NamedTensor> { new("big", p) };
        var opt = Make(kind, ps);
        var gk = new float[g.Length];
        for (int k = 0; k < Steps; k++)
        {
            TensorPrimitives.Multiply(g, BigScales[k], gk);
            p.Grad = Tensor.FromArray(gk, init.Shape);
            opt.LearningRate = LrAt(BaseLr(kind), k);
            opt.Step();
        }
        AssertClose(Big.Value[$"{kind}.big"], p, $"{kind} big");
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    [InlineData("sgdn")]
    public void SaveAfterThreeStepsAndResumeIsBitExact(string kind)
    {
        var straight = FreshParams();
        RunSteps(kind, Make(kind, straight), straight, 0, Steps);

        var ps = FreshParams();
        var opt = Make(kind, ps);
        RunSteps(kind, opt, ps, 0, 3);
        var dir = Path.Combine(Path.GetTempPath(), "mixflow-opt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var statePath = Path.Combine(dir, "optim.safetensors");
            var paramPath = Path.Combine(dir, "params.safetensors");
            SafeTensors.Save(statePath, opt.StateTensors(), opt.Scalars().ToMetadata());
            SafeTensors.Save(paramPath, ps);

            var ps2 = FreshParams(); // different values: overwritten from the checkpoint
            using (var f = SafeTensors.Load(paramPath)) foreach (var (n, p) in ps2) f.ReadInto(n, p);
            var opt2 = Make(kind, ps2);
            using (var f = SafeTensors.Load(statePath))
                opt2.LoadState(f.ReadAll(), OptimizerScalars.FromMetadata(f.Metadata));
            Assert.Equal(3, opt2.StepCount);
            RunSteps(kind, opt2, ps2, 3, Steps);
            for (int i = 0; i < ps.Count; i++)
                Assert.Equal(straight[i].Tensor.ToArray().Select(BitConverter.SingleToInt32Bits), ps2[i].Tensor.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SaveStateFileRoundTripIsBitExactAndChecksType()
    {
        var straight = FreshParams();
        RunSteps("adamw", Make("adamw", straight), straight, 0, Steps);
        var ps = FreshParams();
        var opt = Make("adamw", ps);
        RunSteps("adamw", opt, ps, 0, 3);
        var path = Path.Combine(Path.GetTempPath(), "mixflow-optstate-" + Guid.NewGuid().ToString("N")[..8] + ".safetensors");
        try
        {
            opt.SaveState(path, new Dictionary<string, string> { ["run"] = "x" });
            var ps2 = ps.Select(p => new NamedTensor(p.Name, Tensor.FromArray(p.Tensor.ToArray(), p.Tensor.Shape))).ToList();
            var opt2 = Make("adamw", ps2);
            opt2.LoadState(path);
            RunSteps("adamw", opt2, ps2, 3, Steps);
            for (int i = 0; i < ps.Count; i++)
                Assert.Equal(straight[i].Tensor.ToArray().Select(BitConverter.SingleToInt32Bits), ps2[i].Tensor.ToArray().Select(BitConverter.SingleToInt32Bits));
            var ex = Assert.Throws<ArgumentException>(() => Make("sgd", FreshParams()).LoadState(path));
            Assert.Contains(path, ex.Message);
            Assert.Contains("AdamW", ex.Message);
            var other = new AdamW([new("w1", Tensor.Zeros(4, 3))]);
            var ex2 = Assert.Throws<ArgumentException>(() => other.LoadState(path));
            Assert.Contains("unexpected 'exp_avg.w2'", ex2.Message);
            Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => opt.SaveState(path, new Dictionary<string, string> { ["optim.lr"] = "1" })).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void StateTensorsAreNamedByKindAndParameter()
    {
        var ps = FreshParams();
        Assert.Equal(Names.Select(n => "exp_avg." + n).Concat(Names.Select(n => "exp_avg_sq." + n)), new AdamW(ps).StateTensors().Select(t => t.Name));
        Assert.Equal(Names.Select(n => "momentum_buffer." + n), new Sgd(ps, new SgdOptions(Momentum: 0.5)).StateTensors().Select(t => t.Name));
        Assert.Empty(new Sgd(ps).StateTensors());
    }

    [Fact]
    public void LoadStateReportsMissingAndMisshapenTensors()
    {
        var ps = FreshParams();
        var opt = new AdamW(ps);
        var state = opt.StateTensors().ToDictionary(t => t.Name, t => t.Tensor);
        state.Remove("exp_avg.b");
        state["exp_avg_sq.w1"] = Tensor.Zeros(3, 4);
        state["extra"] = Tensor.Zeros(1);
        var ex = Assert.Throws<ArgumentException>(() => opt.LoadState(state, opt.Scalars()));
        Assert.Contains("missing 'exp_avg.b'", ex.Message);
        Assert.Contains("'exp_avg_sq.w1' has shape [3, 4], expected [4, 3]", ex.Message);
        Assert.Contains("unexpected 'extra'", ex.Message);

        var good = opt.StateTensors().ToDictionary(t => t.Name, t => t.Tensor);
        var noSteps = new OptimizerScalars(3, 1e-3, new Dictionary<string, long>());
        Assert.Contains("no step count for parameter 'w1'", Assert.Throws<ArgumentException>(() => opt.LoadState(good, noSteps)).Message);
        Assert.Contains("optim.step", Assert.Throws<FormatException>(() => OptimizerScalars.FromMetadata(new Dictionary<string, string>())).Message);
    }

    [Fact]
    public void ScalarsRoundTripThroughMetadata()
    {
        var s = new OptimizerScalars(17, 0.1 + 0.2, new Dictionary<string, long> { ["a.b"] = 17, ["c"] = 3 });
        var r = OptimizerScalars.FromMetadata(s.ToMetadata());
        Assert.Equal(s.Step, r.Step);
        Assert.Equal(s.LearningRate, r.LearningRate); // exact double round trip
        Assert.Equal(s.ParameterSteps, r.ParameterSteps);
    }

    [Fact]
    public void StepAllocatesNothingInSteadyState()
    {
        var ps = FreshParams();
        var opt = Make("adamw", ps);
        SetGrads(ps, 0);
        for (int i = 0; i < 5; i++) opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ZeroGradAndNullGradients()
    {
        var ps = FreshParams();
        var opt = new Sgd(ps, new SgdOptions(LearningRate: 0.1));
        var before = ps.Select(p => p.Tensor.ToArray()).ToList();
        opt.Step(); // no gradients yet: nothing changes
        for (int i = 0; i < ps.Count; i++) Assert.Equal(before[i], ps[i].Tensor.ToArray());
        Assert.Equal(0, opt.Scalars().ParameterSteps["w1"]);
        SetGrads(ps, 0);
        opt.ZeroGrad();
        Assert.All(ps, p => Assert.All(p.Tensor.Grad!.ToArray(), v => Assert.Equal(0f, v)));
        opt.ZeroGrad(setToNull: true);
        Assert.All(ps, p => Assert.Null(p.Tensor.Grad));
    }

    [Fact]
    public void PlainSgdIsGradientDescent()
    {
        var p = Tensor.FromArray(new float[] { 1f, -2f, 3f }, 3).RequireGrad();
        p.Grad = Tensor.FromArray(new float[] { 0.5f, 0.25f, -1f }, 3);
        new Sgd([new("p", p)], new SgdOptions(LearningRate: 0.5)).Step();
        Assert.Equal(new[] { 1f - 0.25f, -2f - 0.125f, 3f + 0.5f }, p.ToArray());
    }

    [Fact]
    public void GradientOfWrongShapeIsReported()
    {
        var p = Tensor.Zeros(2, 3).RequireGrad();
        p.Grad = Tensor.Zeros(3, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => new AdamW([new("layer.weight", p)]).Step());
        Assert.Contains("'layer.weight'", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new AdamW([new("a", Tensor.Zeros(1)), new("a", Tensor.Zeros(1))])).Message);
        Assert.Contains("non-contiguous", Assert.Throws<ArgumentException>(() => new Sgd([new("t", Tensor.Zeros(2, 3).Transpose(0, 1))])).Message);
    }

    public static TheoryData<string, string, string> BadOptions => new()
    {
        { "adamw-lr", "LearningRate", "finite value >= 0" },
        { "adamw-beta1", "Beta1", "[0, 1)" },
        { "adamw-beta2", "Beta2", "[0, 1)" },
        { "adamw-beta2neg", "Beta2", "[0, 1)" },
        { "adamw-eps", "Eps", "> 0" },
        { "adamw-wd", "WeightDecay", ">= 0" },
        { "sgd-lr", "LearningRate", ">= 0" },
        { "sgd-mom", "Momentum", "[0, 1)" },
        { "sgd-damp", "Dampening", "[0, 1]" },
        { "sgd-wd", "WeightDecay", ">= 0" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsAreRejectedNamingOptionAndRange(string which, string option, string range)
    {
        List<NamedTensor> ps = [new("w", Tensor.Zeros(2, 2))];
        Action make = which switch
        {
            "adamw-lr" => () => new AdamW(ps, new AdamWOptions(LearningRate: -1e-3)),
            "adamw-beta1" => () => new AdamW(ps, new AdamWOptions(Beta1: 1.0)),
            "adamw-beta2" => () => new AdamW(ps, new AdamWOptions(Beta2: double.NaN)),
            "adamw-beta2neg" => () => new AdamW(ps, new AdamWOptions(Beta2: -0.1)),
            "adamw-eps" => () => new AdamW(ps, new AdamWOptions(Eps: 0)),
            "adamw-wd" => () => new AdamW(ps, new AdamWOptions(WeightDecay: double.PositiveInfinity)),
            "sgd-lr" => () => new Sgd(ps, new SgdOptions(LearningRate: double.NaN)),
            "sgd-mom" => () => new Sgd(ps, new SgdOptions(Momentum: 1.0)),
            "sgd-damp" => () => new Sgd(ps, new SgdOptions(Momentum: 0.9, Dampening: 1.5)),
            _ => () => new Sgd(ps, new SgdOptions(WeightDecay: -0.01)),
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.Contains(option, ex.Message);
        Assert.Contains(range, ex.Message);
    }

    [Fact]
    public void NesterovNeedsMomentumAndLearningRateSetterIsChecked()
    {
        List<NamedTensor> ps = [new("w", Tensor.Zeros(2))];
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(ps, new SgdOptions(Nesterov: true))).Message);
        var opt = new AdamW(ps);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = -1);
        Assert.Contains("LearningRate", ex.Message);
        opt.LearningRate = 0.5;
        Assert.Equal(0.5, opt.LearningRate);
    }

    // ------------------------------------------------------------------ gradient clipping

    private static Tensor WithGrad(float[] g, params int[] shape)
    {
        var p = Tensor.Zeros(shape).RequireGrad();
        p.Grad = Tensor.FromArray(g, shape);
        return p;
    }

    [Fact]
    public void ClipGlobalNormMatchesHandComputation()
    {
        var a = WithGrad([3f, 4f], 2);
        var b = WithGrad([12f], 1, 1);
        var none = Tensor.Zeros(3).RequireGrad(); // no gradient: skipped
        double norm = GradClip.ClipGlobalNorm([a, b, none], 6.5f);
        Assert.Equal(13.0, norm, 12);
        float c = (float)(6.5 / (13.0 + 1e-6));
        Assert.Equal(new[] { 3f * c, 4f * c }, a.Grad!.ToArray());
        Assert.Equal(new[] { 12f * c }, b.Grad!.ToArray());
        Assert.Equal(6.5, GradClip.GlobalNorm([a, b]), 5);

        // below the limit nothing changes
        var d = WithGrad([0.6f, -0.8f], 2);
        Assert.Equal(1.0, GradClip.ClipGlobalNorm([d], 1.5f), 6);
        Assert.Equal(new[] { 0.6f, -0.8f }, d.Grad!.ToArray());
        Assert.Equal(0.0, GradClip.ClipGlobalNorm(new[] { none }, 1f));
    }

    [Fact]
    public void ClipGlobalNormReportsNonFiniteWithoutScaling()
    {
        var a = WithGrad([3f, float.NaN], 2);
        var b = WithGrad([100f], 1);
        Assert.True(double.IsNaN(GradClip.ClipGlobalNorm([a, b], 1f)));
        Assert.Equal(100f, b.Grad!.ToArray()[0]);
        var c = WithGrad([float.PositiveInfinity, 1f], 2);
        Assert.True(double.IsPositiveInfinity(GradClip.ClipGlobalNorm([c, b], 1f)));
        Assert.Equal(100f, b.Grad!.ToArray()[0]);
        // float overflow of the squares does not happen: accumulation is in double
        var big = WithGrad([3e30f, 4e30f], 2);
        double bn = GradClip.GlobalNorm([big]);
        Assert.True(Math.Abs(bn - 5e30) <= 1e-6 * 5e30, $"norm {bn}");
    }

    [Fact]
    public void ClipGlobalNormOnLargeGradientsMatchesDoubleSum()
    {
        var gen = new Generator(11);
        var p1 = Tensor.Zeros(300, 500).RequireGrad();
        p1.Grad = Tensor.RandN(gen, 300, 500);
        var p2 = Tensor.Zeros(77).RequireGrad();
        p2.Grad = Tensor.RandN(gen, 77);
        double want = Math.Sqrt(p1.Grad.ToArray().Concat(p2.Grad.ToArray()).Sum(v => (double)v * v));
        var g1 = p1.Grad.ToArray();
        double norm = GradClip.ClipGlobalNorm(new List<NamedTensor> { new("p1", p1), new("p2", p2) }, 10f);
        Assert.True(Math.Abs(norm - want) <= 1e-12 * want, $"norm {norm:R} vs {want:R}");
        Assert.Equal(norm, GradClip.GlobalNorm([Tensor.Zeros(1)]) + norm); // skipping null grads adds nothing
        float c = (float)(10 / (want + 1e-6));
        Assert.Equal(g1[12345] * c, p1.Grad.ToArray()[12345]);
        Assert.Equal(10.0, GradClip.GlobalNorm([p1, p2]), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGlobalNorm([p1], 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGlobalNorm([p1], float.NaN));
    }

    // ------------------------------------------------------------------ schedules

    [Fact]
    public void ConstantAndWarmupSchedules()
    {
        Assert.Equal(3e-4, new ConstantLr(3e-4).At(0));
        Assert.Equal(3e-4, new ConstantLr(3e-4).At(1_000_000));
        var w = new LinearWarmup(4, 2.0);
        Assert.Equal(0.5, w.At(0));
        Assert.Equal(1.0, w.At(1));
        Assert.Equal(2.0, w.At(3));
        Assert.Equal(2.0, w.At(4));
        Assert.Equal(2.0, w.At(1000));
        Assert.Equal(2.0, new LinearWarmup(0, 2.0).At(0));
        var wc = new LinearWarmup(10, new CosineDecay(1.0, 100));
        Assert.Equal(0.1 * new CosineDecay(1.0, 100).At(0), wc.At(0), 15);
        Assert.Equal(new CosineDecay(1.0, 100).At(50), wc.At(50));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLr(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(-1, 1.0));
        Assert.Contains("negative", Assert.Throws<ArgumentOutOfRangeException>(() => w.At(-1)).Message);
    }

    [Fact]
    public void LinearDecayValuesAtBoundaries()
    {
        var s = new LinearDecay(Peak: 1.0, TotalSteps: 10, WarmupSteps: 2, Final: 0.1);
        Assert.Equal(0.5, s.At(0));
        Assert.Equal(1.0, s.At(1));
        Assert.Equal(1.0, s.At(2));
        Assert.Equal(1.0 + (0.1 - 1.0) * 4 / 8, s.At(6), 15);
        Assert.Equal(1.0 + (0.1 - 1.0) * 7 / 8, s.At(9), 15);
        Assert.Equal(0.1, s.At(10));
        Assert.Equal(0.1, s.At(1000));
        Assert.Equal(1.0, new LinearDecay(1.0, 4).At(0));
        Assert.Equal(0.25, new LinearDecay(1.0, 4).At(3));
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new LinearDecay(1.0, TotalSteps: 5, WarmupSteps: 5).At(0));
        Assert.Contains("TotalSteps", bad.Message);
        Assert.Contains("Peak", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearDecay(-1, 5).At(0)).Message);
    }

    [Fact]
    public void CosineDecayValuesAtBoundaries()
    {
        var s = new CosineDecay(Peak: 2.0, TotalSteps: 12, WarmupSteps: 2, Final: 0.2);
        Assert.Equal(1.0, s.At(0));
        Assert.Equal(2.0, s.At(1));
        Assert.Equal(2.0, s.At(2));
        Assert.Equal(1.1, s.At(7), 12); // halfway: mean of peak and final
        Assert.Equal(0.2 + 1.8 * 0.5 * (1 + Math.Cos(Math.PI * 0.2)), s.At(4), 12);
        Assert.Equal(0.2, s.At(12));
        Assert.Equal(0.2, s.At(13));
        Assert.True(s.At(11) > 0.2 && s.At(11) < s.At(10));
        for (long t = 3; t < 12; t++) Assert.True(s.At(t) < s.At(t - 1), $"not decreasing at {t}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(1.0, 3, 3).At(0));
        Assert.Contains("Final", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(1.0, 10, Final: double.NaN).At(0)).Message);
    }
}
