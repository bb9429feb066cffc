using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Evaluation;

public class EvaluatorTests
{
    private static (Evaluator Eval, ArrayDataset Data, Tensor Images) Setup(int n)
    {
        var net = FeatureNetwork.FromModel(new ClassifierCnn(FeatureNetworkTests.TinyArch, new Generator(21)));
        var data = FeatureNetworkTests.HalvesDataset(n, 22);
        var images = Evaluator.Quantize(data.Gather(Enumerable.Range(0, n).ToArray(), out _)).MoveToOuterScope();
        var reference = new ReferenceSet(net.Embed(images), data.Labels);
        return (new Evaluator(net, reference, new ImageMetricsOptions { InceptionSplits = 2, BlockRows = 16 }), data, images);
    }

    [Fact]
    public void SameImagesAsTheReferenceScorePerfectly()
    {
        var (ev, data, images) = Setup(60);
        var r = ev.EvaluateImages(images, data.Labels);
        Assert.Equal(60, r.Samples);
        double tr = 0;
        var st = ev.Reference.Statistics;
        for (int i = 0; i < st.Dim; i++) tr += st.Covariance[i * st.Dim + i];
        Assert.True(r.Fd <= 1e-6 * tr, $"FD {r.Fd}");
        Assert.Equal(1.0, r.Precision);
        Assert.Equal(1.0, r.Recall);
        Assert.NotNull(r.ClassAccuracy);
        Assert.Equal(FeatureNetwork.Accuracy(ev.Network.Embed(images), data.Labels!), r.ClassAccuracy!.Value, 12);
        Assert.InRange(r.InceptionScore, 1.0, 2.0);
        images.Dispose();
    }

    [Fact]
    public void NpzSamplesEvaluateLikeTheirImages()
    {
        var (ev, data, images) = Setup(40);
        string path = Path.Combine(Path.GetTempPath(), "mixflow-eval-" + Guid.NewGuid().ToString("N") + ".npz");
        try
        {
            var bytes = MixFlow.Imaging.ImageConvert.ToNhwcBytes(images);
            NpzFile.WriteSamples(path, bytes, 40, 8, 8, 1, data.Labels!.Select(l => (long)l).ToArray());
            var fromNpz = ev.EvaluateNpz(path);
            var direct = ev.EvaluateImages(images, data.Labels);
            Assert.Equal(direct, fromNpz);
            var read = Evaluator.ReadNpzImages(path);
            Assert.Equal(images.ToArray(), read.Images.ToArray());
            Assert.Equal(data.Labels!, read.Labels!);
            read.Images.Dispose();
            NpzFile.Write(path, [new("x", NpyArray.FromInt64([1, 2], 2)), new("y", NpyArray.FromInt64([1], 1))]);
            Assert.Throws<InvalidDataException>(() => Evaluator.ReadNpzImages(path));
        }
        finally { File.Delete(path); images.Dispose(); }
    }

    [Fact]
    public void EvaluateModelIsSeededAndReportsTheSampleCount()
    {
        var (ev, _, images) = Setup(30);
        images.Dispose();
        var transport = new FlowTransport();
        var mu = new double[64];
        for (int p = 0; p < 64; p++) mu[p] = p % 8 < 4 ? 0.6 : -0.6;
        var model = new GaussianVelocityOracle(transport.Path, mu, 0.3);
        var sampler = new FixedStepOdeSampler(transport, new OdeSamplerOptions(Steps: 8));
        var seen = new List<int>();
        var a = ev.EvaluateModel(model, sampler, 25, SampleLabelMode.None, seed: 3, batchSize: 10, progress: new Collect(seen));
        Assert.Equal([10, 20, 25], seen); // after every batch, on the calling thread
        var b = ev.EvaluateModel(model, sampler, 25, SampleLabelMode.None, seed: 3, batchSize: 7);
        Assert.Equal(25, a.Samples);
        Assert.Equal(a, b);
        Assert.Null(a.ClassAccuracy);
        Assert.True(double.IsFinite(a.Fd) && a.Fd >= 0);
        Assert.Throws<ArgumentException>(() => ev.EvaluateModel(model, sampler, 25, SampleLabelMode.Balanced, 3));
        Assert.Throws<ArgumentException>(() => ev.EvaluateModel(model, sampler, 3, SampleLabelMode.None, 3));
    }

    [Fact]
    public void LabelsAndQuantisation()
    {
        Assert.Equal([0, 1, 2, 0, 1], Evaluator.MakeLabels(SampleLabelMode.Balanced, 5, 3, 0)!);
        var r = Evaluator.MakeLabels(SampleLabelMode.Random, 100, 10, 4)!;
        Assert.All(r, l => Assert.InRange(l, 0, 9));
        Assert.Equal(r, Evaluator.MakeLabels(SampleLabelMode.Random, 100, 10, 4));
        Assert.Null(Evaluator.MakeLabels(SampleLabelMode.None, 5, 0, 0));
        Assert.Throws<ArgumentException>(() => Evaluator.MakeLabels(SampleLabelMode.None, 5, 10, 0));
        using var scope = new TensorScope();
        var q = Evaluator.Quantize(Tensor.FromArray([-3f, -1f, 0f, 0.5f, 1f, 7f], 6)).ToArray();
        Assert.Equal(-1f, q[0]); Assert.Equal(-1f, q[1]); Assert.Equal(1f, q[4]); Assert.Equal(1f, q[5]);
        Assert.Equal((float)(128 / 127.5 - 1), q[2]);   // round(127.5) = 128 (away from zero)
    }

    private sealed class Collect(List<int> into) : IProgress<int>
    {
        public void Report(int value) => into.Add(value);
    }
}
