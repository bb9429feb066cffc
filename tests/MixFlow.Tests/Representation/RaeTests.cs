using System.Diagnostics;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Transport;
using Xunit.Abstractions;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

public class RaeTests(ITestOutputHelper output)
{
    /// <summary>
    /// Pixel MSE (images in [−1, 1]) that a tiny decoder (8 channels) must reach after <see cref="DecoderSteps"/> steps
    /// of batch 16 on 512 Fashion-MNIST test images through a fixed random CNN encoder (channels 8, 16, 32: 49 tokens
    /// of 32-d). Measured 0.104; predicting the mean image gives 0.346.
    /// </summary>
    const double DecoderMseBound = 0.15;

    const int DecoderSteps = 150;

    static ArrayDataset Subset(ArrayDataset data, int n)
    {
        var shape = data.SampleShape;
        int size = shape.Aggregate(1, (a, b) => a * b);
        var x = new float[n * size];
        var labels = new int[n];
        data.Fill(Enumerable.Range(0, n).ToArray(), x, labels);
        return ArrayDataset.FromFloats(x, shape, labels, data.NumClasses);
    }

    [Fact]
    public void DecoderLearnsToReconstructFashionMnistFromRandomEncoderTokens()
    {
        if (!FashionMnist.IsAvailable(DatasetSplit.Test)) { output.WriteLine("Fashion-MNIST not installed: skipped"); return; }
        var total = Stopwatch.StartNew();
        var data = Subset(FashionMnist.Load(DatasetSplit.Test), 512);
        double loadS = total.Elapsed.TotalSeconds;
        var enc = new CnnPatchEncoder(new ClassifierCnnOptions { Channels = [8, 16, 32] }, new Generator(1));
        var stats = TokenNormalization.Compute(enc, data, maxSamples: 512);
        enc.SetNormalization(stats);
        var sw = Stopwatch.StartNew();
        var r = RaeDecoderTrainer.Train(enc, data, new RaeDecoderRecipe { MaxSteps = DecoderSteps, BatchSize = 16, HiddenChannels = 8, LearningRate = 3e-3, Seed = 2 }, stats);
        double trainS = sw.Elapsed.TotalSeconds;
        double mse = RaeDecoderTrainer.ReconstructionMse(enc, r.Decoder, data, 512);
        double baseline = Baseline(data);
        output.WriteLine($"decoder: load {loadS:F1} s, {r.Steps} steps in {trainS:F1} s (total {total.Elapsed.TotalSeconds:F1} s), train MSE {r.FinalMse:F4}, eval MSE {mse:F4}, mean-image MSE {baseline:F4}");
        Assert.Equal(DecoderSteps, r.Steps);
        Assert.True(mse < DecoderMseBound, $"reconstruction MSE {mse} >= {DecoderMseBound}");
        foreach (var (name, p) in enc.NamedParameters()) Assert.True(p.Grad is null, $"encoder parameter {name} received a gradient");
    }

    static RaeCodec TinyCodec(out CnnPatchEncoder enc)
    {
        enc = TinyEncoder(41);
        Randomize(enc, 42, 0.3f);
        var data = ArrayDataset.FromFloats((Tensor.Rand(new Generator(43), 40, 1, 8, 8) * 2f - 1f).ToArray(), [1, 8, 8], Enumerable.Range(0, 40).Select(i => i % 3).ToArray(), 3);
        enc.SetNormalization(TokenNormalization.Compute(enc, data, batchSize: 16));
        var dec = new RaeDecoder(new RaeDecoderOptions { TokenDim = 6, GridSize = 2, ImageSize = 8, OutChannels = 1, HiddenChannels = 4 }, new Generator(44));
        return new RaeCodec(enc, enc.Normalization, dec);
    }

    [Fact]
    public void LatentIsTheNormalisedTokenGridAndDecodesThroughTheDecoder()
    {
        var codec = TinyCodec(out var enc);
        Assert.Equal(new[] { 6, 2, 2 }, codec.LatentShape);
        var x = Tensor.Rand(new Generator(45), 3, 1, 8, 8) * 2f - 1f;
        var z = codec.EncodeToLatent(x);
        Assert.Equal(new[] { 3, 6, 2, 2 }, z.Shape);
        var tok = enc.Encode(x).ToArray();                                      // [3, 4, 6]
        var st = codec.Normalization;
        for (int n = 0; n < 3; n++)
            for (int d = 0; d < 6; d++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++)
                        Assert.Equal((tok[(n * 4 + i * 2 + j) * 6 + d] - st.Mean[d]) / st.Std[d], z[n, d, i, j], 5);
        var img = codec.DecodeToImages(z);
        var direct = codec.Decoder.Forward(enc.Encode(x));
        Assert.True(MaxAbsDiff(img, direct) <= 1e-5);
        Assert.Throws<ArgumentException>(() => codec.DecodeToImages(Tensor.Zeros(3, 5, 2, 2)));
        Assert.Throws<ArgumentException>(() => new RaeCodec(enc, TokenNormalization.Identity(5), codec.Decoder));
    }

    [Fact]
    public void TokenStatisticsNormaliseTheirDataAndTheLatentDatasetEncodes()
    {
        var enc = TinyEncoder(51);
        Randomize(enc, 52, 0.3f);
        var data = ArrayDataset.FromFloats((Tensor.Rand(new Generator(53), 30, 1, 8, 8) * 2f - 1f).ToArray(), [1, 8, 8], Enumerable.Range(0, 30).Select(i => i % 3).ToArray(), 3);
        var stats = TokenNormalization.Compute(enc, data, batchSize: 7);
        var all = enc.Encode(EncoderDataImages(data)).ToArray();               // [30, 4, 6]
        for (int d = 0; d < 6; d++)
        {
            double m = 0, v = 0; int cnt = all.Length / 6;
            for (int r = 0; r < cnt; r++) m += all[r * 6 + d];
            m /= cnt;
            for (int r = 0; r < cnt; r++) v += (all[r * 6 + d] - m) * (all[r * 6 + d] - m);
            Assert.Equal(m, stats.Mean[d], 4);
            Assert.Equal(Math.Max(Math.Sqrt(v / cnt), TokenNormalization.MinStd), stats.Std[d], 4);
        }
        var dec = new RaeDecoder(new RaeDecoderOptions { TokenDim = 6, GridSize = 2, ImageSize = 8, OutChannels = 1, HiddenChannels = 4 }, new Generator(54));
        var codec = new RaeCodec(enc, stats, dec);
        var latents = new RaeLatentDataset(data, codec);
        Assert.Equal(new[] { 6, 2, 2 }, latents.SampleShape);
        Assert.Equal(3, latents.NumClasses);
        var buf = new float[2 * 24]; var lab = new int[2];
        latents.Fill([4, 9], buf, lab);
        Assert.Equal(new[] { 1, 0 }, lab);
        var idx = new[] { 4, 9 };
        var imgs = Tensor.Empty(2, 1, 8, 8);
        data.Fill(idx, imgs.AsSpan(), new int[2]);
        Assert.Equal(codec.EncodeToLatent(imgs).ToArray(), buf);
        Assert.Throws<ArgumentException>(() => TokenNormalization.Compute(enc, ArrayDataset.FromFloats(new float[2 * 36], [1, 6, 6])));
    }

    [Fact]
    public void TimeShiftForTheRaeLatentMatchesTheClosedForm()
    {
        var d = new RaeDefaults();
        Assert.Equal(0.4, d.Gamma);
        Assert.Equal(0.4, d.MixFlow.Gamma);
        int[] latent = [128, 7, 7];
        double s = Math.Sqrt(128.0 * 49 / 4096);
        Assert.Equal(s, d.Shift(latent), 12);
        var grid = d.SamplingGrid(10, latent);
        for (int i = 0; i <= 10; i++)
        {
            double u = i / 10.0;
            Assert.Equal(u / (s - (s - 1) * u), grid[i], 12);
        }
        var sampler = d.TimeSampler(new UniformTimeSampler(), latent);
        Assert.Equal(s, sampler.Shift, 12);
        var g1 = new Generator(61); var g2 = new Generator(61);
        var inner = new UniformTimeSampler();
        for (int i = 0; i < 20; i++)
        {
            double u = inner.Next(g2);
            Assert.Equal(u / (s - (s - 1) * u), sampler.Next(g1), 12);
        }
        Assert.Equal(1.0, new RaeDefaults().Shift([16, 16, 16]), 12);
        Assert.Throws<ArgumentException>(() => d.Shift([128, 49]));
    }

    static double Baseline(ArrayDataset data)
    {
        var x = EncoderDataImages(data);
        var mean = x.Mean(0, keepDim: true);
        return (x - mean).Square().Mean().Item();
    }

    static Tensor EncoderDataImages(ArrayDataset data)
    {
        var t = Tensor.Empty([data.Count, .. data.SampleShape]);
        data.Fill(Enumerable.Range(0, data.Count).ToArray(), t.AsSpan(), new int[data.Count]);
        return t;
    }
}
