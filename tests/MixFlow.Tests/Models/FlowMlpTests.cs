using MixFlow.Models;
using MixFlow.Tensors;
using static MixFlow.Tests.Models.ModelFixtureReader;

namespace MixFlow.Tests.Models;

public class FlowMlpTests
{
    [Fact]
    public void ForwardMatchesPyTorchFixture()
    {
        var w = Read("flow_mlp_weights.safetensors");
        var io = Read("flow_mlp_io.safetensors");
        var model = new FlowMlp(new FlowMlpOptions { Width = 32 }, new Generator(1));
        Assert.Equal(w.Keys.OrderBy(k => k), model.StateDict().Select(s => s.Name).OrderBy(k => k));
        model.LoadStateDict(w);
        var y = model.Forward(io["x"], io["t"], null);
        Assert.True(MaxAbsDiff(y, io["out"]) <= 1e-4, $"max abs diff {MaxAbsDiff(y, io["out"])}");
    }

    [Fact]
    public void DefaultsMatchBenchmarkModelSize()
    {
        // flow_bench.py's FlowMlp: (2+64)·256+256 + 2·(256·256+256) + 256·2+2
        var model = new FlowMlp(new FlowMlpOptions(), new Generator(1));
        Assert.Equal(66 * 256 + 256 + 2 * (256 * 256 + 256) + 256 * 2 + 2, model.ParameterCount);
    }

    [Fact]
    public void ConditionalModelUsesClassEmbeddingAndNullRow()
    {
        var model = new FlowMlp(new FlowMlpOptions { Width = 16, Depth = 2, NumClasses = 3, Activation = Activation.GELUTanh }, new Generator(2));
        var x = Tensor.RandN(new Generator(3), 4, 2);
        var t = Tensor.Rand(new Generator(4), 4);
        var a = model.Forward(x, t, [0, 1, 2, 3]).ToArray();
        var b = model.Forward(x, t, [1, 1, 2, 3]).ToArray();
        Assert.NotEqual(a[0], b[0]);
        Assert.Equal(a[2], b[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(x, t, [0, 1, 2, 4]));
        Assert.Throws<ArgumentException>(() => model.Forward(x, t, null));
    }

    [Fact]
    public void BadOptionsAndShapesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new FlowMlp(new FlowMlpOptions { TimeEmbedDim = 7 }, new Generator(1)));
        Assert.Contains("TimeEmbedDim", e.Message);
        var model = new FlowMlp(new FlowMlpOptions { Width = 8 }, new Generator(1));
        var e2 = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(3, 5), Tensor.Zeros(3), null));
        Assert.Contains("[3, 5]", e2.Message);
    }
}
