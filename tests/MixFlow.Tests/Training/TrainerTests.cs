using MixFlow.Tensors;
using MixFlow.Tensors.Memory;
using MixFlow.Training;
using static MixFlow.Tests.Training.TrainingTestUtil;

namespace MixFlow.Tests.Training;

public class TrainerTests
{
    private static TrainingSession Poisoned(string dir, int steps, int maxNonFinite, Func<int, bool> poison)
    {
        var cfg = Tiny(dir, steps) with { MaxNonFinite = maxNonFinite };
        var s = TrainingSetup.Create(cfg, Toy);
        return new TrainingSession
        {
            Model = s.Model, Ema = s.Ema, Objective = new PoisonedObjective(s.Objective, poison), ObjectiveDescription = "poisoned",
            Optimizer = s.Optimizer, Schedule = s.Schedule, Data = s.Data, Rng = s.Rng, Config = s.Config, ModelPreset = s.ModelPreset,
        };
    }

    [Fact]
    public void NonFiniteLoss_SkipsStepWithoutUpdating()
    {
        using var tmp = new TempDir();
        var s = Poisoned(tmp.Path, 6, 5, call => call is 1 or 4);
        var r = new Trainer(s).Run();
        Assert.Equal(6, r.FinalStep);
        Assert.Equal(2, r.SkippedSteps);
        Assert.Equal(4, s.Optimizer.StepCount); // only the finite steps updated the weights
        Assert.All(Flat(s.Model.StateDict()), v => Assert.True(float.IsFinite(v)));
        var log = MetricsWriter.ReadAll(r.MetricsPath);
        Assert.Equal(2, log[^1].Skipped);
        Assert.Equal(2, Checkpoint.Open(tmp.Path).State.SkippedSteps);
    }

    [Fact]
    public void TooManyNonFiniteSteps_AbortsNamingTheOption()
    {
        using var tmp = new TempDir();
        var s = Poisoned(tmp.Path, 20, 3, _ => true);
        var e = Assert.Throws<TrainingAbortedException>(() => new Trainer(s).Run());
        Assert.Contains("max-nonfinite", e.Message);
        Assert.Equal(4, e.Step);
    }

    [Fact]
    public void MetricsAndLossDecrease()
    {
        using var tmp = new TempDir();
        var cfg = Tiny(tmp.Path, 60) with { LogEvery = 20, Lr = 3e-3 };
        var r = new Trainer(TrainingSetup.Create(cfg, Toy)).Run();
        var log = MetricsWriter.ReadAll(r.MetricsPath);
        Assert.Equal(new[] { 20, 40, 60 }, log.Select(e => e.Step));
        Assert.All(log, e => { Assert.True(e.StepsPerSecond > 0); Assert.True(e.SamplesPerSecond >= e.StepsPerSecond * 32 * 0.99); Assert.True(e.GradNorm > 0); });
        Assert.True(log[^1].Loss < log[0].Loss, $"loss did not decrease: {log[0].Loss} → {log[^1].Loss}");
    }

    internal sealed class Probe(Action<int>? onStep) : IProgressSink
    {
        public void OnStart(string title, int startStep, int totalSteps) { }
        public void OnStep(int step, double loss) => onStep?.Invoke(step);
        public void OnLog(TrainLogEntry entry) { }
        public void OnMessage(string message) { }
        public void OnEnd(TrainResult result) { }
    }
}

/// <summary>Memory accounting is process-global, so this runs alone (after the parallel tests).</summary>
[CollectionDefinition("MemoryAccounting", DisableParallelization = true)]
public class MemoryAccountingCollection { }

[Collection("MemoryAccounting")]
public class TrainerMemoryTests
{
    [Fact]
    public void SteadyStateSteps_DoNotGrowPooledMemory()
    {
        using var tmp = new TempDir();
        var s = TrainingSetup.Create(Tiny(tmp.Path, 160) with { LogEvery = 1000, CkptEvery = 0 }, Toy);
        long after10 = 0;
        var sink = new TrainerTests.Probe(step => { if (step == 10) after10 = BufferPool.AllocatedBytes; });
        new Trainer(s, sink).Run();
        long end = BufferPool.AllocatedBytes;
        // Pool growth over 150 further steps must stay far below what they would allocate without reuse.
        Assert.True(end - after10 < 4L << 20, $"pool grew by {end - after10} bytes after warm-up");
    }

}
