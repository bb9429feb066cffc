using MixFlow.Evaluation;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Cli;

[Collection(CliExperimentCollection.Name)]
public class SlowFlowCliTests
{
    [Fact]
    public void SlowFlow_TwoCheckpoints_WritesJsonPngSvg()
    {
        using var tmp = new TempDir();
        string run = tmp.File("run");
        var (code, _, err) = EvalCliTests.Run("train", "--data", "toy:moons", "--model", "flow-mlp-s", "--steps", "4", "--batch-size", "32", "--ckpt-every", "2", "--keep", "2", "--sample-every", "0", "--out", run);
        Assert.True(code == 0, err);
        string prefix = tmp.File("out/sf");
        (code, var stdout, err) = EvalCliTests.Run("slowflow", "--ckpt", Path.Combine(run, "ckpt-2"), "--ckpt", Path.Combine(run, "ckpt-4"),
            "--label", "early", "--label", "late", "--steps", "5", "--samples", "16", "--batch-size", "8", "--out", prefix);
        Assert.True(code == 0, err);
        Assert.Contains("early", stdout);
        var reports = System.Text.Json.JsonSerializer.Deserialize<List<SlowFlowReport>>(File.ReadAllText(prefix + ".json"), EvaluationJson.Options)!;
        Assert.Equal(2, reports.Count);
        Assert.Equal(["early", "late"], reports.Select(r => r.LeastSquares.Label));
        foreach (var r in reports)
        {
            Assert.Equal(16, r.NoiseShare.Samples);
            Assert.Equal(6, r.NoiseShare.T.Length); // 5 steps: 6 grid times
            Assert.All(r.LeastSquares.Median, m => Assert.InRange(m, 0.0, 1.0));
        }
        foreach (var f in new[] { ".png", "-least-squares.png", "-x0-share.png" })
        {
            var bytes = File.ReadAllBytes(prefix + f);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
        Assert.StartsWith("<svg", File.ReadAllText(prefix + ".svg").TrimStart()[..4]);
    }

    [Fact]
    public void SlowFlow_BadOptions_AreUsageErrors()
    {
        var (code, _, err) = EvalCliTests.Run("slowflow", "--ckpt", "x", "--estimator", "median");
        Assert.Equal(2, code);
        Assert.Contains("estimator", err);
        (code, _, err) = EvalCliTests.Run("slowflow", "--ckpt", "x", "--label", "a", "--label", "b");
        Assert.Equal(2, code);
        Assert.Contains("2 labels for 1 checkpoints", err);
        (code, _, err) = EvalCliTests.Run("slowflow", "--ckpt", "x", "--method", "dopri5");
        Assert.Equal(2, code);
        Assert.Contains("method", err);
        using var tmp = new TempDir();
        (code, _, err) = EvalCliTests.Run("slowflow", "--ckpt", tmp.File("missing"));
        Assert.Equal(1, code);
        Assert.Contains("missing", err);
    }
}
