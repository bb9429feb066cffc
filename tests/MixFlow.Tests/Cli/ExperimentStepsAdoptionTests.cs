using MixFlow.Experiments;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Cli;

/// <summary>
/// A training stage stopped early (at a checkpoint) can be finished with a smaller total step count: the schedule
/// depends only on the step index, so the adopted checkpoint is the state the shorter run would have reached.
/// </summary>
[Collection(CliExperimentCollection.Name)]
public class ExperimentStepsAdoptionTests
{
    private static string[] Args(int pretrainSteps, string run) =>
        ["experiment", "toy2d", "--scale", "smoke", "--pretrain-steps", pretrainSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--posttrain-steps", "2", "--ckpt-every", "2", "--samples", "40", "--nfe", "2", "--rival-nfe", "none", "--slowflow-samples", "4",
         "--slowflow-steps", "2", "--nll-samples", "4", "--eval-batch", "20", "--out", run];

    [Fact]
    public void PretrainStoppedAtStepK_IsAdoptedByARunOfKSteps_AndEqualsADirectRun()
    {
        using var tmp = new TempDir();
        string longRun = tmp.File("long"), direct = tmp.File("direct");

        // A run configured for 8 pretraining steps, "stopped" after step 6: keep = 2 leaves ckpt-6 and ckpt-8; drop the
        // marker and ckpt-8 and point 'latest' at ckpt-6 (whose stored configuration still says 8 steps).
        var (code, _, err) = EvalCliTests.Run(Args(8, longRun));
        Assert.True(code == 0, err);
        string pre = Path.Combine(longRun, ExperimentRunner.PretrainStage);
        Assert.True(Directory.Exists(Path.Combine(pre, "ckpt-6")));
        File.Delete(Path.Combine(pre, StageStore.MarkerFile));
        Directory.Delete(Path.Combine(pre, "ckpt-8"), recursive: true);
        File.WriteAllText(Path.Combine(pre, "latest"), "ckpt-6");

        // Rerun with 6 steps: the step-6 checkpoint is adopted without training (and without moving the stage aside).
        (code, var stdout, err) = EvalCliTests.Run(Args(6, longRun));
        Assert.True(code == 0, err);
        Assert.DoesNotContain("pretrain: train steps", stdout);
        var rec = new StageStore(longRun).Read(ExperimentRunner.PretrainStage)!;
        Assert.Equal(6, rec.ResumedFromStep);
        Assert.False(Directory.Exists(pre + ".stale-1"));

        // A run made directly with 6 pretraining steps.
        (code, _, err) = EvalCliTests.Run(Args(6, direct));
        Assert.True(code == 0, err);

        // Everything downstream equals the direct run bit for bit (same post-training and evaluation results).
        foreach (var f in new[] { "model.safetensors", "ema.safetensors" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(direct, "pretrain", "ckpt-6", f)), File.ReadAllBytes(Path.Combine(pre, "ckpt-6", f)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(direct, "post-a-fm", "ckpt-2", f)), File.ReadAllBytes(Path.Combine(longRun, "post-a-fm", "ckpt-2", f)));
        }
        var a = new StageStore(direct).ReadResult<CellResult>("eval-b-euler-nfe2")!;
        var b = new StageStore(longRun).ReadResult<CellResult>("eval-b-euler-nfe2")!;
        Assert.Equal(a.Toy!.SlicedW2, b.Toy!.SlicedW2);
    }

    [Fact]
    public void PretrainCheckpointPastTheWantedTotal_IsNotAdopted()
    {
        using var tmp = new TempDir();
        string run = tmp.File("run");
        var (code, _, err) = EvalCliTests.Run(Args(6, run));
        Assert.True(code == 0, err);
        string pre = Path.Combine(run, ExperimentRunner.PretrainStage);
        File.Delete(Path.Combine(pre, StageStore.MarkerFile));
        (code, _, err) = EvalCliTests.Run(Args(4, run)); // latest is ckpt-6 > 4: retrain from scratch
        Assert.True(code == 0, err);
        Assert.True(Directory.Exists(pre + ".stale-1"));
        var rec = new StageStore(run).Read(ExperimentRunner.PretrainStage)!;
        Assert.Equal(0, rec.ResumedFromStep);
        Assert.True(Directory.Exists(Path.Combine(pre, "ckpt-4")));
    }
}
