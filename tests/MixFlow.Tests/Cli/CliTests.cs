using MixFlow.Cli;
using MixFlow.Tests.Training;
using MixFlow.Training;

namespace MixFlow.Tests.Cli;

public class CliTests
{
    static CliTests() => ConsoleUi.ForcePlain = true;

    private static (int Code, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        int code = Program.Run(args, err);
        return (code, err.ToString());
    }

    private static readonly string[] Fast = ["--data", "toy:moons", "--model", "flow-mlp-s", "--batch-size", "32", "--log-every", "5", "--sample-every", "0"];

    [Fact]
    public void UnknownConfigKey_IsUsageErrorNamingKey()
    {
        using var tmp = new TempDir();
        string yaml = tmp.Sub("c.yaml");
        File.WriteAllText(yaml, "steps: 10\nbatchsize: 32\n");
        var (code, err) = Run("train", "--config", yaml, "--out", tmp.Sub("o"));
        Assert.Equal(2, code);
        Assert.Contains("unknown config key 'batchsize'", err);
        Assert.Contains("batch-size", err); // the known keys are listed
        Assert.Contains(yaml, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Theory]
    [InlineData("--gamma", "1.5", "gamma", "[0, 1]")]
    [InlineData("--objective", "ddpm", "objective", "fm | mixflow | ip")]
    [InlineData("--time-sampler", "beta:2", "time-sampler", "beta:<a>,<b>")]
    [InlineData("--steps", "0", "steps", ">= 1")]
    [InlineData("--data", "cifar", "data", "fmnist | mnist")]
    public void BadValue_IsUsageErrorNamingKeyAndAllowed(string flag, string value, string key, string allowed)
    {
        using var tmp = new TempDir();
        var (code, err) = Run("train", flag, value, "--out", tmp.Sub("o"));
        Assert.Equal(2, code);
        Assert.StartsWith("mixflow: ", err);
        Assert.Contains(key, err);
        Assert.Contains(allowed, err);
    }

    [Fact]
    public void BadYamlValue_NamesFileAndKey()
    {
        using var tmp = new TempDir();
        string yaml = tmp.Sub("c.yaml");
        File.WriteAllText(yaml, "ema-decay: 1.0\n");
        var (code, err) = Run("train", "--config", yaml);
        Assert.Equal(2, code);
        Assert.Contains("ema-decay", err);
        Assert.Contains("[0, 1)", err);
    }

    [Fact]
    public void FlagsOverrideConfig()
    {
        using var tmp = new TempDir();
        string yaml = tmp.Sub("c.yaml");
        File.WriteAllText(yaml, $"steps: 500\nbatch_size: 16\nseed: 11\nout: {tmp.Sub("from-yaml")}\n");
        var (code, err) = Run(["train", "--config", yaml, .. Fast, "--steps", "4", "--out", tmp.Sub("o")]);
        Assert.True(code == 0, err);
        var ck = Checkpoint.Open(tmp.Sub("o"));
        var cfg = ck.Config;
        Assert.Equal(4, cfg.Steps);            // flag wins over YAML
        Assert.Equal(32, cfg.BatchSize);       // flag wins over YAML
        Assert.Equal(11UL, cfg.Seed);          // YAML value kept
        Assert.False(Directory.Exists(tmp.Sub("from-yaml")));
    }

    [Fact]
    public void TrainPosttrainSample_EndToEnd()
    {
        using var tmp = new TempDir();
        string run = tmp.Sub("run"), post = tmp.Sub("post");
        var (c1, e1) = Run(["train", .. Fast[..^2], "--steps", "10", "--ckpt-every", "5", "--sample-every", "10", "--out", run]);
        Assert.True(c1 == 0, e1);
        Assert.True(new FileInfo(Path.Combine(run, "preview-10.png")).Length > 100); // scatter preview of 2-D data
        Assert.Equal([5, 10], CheckpointManager.ListSteps(run));
        var parent = Checkpoint.Open(run);
        Assert.Equal(10, parent.State.Step);
        Assert.Null(parent.State.Parent);

        var (c2, e2) = Run("posttrain", "--from", run, "--objective", "mixflow", "--gamma", "0.5", "--steps", "6", "--out", post);
        Assert.True(c2 == 0, e2);
        var child = Checkpoint.Open(post);
        Assert.Equal(parent.Directory, child.State.Parent);
        Assert.Equal(6, child.State.Step);
        Assert.StartsWith("mixflow(gamma=0.5", child.State.Objective);
        Assert.EndsWith("time=beta:2,1)", child.State.Objective); // the parent trained with uniform t; MixFlow post-training draws t ~ Beta(2, 1)
        Assert.Equal(parent.Config.BatchSize, child.Config.BatchSize); // parent's settings kept
        Assert.Equal("flow-mlp-s", child.State.ModelPreset);

        var (c3, e3) = Run("sample", "--ckpt", post, "--n", "50", "--steps", "3", "--sampler", "heun", "--out", tmp.Sub("s"));
        Assert.True(c3 == 0, e3);
        Assert.True(new FileInfo(tmp.Sub("s/samples.png")).Length > 100);
        var npy = MixFlow.Data.NpyFile.Read(tmp.Sub("s/samples.npy"));
        Assert.Equal(new[] { 50, 2 }, npy.Shape);

        var (ca, ea) = Run("sample", "--ckpt", post, "--autoguidance", run, "--n", "20", "--steps", "2", "--no-ema", "--out", tmp.Sub("ag"));
        Assert.True(ca == 0, ea);
        Assert.Equal(new[] { 20, 2 }, MixFlow.Data.NpyFile.Read(tmp.Sub("ag/samples.npy")).Shape);

        var (c4, e4) = Run("info", post);
        Assert.True(c4 == 0, e4);

        // Resuming a finished run with more steps continues from its checkpoint.
        var (c5, e5) = Run("train", "--resume", run, "--steps", "12");
        Assert.True(c5 == 0, e5);
        Assert.Equal(12, Checkpoint.Open(run).State.Step);
    }

    [Fact]
    public void MissingAndCorruptFiles_AreOneLineErrors()
    {
        using var tmp = new TempDir();
        var (c1, e1) = Run("train", "--data", "npz:" + tmp.Sub("none.npz"), "--out", tmp.Sub("o"));
        Assert.Equal(1, c1);
        Assert.Contains("none.npz", e1);
        Assert.Single(e1.Trim().Split('\n'));

        var (c2, e2) = Run("sample", "--ckpt", tmp.Sub("nothing"));
        Assert.Equal(1, c2);
        Assert.Contains("not found", e2);

        string run = tmp.Sub("run");
        Assert.Equal(0, Run(["train", .. Fast, "--steps", "2", "--out", run]).Code);
        File.WriteAllText(Path.Combine(CheckpointManager.Latest(run)!, "model.safetensors"), "garbage");
        var (c3, e3) = Run("sample", "--ckpt", run, "--n", "4");
        Assert.Equal(1, c3);
        Assert.Contains("model.safetensors", e3);

        var (c4, e4) = Run("sample", "--ckpt", run, "--sampler", "leapfrog");
        Assert.Equal(2, c4);
        Assert.Contains("euler | heun", e4);
    }

    [Fact]
    public void UnwritableOutput_IsClearError()
    {
        using var tmp = new TempDir();
        string file = tmp.Sub("f");
        File.WriteAllText(file, "");
        var (code, err) = Run(["train", .. Fast, "--steps", "2", "--out", Path.Combine(file, "run")]);
        Assert.Equal(1, code);
        Assert.Contains("not writable", err);
    }

    [Fact]
    public void Posttrain_RecordsParent_AndKeepsOptimizerOnRequest()
    {
        using var tmp = new TempDir();
        string run = tmp.Sub("run");
        Assert.Equal(0, Run(["train", .. Fast, "--steps", "4", "--out", run]).Code);
        var (code, err) = Run("posttrain", "--from", run, "--objective", "fm", "--steps", "2", "--keep-optimizer");
        Assert.True(code == 0, err);
        var child = Checkpoint.Open(run + "-post-fm"); // default output next to the parent run
        Assert.Equal(Checkpoint.Open(run).Directory, child.State.Parent);
        Assert.Equal("6", child.State.Optimizer["optim.step"]); // 4 parent steps + 2 post-training steps
    }
}

public class ConfigPresetTests
{
    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !Directory.Exists(Path.Combine(d.FullName, "configs"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("repository root with configs/ not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void ShippedConfigs_ParseWithoutErrors()
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "configs"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var cfg = ConfigFile.Apply(new TrainConfig(), f);
            Assert.True(cfg.Steps >= 1, f);
        }
        var post = ConfigFile.Apply(new TrainConfig(), Path.Combine(RepoRoot(), "configs", "posttrain-mixflow.yaml"));
        Assert.Equal(ObjectiveKind.MixFlow, post.Objective);
        Assert.Equal(0.8, post.Gamma);
        Assert.Equal(TimeSamplerSpec.Beta21, post.EffectiveTimeSampler);
    }

    [Fact]
    public void ConfigKeys_RoundTripThroughDictionary()
    {
        var cfg = new TrainConfig
        {
            Data = DataSpec.Parse("toy:rings"), Model = "flow-mlp-s", Objective = ObjectiveKind.InputPerturbation, Gamma = 0.3,
            TimeSampler = TimeSamplerSpec.Parse("logit-normal:0.5,1.5"), Steps = 77, BatchSize = 9, Lr = 3.3e-4, Seed = 123456789012345UL,
        };
        Assert.Equal(cfg, TrainConfigKeys.FromDictionary(TrainConfigKeys.ToDictionary(cfg)));
    }
}
