using MixFlow.Models;
using MixFlow.Tensors;
using static MixFlow.Tests.Models.ModelFixtureReader;

namespace MixFlow.Tests.Models;

public class ClassifierCnnTests
{
    [Fact]
    public void ForwardAndFeaturesMatchPyTorchFixture()
    {
        var w = Read("classifier_weights.safetensors");
        var io = Read("classifier_io.safetensors");
        var model = new ClassifierCnn(new ClassifierCnnOptions(), new Generator(1));
        Assert.Equal(w.Keys.OrderBy(k => k, StringComparer.Ordinal), model.StateDict().Select(s => s.Name).OrderBy(k => k, StringComparer.Ordinal));
        model.LoadStateDict(w);
        model.Eval();
        var f = model.Features(io["x"]);
        Assert.Equal(new[] { 2, 128 }, f.Shape);
        Assert.True(MaxAbsDiff(f, io["features"]) <= 1e-4, $"features: {MaxAbsDiff(f, io["features"])}");
        var logits = model.Forward(io["x"]);
        Assert.True(MaxAbsDiff(logits, io["logits"]) <= 1e-4, $"logits: {MaxAbsDiff(logits, io["logits"])}");
    }

    [Fact]
    public void ThirtyTwoPixelRgbVariantAndBadInput()
    {
        var model = new ClassifierCnn(new ClassifierCnnOptions { InChannels = 3, ImageSize = 32, Dropout = 0.2f }, new Generator(1));
        Assert.Equal(3 * 32 * 9 + 32 + 32 * 64 * 9 + 64 + 64 * 128 * 9 + 128 + 128 * 10 + 10, model.ParameterCount);
        var e = Assert.Throws<ArgumentException>(() => model.Features(Tensor.Zeros(1, 1, 32, 32)));
        Assert.Contains("[1, 1, 32, 32]", e.Message);
        Assert.Throws<ArgumentException>(() => new ClassifierCnn(new ClassifierCnnOptions { Dropout = 1f }, new Generator(1)));
    }
}
