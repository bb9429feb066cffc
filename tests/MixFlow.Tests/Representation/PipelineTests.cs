using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Optim;
using MixFlow.Transport;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

/// <summary>Short end-to-end runs of the two recipes with the engine's optimizer (no Trainer).</summary>
public class PipelineTests
{
    [Fact]
    public void RepaMixFlowTrainingAlignsTheProjectedTokens()
    {
        var model = RepaModel.ForSiT(TinySiT(81), 6, new Generator(82), projectorHiddenDim: 32);
        var enc = TinyEncoder(83);
        Randomize(enc, 84, 0.3f);
        var x1 = Tensor.Rand(new Generator(85), 8, 1, 8, 8) * 2f - 1f;
        x1.MoveToOuterScope();
        var obj = new RepaObjective(new MixFlowObjective(new FlowTransport(), new MixFlowOptions(0.4)), enc, new RepaOptions(0.5));
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(LearningRate: 3e-3, WeightDecay: 0));
        var gen = new Generator(86);
        var repa = new List<double>();
        for (int step = 0; step < 25; step++)
        {
            using var scope = new TensorScope();
            opt.ZeroGrad();
            var l = obj.Loss(model, x1, null, gen);
            l.Loss.Backward();
            opt.Step();
            repa.Add(obj.LastTerms!.Repa);
        }
        double first = repa.Take(5).Average(), last = repa.TakeLast(5).Average();
        Assert.True(last < first - 0.2, $"alignment loss went from {first:F3} to {last:F3}");
        foreach (var (name, p) in enc.NamedParameters()) Assert.True(p.Grad is null, $"encoder parameter {name} received a gradient");
    }

    [Fact]
    public void RaeLatentMixFlowTrainingAndShiftedSamplingDecodeToImages()
    {
        var enc = TinyEncoder(91);
        Randomize(enc, 92, 0.3f);
        var images = ArrayDataset.FromFloats((Tensor.Rand(new Generator(93), 32, 1, 8, 8) * 2f - 1f).ToArray(), [1, 8, 8], Enumerable.Range(0, 32).Select(i => i % 3).ToArray(), 3);
        enc.SetNormalization(TokenNormalization.Compute(enc, images));
        var dec = new RaeDecoder(new RaeDecoderOptions { TokenDim = 6, GridSize = 2, ImageSize = 8, OutChannels = 1, HiddenChannels = 4 }, new Generator(94));
        var codec = new RaeCodec(enc, enc.Normalization, dec);
        var latents = new RaeLatentDataset(images, codec);
        var defaults = new RaeDefaults();
        var latentShape = latents.SampleShape;
        var o = DiTDHRegistry.ForLatent("DiTDH-XS", latentShape, latents.NumClasses) with { HiddenSize = 16, HeadHiddenSize = 32 };
        var model = new DiTDH(o, new Generator(95));
        var transport = new FlowTransport();
        var obj = new MixFlowObjective(transport, defaults.MixFlow, defaults.TimeSampler(new BetaTimeSampler(2, 1), latentShape));
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(LearningRate: 1e-3));
        using var loader = new DataLoader(latents, new DataLoaderOptions { BatchSize = 8, Seed = 1, Prefetch = 0 });
        var gen = new Generator(96);
        for (int step = 0; step < 5; step++)
        {
            using var scope = new TensorScope();
            using var b = loader.Next();
            Assert.Equal(new[] { 8, 6, 2, 2 }, b.X.Shape);
            opt.ZeroGrad();
            var l = obj.Loss(model, b.X, b.Labels, gen);
            Assert.True(double.IsFinite(l.Loss.Item()));
            l.Loss.Backward();
            opt.Step();
        }
        model.Eval();
        var sampler = new FixedStepOdeSampler(transport, new OdeSamplerOptions(Steps: 4, Shift: defaults.Shift(latentShape)));
        Assert.Equal(defaults.SamplingGrid(4, latentShape).Times, sampler.Grid.Times);
        using (GradMode.NoGrad())
        {
            var z = sampler.Sample(model, Tensor.RandN(new Generator(97), [3, .. latentShape]), [0, 1, 2]).X;
            var img = codec.DecodeToImages(z);
            Assert.Equal(new[] { 3, 1, 8, 8 }, img.Shape);
            Assert.All(img.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void ModelNamesBuildRepaAndRaeModels()
    {
        Assert.Contains("repa-SiT-XS/4-28", RepresentationModels.Names);
        Assert.Contains("rae-DiTDH-XS", RepresentationModels.Names);
        Assert.True(RepresentationModels.IsRepa("repa-SiT-XS/4-28"));
        Assert.False(RepresentationModels.IsRae("repa-SiT-XS/4-28"));
        var repa = RepresentationModels.CreateRepa("repa-SiT-XS/4-28", [1, 28, 28], 10, 128, new Generator(1));
        Assert.Equal(10, repa.NumClasses);
        Assert.Equal(1, repa.CaptureBlock);
        Assert.Equal(7, repa.GridSize);
        Assert.Equal(128, repa.Projector.Options.OutputDim);
        var rae = RepresentationModels.CreateRae("rae-DiTDH-XS", [128, 7, 7], 0, new Generator(2));
        Assert.Equal(128, rae.Options.InChannels);
        Assert.Throws<ArgumentException>(() => RepresentationModels.CreateRepa("repa-SiT-XS/4-28", [3, 32, 32], 0, 128, new Generator(1)));
        Assert.Throws<ArgumentException>(() => RepresentationModels.CreateRepa("SiT-XS/4-28", [1, 28, 28], 0, 128, new Generator(1)));
        Assert.Throws<ArgumentException>(() => RepresentationModels.CreateRae("rae-DiTDH-Q", [128, 7, 7], 0, new Generator(1)));
    }
}
