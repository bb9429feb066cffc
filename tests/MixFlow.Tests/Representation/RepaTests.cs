using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Transport;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

public class RepaTests
{
    static RepaProjector FixtureProjector()
    {
        var p = new RepaProjector(new RepaProjectorOptions { InputDim = 16, HiddenDim = 32, OutputDim = 12 }, new Generator(1));
        p.LoadStateDict(Read("repa_projector_weights.safetensors"), strict: true);
        return p;
    }

    [Fact]
    public void ProjectorAndLossMatchPyTorch()
    {
        var io = Read("repa_loss.safetensors");
        var proj = FixtureProjector();
        var h = io["hidden"].Detach().RequireGrad();
        var projected = proj.Forward(h);
        Assert.True(MaxAbsDiff(projected, io["projected"]) <= 1e-5);
        var r = RepaLoss.Compute(projected, io["tokens"]);
        Assert.True(Math.Abs(r.Loss.Item() - io["loss"].Item()) <= 1e-6, $"loss {r.Loss.Item()} vs {io["loss"].Item()}");
        Assert.True(MaxAbsDiff(r.PerSample, io["per_sample"]) <= 1e-6);
        r.Loss.Backward();
        Assert.True(MaxAbsDiff(h.Grad!, io["grad.hidden"]) <= 1e-6);
        int n = 0;
        foreach (var (name, p) in proj.NamedParameters())
        {
            var g = io["grad." + name];
            double d = MaxAbsDiff(p.Grad!, g);
            Assert.True(d <= 1e-6 + 1e-4 * MaxAbs(g), $"{name}: max abs diff {d}");
            n++;
        }
        Assert.Equal(6, n);
    }

    [Fact]
    public void LossIsMinusOneForAlignedTokensAndRejectsShapeMismatch()
    {
        var z = Tensor.RandN(new Generator(3), 2, 5, 4);
        Assert.Equal(-1.0, RepaLoss.Compute(z * 3f, z).Loss.Item(), 5);
        Assert.Equal(1.0, RepaLoss.Compute(-z, z).Loss.Item(), 5);
        Assert.Throws<ArgumentException>(() => RepaLoss.Compute(z, Tensor.Zeros(2, 5, 3)));
    }

    [Fact]
    public void TokenResamplingMatchesAvgPoolAndNearestExact()
    {
        var io = Read("token_resample.safetensors");
        var tok = io["tokens"];
        Assert.True(MaxAbsDiff(TokenResampling.ToGrid(tok, (4, 4), (2, 2)), io["pool2"]) <= 1e-6);
        Assert.True(MaxAbsDiff(TokenResampling.ToGrid(tok, (4, 4), (3, 3)), io["nearest3"]) <= 0);
        Assert.True(MaxAbsDiff(TokenResampling.ToGrid(tok, (4, 4), (6, 6)), io["nearest6"]) <= 0);
        Assert.Same(tok, TokenResampling.ToGrid(tok, (4, 4), (4, 4)));
        Assert.Throws<ArgumentException>(() => TokenResampling.ToGrid(tok, (3, 3), (2, 2)));
    }

    /// <summary>An inner objective that evaluates the model once on its own fixed state, loss = mean(f²).</summary>
    sealed class FixedStateObjective(Tensor xs, Tensor t, int calls = 1) : ITrainingObjective
    {
        public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
        {
            Tensor f = null!;
            for (int i = 0; i < calls; i++) f = model.Forward(xs, t, labels);
            var per = f.Square().Mean([1, 2, 3]);
            return new ObjectiveLoss(per.Mean(), per, 0.5, 0.5);
        }
    }

    [Fact]
    public void ObjectiveAlignsTheHiddenStatesOfTheInnerCallAndOnlyTrainsTheProjector()
    {
        var model = TinyRepaModel();
        var enc = TinyEncoder();
        var g = new Generator(21);
        var x1 = Tensor.Rand(g, 4, 1, 8, 8) * 2f - 1f;
        var xs = Tensor.RandN(g, 4, 1, 8, 8);                                   // the state the inner objective uses
        var t = Tensor.Rand(g, 4);
        var obj = new RepaObjective(new FixedStateObjective(xs, t), enc, new RepaOptions(0.5));
        var loss = obj.Loss(model, x1, null, new Generator(1));

        // Independent: the hidden tokens of the inner call's state xs, aligned with the encoder tokens of x1 (upsampled 2×2 → 4×4).
        model.ForwardWithHidden(xs, t, null, out var hidden);
        var target = TokenResampling.ToGrid(enc.Encode(x1), (2, 2), (4, 4));
        double repa = RepaLoss.Compute(model.Projector.Forward(hidden), target).Loss.Item();
        double inner = model.Forward(xs, t, null).Square().Mean().Item();
        Assert.Equal(repa, obj.LastTerms!.Repa, 6);
        Assert.Equal(inner, obj.LastTerms.Inner, 6);
        Assert.Equal(inner + 0.5 * repa, loss.Loss.Item(), 5);
        Assert.Equal(loss.Loss.Item(), loss.PerSample.Mean().Item(), 5);

        model.ZeroGrad();
        loss.Loss.Backward();
        foreach (var (name, p) in model.Projector.NamedParameters())
            Assert.True(p.Grad is not null && MaxAbs(p.Grad) > 0, $"projector parameter {name} got no gradient");
        Assert.NotNull(model.Backbone.NamedParameters().First(p => p.Name == "blocks.0.attn.qkv.weight").Tensor.Grad);
        foreach (var (name, p) in enc.NamedParameters()) Assert.True(p.Grad is null, $"encoder parameter {name} received a gradient");
    }

    [Fact]
    public void ObjectiveWithMixFlowEqualsInnerPlusLambdaRepaAndLambdaZeroIsBitIdentical()
    {
        var model = TinyRepaModel(31);
        var enc = TinyEncoder(32);
        var x1 = Tensor.Rand(new Generator(33), 5, 1, 8, 8) * 2f - 1f;
        var transport = new FlowTransport(new TransportOptions());
        var plain = new MixFlowObjective(transport, new MixFlowOptions(0.4)).Loss(model.Flow, x1, null, new Generator(34));
        var repa0 = new RepaObjective(new MixFlowObjective(transport, new MixFlowOptions(0.4)), enc, new RepaOptions(0));
        var l0 = repa0.Loss(model, x1, null, new Generator(34));
        Assert.Equal(BitConverter.SingleToInt32Bits(plain.Loss.Item()), BitConverter.SingleToInt32Bits(l0.Loss.Item()));
        Assert.Equal(plain.PerSample.ToArray(), l0.PerSample.ToArray());
        Assert.Equal(plain.MeanT, l0.MeanT);
        Assert.Equal(plain.MeanStateTime, l0.MeanStateTime);

        var repa1 = new RepaObjective(new MixFlowObjective(transport, new MixFlowOptions(0.4)), enc, new RepaOptions(0.7));
        var l1 = repa1.Loss(model, x1, null, new Generator(34));
        Assert.Equal(plain.Loss.Item(), repa1.LastTerms!.Inner);
        Assert.Equal(repa0.LastTerms!.Repa, repa1.LastTerms.Repa);
        Assert.Equal(plain.Loss.Item() + 0.7 * repa1.LastTerms.Repa, l1.Loss.Item(), 5);
        Assert.InRange(repa1.LastTerms.Repa, -1, 1);
    }

    [Fact]
    public void ObjectiveRejectsBadModelsInputsAndInnerObjectives()
    {
        var model = TinyRepaModel();
        var enc = TinyEncoder();
        var x1 = Tensor.Zeros(2, 1, 8, 8);
        var t = Tensor.Full(0.5f, 2);
        var obj = new RepaObjective(new FixedStateObjective(x1, t), enc);
        Assert.Throws<ArgumentException>(() => obj.Loss(model.Flow, x1, null, new Generator(1)));
        Assert.Throws<ArgumentException>(() => obj.Loss(model, Tensor.Zeros(2, 1, 6, 6), null, new Generator(1)));
        var twice = new RepaObjective(new FixedStateObjective(x1, t, calls: 2), enc);
        Assert.Throws<InvalidOperationException>(() => twice.Loss(model, x1, null, new Generator(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepaObjective(new FixedStateObjective(x1, t), enc, new RepaOptions(-1)));
        var bad = new RepaModel(TinySiT(), new RepaProjector(new RepaProjectorOptions { InputDim = 32, HiddenDim = 8, OutputDim = 5 }, new Generator(1)));
        Assert.Throws<ArgumentException>(() => obj.Loss(bad, x1, null, new Generator(1)));
        Assert.Throws<ArgumentException>(() => new RepaModel(TinySiT(), new RepaProjector(new RepaProjectorOptions { InputDim = 16 }, new Generator(1))));
        Assert.Throws<ArgumentException>(() => new RepaModel(TinySiT(), new RepaProjector(new RepaProjectorOptions { InputDim = 32 }, new Generator(1)), captureBlock: 4));
    }

    [Fact]
    public void ModelKeepsBackboneNamesAddsProjectorAndCapturesTheRequestedBlock()
    {
        var model = TinyRepaModel();
        var sit = (SiT)model.Backbone;
        var names = model.StateDict().Select(s => s.Name).ToList();
        var sitNames = sit.StateDict().Select(s => s.Name).ToList();
        Assert.Equal(sitNames, names.Where(n => !n.StartsWith(RepaModel.ProjectorPrefix, StringComparison.Ordinal)).ToList());
        Assert.Contains("repa_projector.fc1.weight", names);
        Assert.Contains("repa_projector.fc3.bias", names);
        Assert.Equal(1, model.CaptureBlock);
        Assert.Equal(2, RepaModel.DefaultCaptureBlock(6));

        var g = new Generator(5);
        var x = Tensor.RandN(g, 2, 1, 8, 8); var t = Tensor.Rand(g, 2);
        var y = model.ForwardWithHidden(x, t, null, out var hidden);
        Assert.Equal(sit.Forward(x, t, null).ToArray(), y.ToArray());
        Assert.Equal(new[] { 2, 16, 32 }, hidden.Shape);
        // Block 1's output by hand.
        var h = sit.XEmbedder.Forward(x) + sit.PosEmbed;
        var c = sit.TEmbedder.Forward(t);
        Assert.True(MaxAbsDiff(sit.Blocks[0].Forward(h, c), hidden) <= 1e-6);
        model.Eval();
        Assert.False(sit.Training);
    }

    [Fact]
    public void FactoriesBuildProjectorsForSiTAndDiTDH()
    {
        var a = RepaModel.ForSiT(TinySiT(), 6, new Generator(1), projectorHiddenDim: 10);
        Assert.Equal(new RepaProjectorOptions { InputDim = 32, HiddenDim = 10, OutputDim = 6 }, a.Projector.Options);
        Assert.Equal(4, a.GridSize);
        var d = new DiTDH(TinyDiTDH, new Generator(2));
        var b = RepaModel.ForDiTDH(d, 6, new Generator(3), captureBlock: 2);
        Assert.Equal(2, b.CaptureBlock);
        Assert.Equal(3, b.GridSize);
        var x = Tensor.RandN(new Generator(4), 2, 3, 6, 6);
        var t = Tensor.Full(0.5f, 2);
        b.Eval();
        b.ForwardWithHidden(x, t, [0, 1], out var h);
        Assert.Equal(new[] { 2, 9, 32 }, h.Shape);
        Assert.Equal(d.StateDict().Select(s => s.Name), b.StateDict().Select(s => s.Name).Where(n => !n.StartsWith(RepaModel.ProjectorPrefix, StringComparison.Ordinal)));
    }
}
