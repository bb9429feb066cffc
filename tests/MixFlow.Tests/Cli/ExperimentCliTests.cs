using MixFlow.Experiments;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Cli;

[Collection(CliExperimentCollection.Name)]
public class ExperimentCliTests
{
    private static readonly string[] Tiny =
        ["--scale", "smoke", "--pretrain-steps", "6", "--posttrain-steps", "4", "--ckpt-every", "2", "--samples", "60", "--nfe", "2",
         "--rival-nfe", "2", "--slowflow-samples", "8", "--slowflow-steps", "3", "--nll-samples", "10", "--eval-batch", "30"];

    [Fact]
    public void Toy2dSmoke_Completes_AndSecondRunSkipsFinishedStages()
    {
        using var tmp = new TempDir();
        string run = tmp.File("exp");
        var (code, stdout, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", run]);
        Assert.True(code == 0, err);
        Assert.Contains("all stages finished", stdout);
        var store = new StageStore(run);
        string[] stages = ["pretrain", "post-a-fm", "post-b-mixflow-0.8", "post-c-mixflow-0.4", "post-d-ip-0.1", "nll-e", "eval-a-euler-nfe2", "eval-e-heun-nfe2", "eval-a-eps-scaling-nfe2", "eval-a-time-shift-nfe2", "slowflow"];
        var first = stages.ToDictionary(s => s, s => store.Read(s) ?? throw new Xunit.Sdk.XunitException($"stage {s} has no marker"));
        string report = File.ReadAllText(Path.Combine(run, ExperimentReport.MarkdownFile));
        Assert.Contains("All stages finished", report);
        Assert.Contains("N = 60", report);
        Assert.Contains("(b) MixFlow g=0.8", report);
        Assert.True(File.Exists(Path.Combine(run, "slowflow", "slowflow-x0-share.png")));
        var cell = store.ReadResult<CellResult>("eval-a-heun-nfe2")!;
        Assert.Equal(2, cell.MeasuredNfe); // Heun: 1 step of 2 evaluations
        Assert.Equal(60, cell.Toy!.Samples);
        Assert.NotNull(cell.Toy.TestNll);

        // Rerun: nothing is redone.
        (code, stdout, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", run]);
        Assert.True(code == 0, err);
        Assert.Contains("pretrain finished earlier (skipped)", stdout);
        Assert.DoesNotContain("experiment: eval-", stdout);
        foreach (var s in stages) Assert.Equal(first[s], store.Read(s));

        // A changed evaluation setting redoes only the evaluation stages; training stages stay.
        (code, stdout, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", run, "--eval-seed", "7"]);
        Assert.True(code == 0, err);
        Assert.Equal(first["pretrain"], store.Read("pretrain"));
        Assert.Equal(first["post-b-mixflow-0.8"], store.Read("post-b-mixflow-0.8"));
        Assert.NotEqual(first["eval-a-euler-nfe2"].Hash, store.Read("eval-a-euler-nfe2")!.Hash);
        Assert.True(Directory.Exists(Path.Combine(run, "eval-a-euler-nfe2.stale-1")));

        // --report-only with a wider grid: the report lists the new cells as missing, and none of them is run.
        var wider = Tiny.Select((a, i) => i > 0 && Tiny[i - 1] == "--nfe" ? "2,4" : a);
        (code, stdout, err) = EvalCliTests.Run(["experiment", "toy2d", .. wider, "--out", run, "--eval-seed", "7", "--report-only"]);
        Assert.True(code == 0, err);
        Assert.Matches(@"experiment toy2d: \d+ of \d+ stages finished; report ", stdout);
        report = File.ReadAllText(Path.Combine(run, ExperimentReport.MarkdownFile));
        Assert.Contains("**Incomplete**", report);
        Assert.Contains("eval-a-euler-nfe4", report);
        Assert.DoesNotContain("--report-only", report);
        Assert.False(Directory.Exists(Path.Combine(run, "eval-a-euler-nfe4")));
        Assert.Equal(first["pretrain"], store.Read("pretrain"));

        (code, _, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", tmp.File("nowhere"), "--report-only"]);
        Assert.Equal(2, code);
        Assert.Contains("report-only: there is no run directory", err);
        Assert.False(Directory.Exists(tmp.File("nowhere")));
    }

    [Fact]
    public void InterruptedPosttrain_ResumesFromItsCheckpoint()
    {
        using var tmp = new TempDir();
        string run = tmp.File("exp");
        var (code, _, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", run]);
        Assert.True(code == 0, err);
        // Simulate a crash after step 2 of post-a: drop its marker and final checkpoint, point 'latest' at step 2.
        string post = Path.Combine(run, "post-a-fm");
        File.Delete(Path.Combine(post, StageStore.MarkerFile));
        Directory.Delete(Path.Combine(post, "ckpt-4"), recursive: true);
        File.WriteAllText(Path.Combine(post, "latest"), "ckpt-2");
        (code, var stdout, err) = EvalCliTests.Run(["experiment", "toy2d", .. Tiny, "--out", run]);
        Assert.True(code == 0, err);
        Assert.Contains("post-a-fm resumes at step 2", stdout);
        var rec = new StageStore(run).Read("post-a-fm")!;
        Assert.Equal(2, rec.ResumedFromStep);
        Assert.True(Directory.Exists(Path.Combine(post, "ckpt-4")));
    }

    [Theory]
    [InlineData("toy2d", "--scale", "huge", "scale")]
    [InlineData("fmnist", "--samples", "15", "multiple of 10")]
    [InlineData("toy2d", "--nfe", "3", "even")]
    [InlineData("toy2d", "--nfe", "ten", "nfe")]
    [InlineData("fmnist", "--toy", "moons", "toy2d")]
    [InlineData("toy2d", "--cfg-nfe", "20", "unconditional")]
    [InlineData("toy2d", "--eps-lambda", "0.5", "eps-lambda")]
    public void BadOptions_AreRejectedWithUsageError(string which, string flag, string value, string expected)
    {
        using var tmp = new TempDir();
        var (code, _, err) = EvalCliTests.Run("experiment", which, flag, value, "--out", tmp.File("x"));
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(Path.Combine(tmp.File("x"), "pretrain")));
    }
}
