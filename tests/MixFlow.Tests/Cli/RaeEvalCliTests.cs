using MixFlow.Cli;
using MixFlow.Cli.Commands;
using MixFlow.Evaluation;
using MixFlow.Training;
using MixFlow.Transport;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tests.Training;

namespace MixFlow.Tests.Cli;

/// <summary><c>mixflow eval --ckpt</c> on an RAE checkpoint: samples in the token space with the model's time shift,
/// decodes with the recorded decoder and scores the images — the same numbers as the library route.</summary>
[Collection(CliExperimentCollection.Name)]
public class RaeEvalCliTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        ConsoleUi.ForcePlain = true;
        var err = new StringWriter();
        int code = Program.Run(args, err);
        return (code, err.ToString());
    }

    [Fact]
    public void EvalCkpt_OnRaeCheckpoint_SamplesLatentsDecodesAndScoresTheImages()
    {
        using var tmp = new TempDir();
        var rng = new Random(3);
        var pixels = new byte[8 * 28 * 28];
        rng.NextBytes(pixels);
        string data = tmp.Sub("data.npz");
        NpzFile.WriteSamples(data, pixels, 8, 28, 28, 1, Enumerable.Range(0, 8).Select(i => (long)(i % 2)).ToArray());
        string enc = tmp.Sub("enc.safetensors"), dec = tmp.Sub("dec.safetensors");
        new CnnPatchEncoder(new ClassifierCnnOptions { Channels = [4, 8, 16], NumClasses = 2 }, new Generator(11)).Save(enc);
        new RaeDecoder(new RaeDecoderOptions { TokenDim = 16, GridSize = 7, ImageSize = 28, OutChannels = 1, HiddenChannels = 4 }, new Generator(12)).Save(dec);
        string run = tmp.Sub("rae");
        var (code, err) = Run("train", "--data", "npz:" + data, "--model", "rae-DiTDH-XS", "--encoder", enc, "--decoder", dec,
            "--steps", "1", "--batch-size", "4", "--sample-every", "0", "--log-every", "1", "--out", run);
        Assert.True(code == 0, err);

        // A tiny random feature network on 28×28 images stands in for the cached Fashion-MNIST one.
        var arch = new ClassifierCnnOptions { ImageSize = 28, NumClasses = 2, Channels = [4, 8, 16] };
        var net = FeatureNetwork.FromModel(new ClassifierCnn(arch, new Generator(21)), new FeatureNetworkRecipe { Architecture = arch, Downsample = 1 });
        var refImages = Tensor.Rand(new Generator(22), 12, 1, 28, 28) * 2f - 1f;
        Evaluator Tiny(string? _, ImageMetricsOptions o) =>
            new(net, new ReferenceSet(net.Embed(refImages), [.. Enumerable.Range(0, 12).Select(i => i % 2)]), o with { InceptionSplits = 2, BlockRows = 16 });
        string json = tmp.Sub("r.json");
        EvalCommand.EvaluatorFactory = Tiny;
        try
        {
            (code, err) = Run("eval", "--ckpt", run, "--n", "8", "--steps", "2", "--batch-size", "3", "--json", json);
            Assert.True(code == 0, err);
            var got = ImageMetricsResult.FromJson(File.ReadAllText(json));
            // The same as sampling with the checkpoint's RAE request (time shift, decoder) and scoring the decoded images.
            var ck = Checkpoint.Open(run);
            var flow = (IFlowModel)SampleCommand.LoadModel(ck, useEma: true).Model;
            var lab = Evaluator.MakeLabels(SampleLabelMode.Balanced, 8, flow.NumClasses, 0);
            var req = RepresentationSetup.ForCheckpoint(ck, new SampleRequest { Steps = 2, Count = 8, BatchSize = 3, Labels = lab });
            Assert.NotEqual(1.0, req.TimeShift);
            var images = SampleGenerator.Generate(flow, ck.State.SampleShape, req).X;
            Assert.Equal(new[] { 8, 1, 28, 28 }, images.Shape);
            Assert.Equal(Tiny(null, new ImageMetricsOptions()).EvaluateImages(Evaluator.Quantize(images), lab), got);
        }
        finally { EvalCommand.EvaluatorFactory = null; }
    }
}
