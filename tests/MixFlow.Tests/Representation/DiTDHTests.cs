using MixFlow.Models;
using MixFlow.Tensors;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

public class DiTDHTests
{
    static DiTDH LoadTiny()
    {
        var m = new DiTDH(TinyDiTDH, new Generator(3));
        m.LoadStateDict(Read("ditdh_weights.safetensors"), strict: true);
        m.Eval();
        return m;
    }

    static int[] Labels(Tensor y) => y.ToArray().Select(v => (int)v).ToArray();

    [Fact]
    public void StateDictNamesMatchTheFixtureAndPositionTablesAreDiTs()
    {
        var w = Read("ditdh_weights.safetensors");
        var m = new DiTDH(TinyDiTDH, new Generator(3));
        var own = m.StateDict().ToDictionary(s => s.Name, s => s.Tensor);
        Assert.Equal(w.Keys.OrderBy(k => k, StringComparer.Ordinal), own.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.True(MaxAbsDiff(own["pos_embed"], w["pos_embed"]) <= 1e-6);
        Assert.True(MaxAbsDiff(own["head_pos_embed"], w["head_pos_embed"]) <= 1e-6);
        Assert.Equal(new[] { 48, 32 }, own["s_projector.weight"].Shape);
        Assert.Equal(new[] { 6 * 48, 48 }, own["head_blocks.0.adaLN_modulation.1.weight"].Shape);
    }

    [Fact]
    public void ForwardAndGradientsMatchPyTorch()
    {
        var io = Read("ditdh_io.safetensors");
        var m = LoadTiny();
        var x = io["x"].Detach().RequireGrad();
        var y = m.Forward(x, io["t"], Labels(io["y"]));
        double d = MaxAbsDiff(y, io["out"]);
        Assert.True(d <= 1e-4, $"forward max abs diff {d}");
        var loss = (y * io["r"]).Mean();
        Assert.True(Math.Abs(loss.Item() - io["loss"].Item()) <= 1e-5);
        loss.Backward();
        Assert.True(MaxAbsDiff(x.Grad!, io["grad.x"]) <= 1e-4);
        int n = 0;
        foreach (var (name, p) in m.NamedParameters())
        {
            Assert.True(io.ContainsKey("grad." + name), $"no fixture gradient for {name}");
            Assert.NotNull(p.Grad);
            var g = io["grad." + name];
            double gd = MaxAbsDiff(p.Grad!, g);
            Assert.True(gd <= 1e-4 * Math.Max(1, MaxAbs(g)), $"{name}: max abs diff {gd} (max |g| {MaxAbs(g)})");
            n++;
        }
        Assert.Equal(io.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)) - 1, n);
    }

    [Fact]
    public void InitialOutputIsZeroAndHiddenCaptureMatchesForward()
    {
        var m = new DiTDH(TinyDiTDH, new Generator(4));
        var g = new Generator(5);
        var x = Tensor.RandN(g, 2, 3, 6, 6); var t = Tensor.Rand(g, 2);
        m.Eval();
        Assert.Equal(0.0, MaxAbs(m.Forward(x, t, [0, 1])));
        Randomize(m, 6);
        var y = m.ForwardWithHidden(x, t, [0, 1], 2, out var hidden);
        Assert.Equal(m.Forward(x, t, [0, 1]).ToArray(), y.ToArray());
        Assert.Equal(new[] { 2, 9, 32 }, hidden.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ForwardWithHidden(x, t, [0, 1], 3, out _));
        Assert.Throws<ArgumentException>(() => m.Forward(Tensor.Zeros(2, 2, 6, 6), t, [0, 1]));
        Assert.Throws<ArgumentException>(() => m.Forward(x, t, null));
    }

    [Fact]
    public void HeadConditioningIsPerToken()
    {
        // The head's adaLN input s = s_projector(trunk tokens + c) is a matrix [N, T, Dh], not one vector per image.
        var m = new DiTDH(TinyDiTDH, new Generator(7));
        Randomize(m, 8);
        var g = new Generator(9);
        var x = Tensor.RandN(g, 1, 3, 6, 6); var t = Tensor.Rand(g, 1);
        m.ForwardWithHidden(x, t, [2], 2, out var h);
        var c = m.TEmbedder.Forward(t) + m.YEmbedder!.Table.Forward([2]);
        var s = m.SProjector.Forward(h + c.Unsqueeze(1)).ToArray();            // [1, 9, 48]
        double spread = 0;
        for (int k = 0; k < 48; k++) spread = Math.Max(spread, Math.Abs(s[k] - s[48 * 5 + k]));
        Assert.True(spread > 1e-3, "the head conditioning should differ between tokens");
    }

    [Fact]
    public void RegistryBuildsPresetsForALatent()
    {
        Assert.Contains("DiTDH-S", DiTDHRegistry.Names);
        Assert.Contains("DiTDH-XS", DiTDHRegistry.Names);
        var o = DiTDHRegistry.ForLatent("DiTDH-XS", [16, 7, 7], 10);
        Assert.Equal(16, o.InChannels); Assert.Equal(7, o.InputSize); Assert.Equal(10, o.NumClasses); Assert.True(o.HasNullClass);
        var m = new DiTDH(o with { HiddenSize = 16, HeadHiddenSize = 16 }, new Generator(1));
        Assert.Equal(new[] { 2, 16, 7, 7 }, m.Forward(Tensor.Zeros(2, 16, 7, 7), Tensor.Full(0.3f, 2), [1, 10]).Shape);
        Assert.True(DiTDHRegistry.Create("DiTDH-S", new Generator(1)).ParameterCount > DiTDHRegistry.Create("DiTDH-XS", new Generator(1)).ParameterCount);
        Assert.Throws<ArgumentException>(() => DiTDHRegistry.Options("DiTDH-Q"));
        Assert.Throws<ArgumentException>(() => DiTDHRegistry.ForLatent("DiTDH-S", [16, 7, 6], 0));
        Assert.Throws<ArgumentException>(() => new DiTDH(new DiTDHOptions { HeadDepth = 0 }, new Generator(1)));
    }
}
