using MixFlow.Experiments;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Experiments;

/// <summary>Runners sharing a run directory: stage claims are exclusive, released on dispose, and respected by the runner.</summary>
[Collection(MixFlow.Tests.Cli.CliExperimentCollection.Name)]
public class StageClaimTests
{
    [Fact]
    public void Claim_IsExclusive_UntilDisposed()
    {
        using var tmp = new TempDir();
        var first = StageClaim.TryAcquire(tmp.Path, "eval-a-euler-nfe10");
        Assert.NotNull(first);
        Assert.Equal("eval-a-euler-nfe10", first!.Stage);
        Assert.Null(StageClaim.TryAcquire(tmp.Path, "eval-a-euler-nfe10"));
        using (var other = StageClaim.TryAcquire(tmp.Path, "eval-b-euler-nfe10")) Assert.NotNull(other); // other stages are free
        first.Dispose();
        using var again = StageClaim.TryAcquire(tmp.Path, "eval-a-euler-nfe10");
        Assert.NotNull(again);
        Assert.True(File.Exists(Path.Combine(tmp.Path, StageClaim.Folder, "eval-a-euler-nfe10.lock")));
    }

    [Fact]
    public async Task Acquire_WaitsForTheHolder_AndHonoursCancellation()
    {
        using var tmp = new TempDir();
        var held = StageClaim.TryAcquire(tmp.Path, "s")!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => StageClaim.Acquire(tmp.Path, "s", TimeSpan.FromMilliseconds(20), cts.Token));
        var waiter = Task.Run(() => StageClaim.Acquire(tmp.Path, "s", TimeSpan.FromMilliseconds(20)));
        Thread.Sleep(150);
        Assert.False(waiter.IsCompleted);
        held.Dispose();
        (await waiter.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    private static ExperimentOptions Tiny(string dir) => ExperimentOptions.ForScale(ExperimentKind.Toy2D, ExperimentScale.Smoke, dir) with
    {
        PretrainSteps = 4, PosttrainSteps = 2, CkptEvery = 2, Samples = 40, EvalBatchSize = 20, Nfes = [2], RivalNfes = [],
        SlowFlowSamples = 4, SlowFlowSteps = 2, NllSamples = 4, NllSteps = 2, Threads = 1,
    };

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public async Task Runner_SkipsAnEvaluationStageHeldElsewhere_AndRunsItWhenReleased()
    {
        using var tmp = new TempDir();
        var o = Tiny(tmp.File("run"));
        var probe = new ExperimentRunner(o);
        var stages = probe.PlannedStages();
        const string held = "eval-b-euler-nfe2";
        Assert.Contains(held, stages);
        var claim = StageClaim.TryAcquire(probe.Store.RunDirectory, held)!;
        var log = new StringWriter();
        var runner = new ExperimentRunner(o, new PlainExperimentHost(TextWriter.Synchronized(log))) { ClaimPoll = TimeSpan.FromMilliseconds(20) };
        var run = Task.Run(() => runner.Run());
        try
        {
            // Every other stage finishes (including those planned after the held one) while the held one is not run.
            WaitUntil(() => stages.Where(s => s != held).All(s => probe.Store.Read(s) is not null), "the other stages finish");
            Thread.Sleep(200);
            Assert.False(run.IsCompleted);
            Assert.Null(probe.Store.Read(held));
            Assert.Contains($"{held} is being run by another runner", log.ToString());
        }
        finally { claim.Dispose(); }
        var summary = await run.WaitAsync(TimeSpan.FromSeconds(120)); // TimeoutException: the runner did not finish once the claim was released
        Assert.NotNull(probe.Store.Read(held));
        Assert.NotNull(probe.Store.ReadResult<CellResult>(held));
        Assert.True(summary.Cells.Count >= stages.Count(s => s.StartsWith("eval-", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("post-a-fm")]
    [InlineData("nll-a")] // the 2-D cells read the NLL result: a runner must not run them before it either
    public async Task Runner_RunsEverythingThatDoesNotNeedAHeldStage_AndTheRestOnceItIsFinished(string held)
    {
        using var tmp = new TempDir();
        var o = Tiny(tmp.File("run"));
        var probe = new ExperimentRunner(o);
        var stages = probe.PlannedStages().ToList();
        Assert.Contains(held, stages);
        var needsHeld = new HashSet<string> { held }; // the held stage and everything that reads it, directly or not
        foreach (var s in stages)
            if (probe.Dependencies(s).Any(needsHeld.Contains)) needsHeld.Add(s);
        Assert.True(needsHeld.Count > 1, "the held stage must have dependents for this test to mean anything");
        var free = stages.Where(s => !needsHeld.Contains(s)).ToList();
        Assert.Contains(free, s => stages.IndexOf(s) > stages.IndexOf(held)); // some of them come after it in the plan
        var claim = StageClaim.TryAcquire(probe.Store.RunDirectory, held)!;
        var log = new StringWriter();
        var runner = new ExperimentRunner(o, new PlainExperimentHost(TextWriter.Synchronized(log))) { ClaimPoll = TimeSpan.FromMilliseconds(20) };
        var run = Task.Run(() => runner.Run());
        try
        {
            WaitUntil(() => free.All(s => probe.Store.Read(s) is not null), "every stage that does not need the held one finishes");
            Thread.Sleep(300);
            Assert.False(run.IsCompleted, log.ToString());
            foreach (var s in needsHeld)
                Assert.False(Directory.Exists(probe.Store.DirectoryOf(s)), $"{s} needs {held} and must not start while it is held: {log}");
            Assert.Contains($"waiting for another runner to finish {held}", log.ToString());
        }
        finally { claim.Dispose(); }
        await run.WaitAsync(TimeSpan.FromSeconds(120)); // TimeoutException: the runner did not finish once the claim was released
        Assert.All(stages, s => Assert.NotNull(probe.Store.Read(s)));
    }

    [Fact]
    public void Runner_LogsEachCellsStartAndSamplingProgress()
    {
        using var tmp = new TempDir();
        var log = new StringWriter();
        var runner = new ExperimentRunner(Tiny(tmp.File("run")), new PlainExperimentHost(log)) { ProgressInterval = TimeSpan.Zero };
        runner.Run();
        string text = log.ToString();
        Assert.Contains("experiment: eval-a-euler-nfe2: sampling 40 in 2 batches of 20", text);
        Assert.Matches(@"experiment: eval-a-euler-nfe2: 20 / 40 samples, \d+\.\d min, about \d+\.\d min left", text);
        Assert.DoesNotContain("40 / 40 samples", text); // the end is the cell's result line, not a progress line
    }

    [Theory]
    [InlineData(ExperimentKind.Toy2D)]
    [InlineData(ExperimentKind.FashionMnist)]
    public void EveryDependency_IsPlannedBeforeItsStage(ExperimentKind kind)
    {
        using var tmp = new TempDir();
        var o = ExperimentOptions.ForScale(kind, ExperimentScale.Full, tmp.File("run"));
        var runner = new ExperimentRunner(o);
        var stages = runner.PlannedStages().ToList();
        Assert.Equal(stages.Count, stages.Distinct().Count());
        foreach (var s in stages)
            foreach (var d in runner.Dependencies(s))
                Assert.True(stages.IndexOf(d) >= 0 && stages.IndexOf(d) < stages.IndexOf(s), $"{s} depends on {d}, which is not planned before it");
        Assert.Empty(runner.Dependencies(ExperimentRunner.PretrainStage));
        Assert.Contains("post-b-mixflow-0.8", runner.Dependencies(ExperimentRunner.SlowFlowStage));
        Assert.Throws<ArgumentException>(() => runner.Dependencies("eval-z-euler-nfe3"));
    }
}
