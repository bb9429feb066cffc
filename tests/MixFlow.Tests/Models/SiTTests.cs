using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using static MixFlow.Tests.Models.ModelFixtureReader;

namespace MixFlow.Tests.Models;

public class SiTTests
{
    // The fixture model of tests/torch/make_model_fixtures.py.
    static readonly SiTOptions Tiny = new()
    {
        InputSize = 8, InChannels = 2, PatchSize = 2, HiddenSize = 64, Depth = 2, NumHeads = 4,
        NumClasses = 5, ClassDropoutProb = 0.1f, LearnSigma = false, TimeScale = 1000f,
    };

    static SiT LoadTiny()
    {
        var model = new SiT(Tiny, new Generator(5));
        SiTCheckpoint.LoadOfficial(model, Read("tiny_sit_weights.safetensors"));
        model.Eval();
        return model;
    }

    static int[] Labels(Tensor y) => y.ToArray().Select(v => (int)v).ToArray();

    [Fact]
    public void StateDictNamesAndShapesMatchOfficial()
    {
        var w = Read("tiny_sit_weights.safetensors");
        var model = new SiT(Tiny, new Generator(5));
        var own = model.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Shape);
        Assert.Equal(w.Keys.OrderBy(k => k, StringComparer.Ordinal), own.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (k, v) in w) Assert.Equal(v.Shape, own[k]);
        Assert.Equal(new[] { 64, 2, 2, 2 }, own["x_embedder.proj.weight"]);
        Assert.Equal(new[] { 6, 64 }, own["y_embedder.embedding_table.weight"]);
        Assert.Contains("blocks.1.adaLN_modulation.1.weight", own.Keys);
        Assert.Contains("t_embedder.mlp.2.bias", own.Keys);
    }

    [Fact]
    public void PositionEmbeddingMatchesDiT()
    {
        var w = Read("tiny_sit_weights.safetensors");
        var model = new SiT(Tiny, new Generator(5));
        Assert.True(MaxAbsDiff(model.PosEmbed, w["pos_embed"]) <= 1e-6);
    }

    [Fact]
    public void ForwardMatchesPyTorchFixture()
    {
        var io = Read("tiny_sit_io.safetensors");
        var model = LoadTiny();
        var y = model.Forward(io["x"], io["t"], Labels(io["y"]));
        double d = MaxAbsDiff(y, io["out"]);
        Assert.True(d <= 1e-4, $"max abs diff {d}");
        using (GradMode.NoGrad()) // the no-grad path releases each block's temporaries early
        {
            var yn = model.Forward(io["x"], io["t"], Labels(io["y"]));
            Assert.Equal(y.ToArray(), yn.ToArray());
        }
    }

    [Fact]
    public void GradientsOfAllParametersAndInputMatchPyTorch()
    {
        var io = Read("tiny_sit_io.safetensors");
        var model = LoadTiny();
        var x = io["x"].Detach().RequireGrad();
        var y = model.Forward(x, io["t"], Labels(io["y"]));
        var loss = (y * io["r"]).Mean();
        Assert.True(Math.Abs(loss.Item() - io["loss"].Item()) <= 1e-5);
        loss.Backward();
        int checkedCount = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(io.ContainsKey("grad." + name), $"no fixture gradient for {name}");
            Assert.NotNull(p.Grad);
            var g = io["grad." + name];
            double scale = Math.Max(1e-3, g.ToArray().Max(v => Math.Abs(v)));
            double d = MaxAbsDiff(p.Grad!, g);
            Assert.True(d <= 1e-4 * Math.Max(1, scale * 10), $"{name}: max abs diff {d} (max |g| {scale})");
            checkedCount++;
        }
        Assert.Equal(io.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)) - 1, checkedCount);
        double dx = MaxAbsDiff(x.Grad!, io["grad.x"]);
        Assert.True(dx <= 1e-5, $"input gradient max abs diff {dx}");
    }

    [Fact]
    public void ZeroInitialisedModelOutputsExactlyZero()
    {
        var model = new SiT(Tiny, new Generator(11));
        var x = Tensor.RandN(new Generator(1), 3, 2, 8, 8);
        var y = model.Forward(x, Tensor.Rand(new Generator(2), 3), [0, 3, 5]);
        Assert.All(y.ToArray(), v => Assert.Equal(0f, v));
        // DiT's init: adaLN and final layer zero, other linears xavier with zero bias, pos_embed fixed.
        Assert.All(model.Blocks[0].ModulationLinear.Weight.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.Blocks[1].Attn.Qkv.Bias!.ToArray(), v => Assert.Equal(0f, v));
        float bound = MathF.Sqrt(6f / (64 + 192));
        var qkv = model.Blocks[1].Attn.Qkv.Weight.ToArray();
        Assert.All(qkv, v => Assert.True(Math.Abs(v) <= bound));
        Assert.True(qkv.Max() > 0.8 * bound);
        var pb = MathF.Sqrt(6f / (8 + 64)); // flattened [64, 2·2·2] view
        var pw = model.XEmbedder.Proj.Weight.ToArray();
        Assert.All(pw, v => Assert.True(Math.Abs(v) <= pb));
        Assert.True(pw.Max() > 0.8 * pb);
        var te = ((MixFlow.Tensors.Nn.Linear)model.TEmbedder.Mlp[0]).Weight.ToArray();
        double std = Math.Sqrt(te.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.018, 0.022);
    }

    [Fact]
    public void CfgBatchedEqualsTwoSeparateCalls()
    {
        var model = LoadTiny();
        var x = Tensor.RandN(new Generator(3), 2, 2, 8, 8);
        var t = Tensor.FromArray([0.3f, 0.8f], 2);
        int[] labels = [2, 0];
        using (GradMode.NoGrad())
        {
            var guided = model.ForwardWithCfg(x, t, labels, 3.5f);
            var cond = model.Forward(x, t, labels);
            var uncond = model.Forward(x, t, [5, 5]);
            var expected = uncond + (cond - uncond) * 3.5f;
            // batch-size-dependent float rounding, amplified by the guidance combination (1 + 2·scale)
            Assert.True(MaxAbsDiff(guided, expected) <= 1e-5 * (1 + 2 * 3.5), $"guided vs separate: {MaxAbsDiff(guided, expected)}");
            var one = model.ForwardWithCfg(x, t, labels, 1f);
            Assert.True(MaxAbsDiff(one, cond) <= 1e-5, $"scale 1 vs cond: {MaxAbsDiff(one, cond)}");
        }
    }

    [Fact]
    public void LabelDropoutOnlyInTraining()
    {
        var model = LoadTiny();
        var x = Tensor.RandN(new Generator(3), 64, 2, 8, 8);
        var t = Tensor.Rand(new Generator(4), 64);
        var labels = Enumerable.Range(0, 64).Select(i => i % 5).ToArray();
        using (GradMode.NoGrad())
        {
            var evalOut = model.Forward(x, t, labels).Reshape(64, -1).ToArray();
            var nullOut = model.Forward(x, t, Enumerable.Repeat(5, 64).ToArray()).Reshape(64, -1).ToArray();
            model.Train();
            var trainOut = model.Forward(x, t, labels).Reshape(64, -1).ToArray();
            int per = evalOut.Length / 64, dropped = 0;
            for (int i = 0; i < 64; i++)
            {
                bool same = Enumerable.Range(0, per).All(j => trainOut[i * per + j] == evalOut[i * per + j]);
                bool isNull = Enumerable.Range(0, per).All(j => Math.Abs(trainOut[i * per + j] - nullOut[i * per + j]) <= 1e-5);
                Assert.True(same || isNull, $"sample {i} is neither its conditional nor the null output");
                if (!same) dropped++;
            }
            Assert.InRange(dropped, 1, 20); // p = 0.1 over 64 samples
        }
    }

    [Fact]
    public void LoadOfficialAcceptsFlattenedPatchWeightAndListsMismatches()
    {
        var w = Read("tiny_sit_weights.safetensors");
        var flat = new Dictionary<string, Tensor>(w) { ["x_embedder.proj.weight"] = w["x_embedder.proj.weight"].Reshape(64, 8) };
        var model = new SiT(Tiny, new Generator(5));
        SiTCheckpoint.LoadOfficial(model, flat);
        Assert.Equal(w["x_embedder.proj.weight"].ToArray(), model.XEmbedder.Proj.Weight.ToArray());

        var bad = new Dictionary<string, Tensor>(w);
        bad.Remove("blocks.1.mlp.fc2.bias");
        bad["extra.weight"] = Tensor.Zeros(2);
        var e = Assert.Throws<ArgumentException>(() => SiTCheckpoint.LoadOfficial(model, bad));
        Assert.Contains("blocks.1.mlp.fc2.bias", e.Message);
        Assert.Contains("extra.weight", e.Message);

        var sigma = new SiT(Tiny with { LearnSigma = true }, new Generator(5));
        var e2 = Assert.Throws<ArgumentException>(() => SiTCheckpoint.LoadOfficial(sigma, w));
        Assert.Contains("final_layer.linear.weight", e2.Message);
        Assert.Contains("LearnSigma", e2.Message);
    }

    [Fact]
    public void LearnSigmaReturnsFirstHalfOfChannels()
    {
        var model = new SiT(Tiny with { LearnSigma = true }, new Generator(5));
        Assert.Equal(2 * 2 * 4, model.FinalLayer.Linear.OutFeatures);
        var y = model.Forward(Tensor.RandN(new Generator(1), 2, 2, 8, 8), Tensor.Rand(new Generator(2), 2), [1, 2]);
        Assert.Equal(new[] { 2, 2, 8, 8 }, y.Shape);
    }

    [Fact]
    public void ParameterCountFormulaMatchesModulesAndDiTXL2()
    {
        foreach (var o in new[] { Tiny, Tiny with { LearnSigma = true, ClassDropoutProb = 0 }, SiTRegistry.Options("SiT-XS/4-28"), SiTRegistry.Options("SiT-T/2-32") with { NumClasses = 10 } })
        {
            var m = new SiT(o, new Generator(1));
            Assert.Equal(m.ParameterCount, SiT.CountParameters(o));
            Assert.Equal(m.ParameterCount + m.PosEmbed.Numel, SiT.CountParameters(o, includePosEmbed: true));
        }
        Assert.Equal(675_129_632L, SiT.CountParameters(SiTRegistry.Options("DiT-XL/2"), includePosEmbed: true));
        Assert.Equal(675_129_632L, SiT.CountParameters(SiTRegistry.Options("SiT-XL/2"), includePosEmbed: true));
    }

    [Fact]
    public void RegistryPresetsAndUnknownName()
    {
        var t2 = SiTRegistry.Options("SiT-T/2-28");
        Assert.Equal((6, 256, 4, 2, 28, 1, false), (t2.Depth, t2.HiddenSize, t2.NumHeads, t2.PatchSize, t2.InputSize, t2.InChannels, t2.LearnSigma));
        var b4 = SiTRegistry.Options("SiT-B/4");
        Assert.Equal((12, 768, 12, 4, 32, 4, true), (b4.Depth, b4.HiddenSize, b4.NumHeads, b4.PatchSize, b4.InputSize, b4.InChannels, b4.LearnSigma));
        Assert.Contains("SiT-L/8", SiTRegistry.Names);
        Assert.Contains("SiT-XS/4-28", SiTRegistry.Names);
        var e = Assert.Throws<ArgumentException>(() => SiTRegistry.Options("SiT-Q/3"));
        Assert.Contains("SiT-Q/3", e.Message);
        Assert.Contains("SiT-XL/2", e.Message);
        var m = SiTRegistry.Create("SiT-XS/4-28", new Generator(1), o => o with { NumClasses = 10 });
        Assert.Equal(10, m.NumClasses);
    }

    [Fact]
    public void UnconditionalModelAndCfgRequiresNullClass()
    {
        var unc = new SiT(Tiny with { NumClasses = 0 }, new Generator(3));
        Assert.DoesNotContain(unc.StateDict(), s => s.Name.StartsWith("y_embedder", StringComparison.Ordinal));
        var x = Tensor.RandN(new Generator(1), 2, 2, 8, 8);
        var t = Tensor.Rand(new Generator(2), 2);
        Assert.Equal(new[] { 2, 2, 8, 8 }, unc.Forward(x, t, null).Shape);
        Assert.Throws<ArgumentException>(() => unc.Forward(x, t, [0, 1]));
        Assert.Throws<InvalidOperationException>(() => unc.ForwardWithCfg(x, t, [0, 1], 2f));
        var noNull = new SiT(Tiny with { ClassDropoutProb = 0 }, new Generator(3));
        Assert.Equal(new[] { 5, 64 }, noNull.YEmbedder!.Table.Weight.Shape);
        Assert.Throws<InvalidOperationException>(() => noNull.ForwardWithCfg(x, t, [0, 1], 2f));
        Assert.Throws<ArgumentOutOfRangeException>(() => noNull.Forward(x, t, [0, 5]));
    }

    [Fact]
    public void EmaOfSiTCopiesPositionBufferAndAveragesWeights()
    {
        var model = new SiT(Tiny, new Generator(3));
        var ema = new Ema(model, decay: 0.9f, warmup: false);
        var name = "blocks.0.attn.qkv.weight";
        var p = model.NamedParameters().Single(n => n.Name == name).Tensor;
        var before = p.ToArray();
        p.AsSpan().Fill(1f);
        ema.Update(model);
        var shadow = ema.Shadow.Single(n => n.Name == name).Tensor.ToArray();
        for (int i = 0; i < before.Length; i += 97) Assert.Equal(0.9 * before[i] + 0.1, shadow[i], 5);
        Assert.Contains(ema.StateDict(), s => s.Name == "ema.pos_embed");
    }

    [Fact]
    public void BadInputsAreRejectedWithShapes()
    {
        var model = new SiT(Tiny, new Generator(5));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 3, 8, 8), Tensor.Zeros(2), [0, 1]));
        Assert.Contains("[2, 3, 8, 8]", e.Message);
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 2, 8, 8), Tensor.Zeros(3), [0, 1]));
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 2, 8, 8), Tensor.Zeros(2), null));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(Tensor.Zeros(2, 2, 8, 8), Tensor.Zeros(2), [0, 6]));
        var o = Assert.Throws<ArgumentException>(() => new SiT(Tiny with { NumHeads = 5 }, new Generator(1)));
        Assert.Contains("NumHeads", o.Message);
    }
}

public class AdaLNTests
{
    [Fact]
    public void FusedOpsMatchComposedExpressionsForwardAndBackward()
    {
        var g = new Generator(21);
        var x = Tensor.RandN(g, 3, 5, 8).RequireGrad();
        var h = Tensor.RandN(g, 3, 5, 8).RequireGrad();
        var mod = Tensor.RandN(g, 3, 3, 8).RequireGrad(); // shift, scale, gate as strided views
        var r = Tensor.RandN(g, 3, 5, 8);

        Tensor Fused() => (AdaLN.GatedResidual(x, mod.Slice(1, 2, 3), AdaLN.Modulate(h, mod.Slice(1, 0, 1), mod.Slice(1, 1, 2)) * h) * r).Sum();
        Tensor Composed() => ((x + mod.Slice(1, 2, 3) * ((h * (mod.Slice(1, 1, 2) + 1f) + mod.Slice(1, 0, 1)) * h)) * r).Sum();

        var a = Fused(); a.Backward();
        var ga = new[] { x.Grad!.ToArray(), h.Grad!.ToArray(), mod.Grad!.ToArray() };
        x.Grad = null; h.Grad = null; mod.Grad = null;
        var b = Composed(); b.Backward();
        var gb = new[] { x.Grad!.ToArray(), h.Grad!.ToArray(), mod.Grad!.ToArray() };
        Assert.Equal(b.Item(), a.Item(), 4);
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < ga[k].Length; i++) Assert.Equal(gb[k][i], ga[k][i], 4);
    }

    [Fact]
    public void ShapeErrorsNameTheOp()
    {
        var e = Assert.Throws<ArgumentException>(() => AdaLN.Modulate(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2, 1, 4), Tensor.Zeros(2, 4)));
        Assert.Contains("Modulate", e.Message);
        Assert.Contains("[2, 4]", e.Message);
    }
}

public class AttentionHeadsTests
{
    [Fact]
    public void SplitAndMergeMatchReshapePermuteForwardAndBackward()
    {
        var g = new Generator(31);
        int b = 2, t = 5, h = 3, hd = 4, d = h * hd;
        var qkv = Tensor.RandN(g, b, t, 3 * d).RequireGrad();
        var rq = Tensor.RandN(g, b, h, t, hd); var rk = Tensor.RandN(g, b, h, t, hd); var rv = Tensor.RandN(g, b, h, t, hd);
        var rm = Tensor.RandN(g, b, t, d);

        var heads = AttentionHeads.Split(qkv * 1f, h);
        var fused = (heads.Q * rq).Sum() + (heads.K * rk).Sum() + (AttentionHeads.Merge(heads.V * rv) * rm).Sum();
        fused.Backward();
        var gFused = qkv.Grad!.ToArray(); qkv.Grad = null;

        var p = (qkv * 1f).Reshape(b, t, 3, h, hd).Permute(2, 0, 3, 1, 4);
        Tensor Part(int i) => p.Slice(0, i, i + 1).Reshape(b, h, t, hd);
        Assert.Equal(Part(0).ToArray(), heads.Q.ToArray());
        Assert.Equal(Part(2).ToArray(), heads.V.ToArray());
        var merged = (Part(2) * rv).Transpose(1, 2).Reshape(b, t, d);
        Assert.Equal(merged.ToArray(), AttentionHeads.Merge(heads.V * rv).ToArray());
        var composed = (Part(0) * rq).Sum() + (Part(1) * rk).Sum() + (merged * rm).Sum();
        composed.Backward();
        var gComposed = qkv.Grad!.ToArray();
        Assert.Equal(composed.Item(), fused.Item(), 4);
        for (int i = 0; i < gFused.Length; i++) Assert.Equal(gComposed[i], gFused[i], 5);

        // A leaf input receives the accumulated gradient of all three parts.
        var leaf = Tensor.RandN(g, b, t, 3 * d).RequireGrad();
        var hl = AttentionHeads.Split(leaf, h);
        ((hl.Q + hl.K + hl.V).Sum()).Backward();
        Assert.All(leaf.Grad!.ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentException>(() => AttentionHeads.Split(Tensor.Zeros(2, 3, 10), 3));
    }
}

public class AdaLNNormModulateTests
{
    [Fact]
    public void FusedNormModulateMatchesLayerNormThenModulate()
    {
        var g = new Generator(41);
        var x = (Tensor.RandN(g, 3, 7, 16) * 2f + 0.5f).Detach().RequireGrad();
        var mod = Tensor.RandN(g, 3, 2, 16).RequireGrad();
        var r = Tensor.RandN(g, 3, 7, 16);
        var a = (AdaLN.NormModulate(x, mod.Slice(1, 0, 1), mod.Slice(1, 1, 2), 1e-6f) * r).Sum();
        a.Backward();
        var ga = new[] { x.Grad!.ToArray(), mod.Grad!.ToArray() };
        x.Grad = null; mod.Grad = null;
        var b = (AdaLN.Modulate(Tensor.LayerNorm(x, null, null, 1e-6f), mod.Slice(1, 0, 1), mod.Slice(1, 1, 2)) * r).Sum();
        b.Backward();
        var gb = new[] { x.Grad!.ToArray(), mod.Grad!.ToArray() };
        Assert.Equal(b.Item(), a.Item(), 3);
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < ga[k].Length; i++) Assert.Equal(gb[k][i], ga[k][i], 4);
    }

    [Fact]
    public void FusedNormModulateInputGradientMatchesFiniteDifferencesInDouble()
    {
        var g = new Generator(42);
        var x = Tensor.RandN(g, 1, 2, 6).RequireGrad();
        var mod = Tensor.RandN(g, 1, 2, 6);
        var r = Tensor.RandN(g, 1, 2, 6);
        (AdaLN.NormModulate(x, mod.Slice(1, 0, 1), mod.Slice(1, 1, 2), 1e-6f) * r).Sum().Backward();
        var analytic = x.Grad!.ToArray();
        var xv = x.ToArray(); var mv = mod.ToArray(); var rv = r.ToArray();
        double F(double[] xs)
        {
            double total = 0;
            for (int row = 0; row < 2; row++)
            {
                double mean = 0, var = 0;
                for (int j = 0; j < 6; j++) mean += xs[row * 6 + j] / 6;
                for (int j = 0; j < 6; j++) var += (xs[row * 6 + j] - mean) * (xs[row * 6 + j] - mean) / 6;
                for (int j = 0; j < 6; j++)
                    total += rv[row * 6 + j] * ((xs[row * 6 + j] - mean) / Math.Sqrt(var + 1e-6) * (1 + mv[6 + j]) + mv[j]);
            }
            return total;
        }
        for (int i = 0; i < 12; i++)
        {
            var p = xv.Select(v => (double)v).ToArray(); var m = (double[])p.Clone();
            p[i] += 1e-5; m[i] -= 1e-5;
            Assert.Equal((F(p) - F(m)) / 2e-5, analytic[i], 3);
        }
    }
}
