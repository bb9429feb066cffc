using MixFlow.Training;
using static MixFlow.Tests.Training.TrainingTestUtil;

namespace MixFlow.Tests.Training;

public class ResumeTests
{
    [Theory]
    [InlineData(ObjectiveKind.FlowMatching)]
    [InlineData(ObjectiveKind.MixFlow)]
    public void StopAndResume_IsBitIdenticalToStraightRun(ObjectiveKind objective)
    {
        using var tmp = new TempDir();
        const int n = 6;
        // Straight 2N steps.
        var straight = TrainingSetup.Create(Tiny(tmp.Sub("a"), 2 * n, objective), Toy);
        new Trainer(straight).Run();
        // N steps, stop (checkpoint), rebuild everything from the checkpoint, N more.
        var first = TrainingSetup.Create(Tiny(tmp.Sub("b"), n, objective), Toy);
        var r1 = new Trainer(first).Run();
        Assert.Equal(n, r1.FinalStep);
        var resumed = TrainingSetup.Resume(Checkpoint.Open(tmp.Sub("b")), steps: 2 * n, dataset: Toy);
        Assert.Equal(n, resumed.Step);
        var r2 = new Trainer(resumed).Run();
        Assert.Equal(2 * n, r2.FinalStep);

        Assert.Equal(Flat(straight.Model.StateDict()), Flat(resumed.Model.StateDict()));
        Assert.Equal(Flat(straight.Ema.StateDict()), Flat(resumed.Ema.StateDict()));
        Assert.Equal(Flat(straight.Optimizer.StateTensors()), Flat(resumed.Optimizer.StateTensors()));
        Assert.Equal(straight.Optimizer.StepCount, resumed.Optimizer.StepCount);
        Assert.Equal(straight.Rng.GetState(), resumed.Rng.GetState());
        Assert.Equal(straight.Data.State, resumed.Data.State);
        // The weights did change (the comparison is not vacuous).
        var fresh = TrainingSetup.Create(Tiny(tmp.Sub("c"), 1, objective), Toy);
        Assert.NotEqual(Flat(fresh.Model.StateDict()), Flat(straight.Model.StateDict()));
        // metrics.jsonl of the resumed run holds each logged step once.
        var steps = MetricsWriter.ReadAll(System.IO.Path.Combine(tmp.Sub("b"), Trainer.MetricsFile)).Select(e => e.Step).ToList();
        Assert.Equal(Enumerable.Range(1, n).Select(i => 2 * i).ToList(), steps);
    }

    [Fact]
    public void Cancellation_FinishesStepAndWritesCheckpoint()
    {
        using var tmp = new TempDir();
        var s = TrainingSetup.Create(Tiny(tmp.Path, 50), Toy);
        using var cts = new CancellationTokenSource();
        var sink = new CancelAfter(3, cts);
        var r = new Trainer(s, sink).Run(cts.Token);
        Assert.Equal(TrainStopReason.Cancelled, r.Reason);
        Assert.Equal(3, r.FinalStep);
        var ck = Checkpoint.Open(tmp.Path);
        Assert.Equal(3, ck.State.Step);
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource cts) : IProgressSink
    {
        public void OnStart(string title, int startStep, int totalSteps) { }
        public void OnStep(int step, double loss) { if (step >= steps) cts.Cancel(); }
        public void OnLog(TrainLogEntry entry) { }
        public void OnMessage(string message) { }
        public void OnEnd(TrainResult result) { }
    }
}
