using System.Text.Json;
using MixFlow.Cli;
using MixFlow.Cli.Commands;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tests.Data;
using MixFlow.Tests.Evaluation;

namespace MixFlow.Tests.Cli;

[Collection(CliExperimentCollection.Name)]
public class EvalCliTests
{
    static EvalCliTests() => ConsoleUi.ForcePlain = true;

    internal static (int Code, string Out, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        var outW = new StringWriter();
        var old = Console.Out;
        Console.SetOut(outW);
        int code;
        try { code = Program.Run(args, err); }
        finally { Console.SetOut(old); }
        return (code, outW.ToString(), err.ToString());
    }

    /// <summary>A tiny random feature network on 8×8 images with the "halves" data as its reference set.</summary>
    private static Evaluator TinyEvaluator(string? cacheDir, ImageMetricsOptions options)
    {
        var net = FeatureNetwork.FromModel(new ClassifierCnn(FeatureNetworkTests.TinyArch, new Generator(21)));
        var data = FeatureNetworkTests.HalvesDataset(60, 22);
        var images = Evaluator.Quantize(data.Gather(Enumerable.Range(0, 60).ToArray(), out _));
        return new Evaluator(net, new ReferenceSet(net.Embed(images), data.Labels), options with { InceptionSplits = 2, BlockRows = 16 });
    }

    [Fact]
    public void Eval_Npz_PrintsTableWithN_AndWritesJson()
    {
        using var tmp = new TempDir();
        var data = FeatureNetworkTests.HalvesDataset(40, 5);
        var images = Evaluator.Quantize(data.Gather(Enumerable.Range(0, 40).ToArray(), out _));
        string npz = tmp.File("s.npz"), json = tmp.File("out/r.json");
        NpzFile.WriteSamples(npz, MixFlow.Imaging.ImageConvert.ToNhwcBytes(images), 40, 8, 8, 1, data.Labels!.Select(l => (long)l).ToArray());
        EvalCommand.EvaluatorFactory = TinyEvaluator;
        try
        {
            var (code, stdout, err) = Run("eval", "--samples", npz, "--json", json);
            Assert.True(code == 0, err);
            Assert.Contains("40 images", stdout);
            var r = ImageMetricsResult.FromJson(File.ReadAllText(json));
            Assert.Equal(40, r.Samples);
            Assert.NotNull(r.ClassAccuracy);
            // The same numbers as the library call on the same file.
            Assert.Equal(TinyEvaluator(null, new ImageMetricsOptions()).EvaluateNpz(npz), r);
        }
        finally { EvalCommand.EvaluatorFactory = null; }
    }

    [Fact]
    public void Eval_ToyPoints_MatchesLibrary_AndBadInputNamesTheFile()
    {
        using var tmp = new TempDir();
        var pts = ToyDataset.Sample(Toy2D.Checkerboard, 300, new Generator(3));
        string npy = tmp.File("p.npy"), json = tmp.File("p.json");
        NpyFile.Write(npy, NpyArray.FromFloat32(pts.ToArray(), 300, 2));
        var (code, stdout, err) = Run("eval", "--samples", npy, "--toy", "checkerboard", "--json", json, "--projections", "32");
        Assert.True(code == 0, err);
        Assert.Contains("300", stdout);
        var r = ToyMetricsResult.FromJson(File.ReadAllText(json));
        Assert.Equal(Evaluator.EvaluateToySamples(pts, Toy2D.Checkerboard, new ToyMetricsOptions { Projections = 32 }), r);

        // Wrong shape: one line naming the file.
        string bad = tmp.File("bad.npy");
        NpyFile.Write(bad, NpyArray.FromFloat32(new float[30], 10, 3));
        (code, _, err) = Run("eval", "--samples", bad, "--toy", "checkerboard");
        Assert.Equal(1, code);
        Assert.Contains(bad, err);
        Assert.Contains("[N, 2]", err);
        Assert.Single(err.Trim().Split('\n'));

        string missing = tmp.File("nope.npz");
        (code, _, err) = Run("eval", "--samples", missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, err);

        string corrupt = tmp.File("corrupt.npz");
        File.WriteAllText(corrupt, "not a zip");
        EvalCommand.EvaluatorFactory = TinyEvaluator;
        try
        {
            (code, _, err) = Run("eval", "--samples", corrupt);
            Assert.Equal(1, code);
            Assert.Contains(corrupt, err);
        }
        finally { EvalCommand.EvaluatorFactory = null; }
    }

    [Fact]
    public void Eval_BadOptions_AreUsageErrors()
    {
        var (code, _, err) = Run("eval");
        Assert.Equal(2, code);
        Assert.Contains("--ckpt", err);
        (code, _, err) = Run("eval", "--ckpt", "a", "--samples", "b.npz");
        Assert.Equal(2, code);
        Assert.Contains("exactly one", err);
        (code, _, err) = Run("eval", "--samples", "x.npy", "--toy", "donut");
        Assert.Equal(2, code);
        Assert.Contains("donut", err);
        Assert.Throws<MixFlow.Training.ConfigException>(() => EvalCommand.ParseLabels("balanced", 0));
        Assert.Throws<MixFlow.Training.ConfigException>(() => EvalCommand.ParseLabels("none", 10));
        Assert.Equal(SampleLabelMode.Balanced, EvalCommand.ParseLabels(null, 10));
    }

    [Fact]
    public void Eval_ToyCheckpoint_ReportsNll()
    {
        using var tmp = new TempDir();
        string run = tmp.File("run"), json = tmp.File("e.json");
        var (code, _, err) = Run("train", "--data", "toy:checkerboard", "--model", "flow-mlp-s", "--steps", "5", "--batch-size", "32", "--sample-every", "0", "--out", run);
        Assert.True(code == 0, err);
        (code, var stdout, err) = Run("eval", "--ckpt", run, "--n", "100", "--steps", "4", "--nll-samples", "20", "--nll-steps", "3", "--projections", "16", "--json", json);
        Assert.True(code == 0, err);
        Assert.Contains("100 samples", stdout);
        var r = ToyMetricsResult.FromJson(File.ReadAllText(json));
        Assert.Equal(100, r.Samples);
        Assert.NotNull(r.TestNll);
        Assert.True(double.IsFinite(r.TestNll!.Value));
        (code, _, err) = Run("eval", "--ckpt", run, "--cfg", "2");
        Assert.Equal(2, code);
        Assert.Contains("unconditional", err);
    }

    [Fact]
    public void Eval_Autoguidance_MatchesTheLibraryRoute_AndRefusesBadCombinations()
    {
        using var tmp = new TempDir();
        string main = tmp.File("main"), weak = tmp.File("weak"), json = tmp.File("ag.json"), plain = tmp.File("plain.json");
        string[] train = ["train", "--data", "toy:checkerboard", "--model", "flow-mlp-s", "--batch-size", "32", "--sample-every", "0"];
        var (code, _, err) = Run([.. train, "--steps", "6", "--out", main]);
        Assert.True(code == 0, err);
        (code, _, err) = Run([.. train, "--steps", "2", "--out", weak]);
        Assert.True(code == 0, err);
        string[] eval = ["eval", "--ckpt", main, "--n", "64", "--steps", "3", "--seed", "7", "--nll-samples", "8", "--nll-steps", "2", "--projections", "16"];
        (code, var stdout, err) = Run([.. eval, "--autoguidance", weak, "--autoguidance-scale", "1.5", "--json", json]);
        Assert.True(code == 0, err);
        Assert.Contains("autoguidance 1.5", stdout);
        (code, _, err) = Run([.. eval, "--json", plain]);
        Assert.True(code == 0, err);
        var guided = ToyMetricsResult.FromJson(File.ReadAllText(json));
        Assert.NotEqual(ToyMetricsResult.FromJson(File.ReadAllText(plain)).SlicedW2, guided.SlicedW2);

        // The same numbers as the library route: AutoGuidance(main, weak, 1.5) sampled by the same sampler and seed.
        var m = (IFlowModel)SampleCommand.LoadModel(MixFlow.Training.Checkpoint.Open(main), true).Model;
        var w = (IFlowModel)SampleCommand.LoadModel(MixFlow.Training.Checkpoint.Open(weak), true).Model;
        var transport = MixFlow.Training.TrainingSetup.Transport();
        var smp = MixFlow.Training.SampleGenerator.CreateSampler(MixFlow.Transport.SamplerKind.Euler, 3, transport);
        var lib = Evaluator.EvaluateToyModel(new MixFlow.Transport.AutoGuidance(m, w, 1.5), smp, transport, Toy2D.Checkerboard, 64, 7,
            new ToyMetricsOptions { Seed = 7, Projections = 16, NllSamples = 8, Likelihood = new MixFlow.Transport.LikelihoodOptions(Steps: 2) });
        Assert.Equal(lib.SlicedW2, guided.SlicedW2);
        Assert.Equal(lib.Mmd2, guided.Mmd2);

        // CFG and autoguidance together, a negative scale, a weak model of another shape: one clear line each.
        (code, _, err) = Run([.. eval, "--autoguidance", weak, "--cfg", "1.5"]);
        Assert.Equal(2, code);
        Assert.Contains("not both", err);
        (code, _, err) = Run([.. eval, "--autoguidance", weak, "--autoguidance-scale", "-1"]);
        Assert.Equal(2, code);
        Assert.Contains("autoguidance-scale", err);
        (code, _, err) = Run("sample", "--ckpt", main, "--autoguidance", weak, "--cfg", "2", "--n", "4", "--steps", "2", "--out", tmp.File("s"));
        Assert.Equal(2, code);
        Assert.Contains("not both", err);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliExperimentCollection
{
    public const string Name = "cli-experiment";
}
