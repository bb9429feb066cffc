using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Tests.Training;

/// <summary>Guidance in the library's sample generator: CFG or autoguidance, one at a time.</summary>
public class SampleGeneratorGuidanceTests
{
    private static FlowMlp Model(ulong seed) =>
        new(new FlowMlpOptions { Dim = 2, Width = 16, Depth = 2, NumClasses = 3, ClassEmbedDim = 4 }, new Generator(seed));

    private static readonly SampleRequest Request = new() { Count = 6, Steps = 3, Seed = 5, BatchSize = 4 };

    [Fact]
    public void AWeakModelTogetherWithCfg_IsRefusedNamingBoth()
    {
        var e = Assert.Throws<ConfigException>(() => SampleGenerator.Generate(Model(1), [2], Request with { CfgScale = 1.5 }, Model(2)));
        Assert.Equal("cfg", e.Key);
        Assert.Contains("autoguidance", e.Message);
        Assert.Contains("1.5", e.Message);
    }

    [Fact]
    public void Autoguidance_AtScaleOne_IsTheMainModel_AndAtScaleTwo_IsNot()
    {
        var main = Model(1);
        var weak = Model(2);
        var plain = SampleGenerator.Generate(main, [2], Request).X.ToArray();
        var one = SampleGenerator.Generate(main, [2], Request with { AutoguidanceScale = 1 }, weak).X.ToArray();
        var two = SampleGenerator.Generate(main, [2], Request with { AutoguidanceScale = 2 }, weak).X.ToArray();
        Assert.Equal(plain.Length, one.Length);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], one[i], 1e-5f);
        Assert.True(plain.Zip(two).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f, "autoguidance at scale 2 left the samples unchanged");
    }

    [Fact]
    public void Cfg_WithoutAWeakModel_StillGuides()
    {
        var main = Model(1);
        var plain = SampleGenerator.Generate(main, [2], Request).X.ToArray();
        var guided = SampleGenerator.Generate(main, [2], Request with { CfgScale = 3 }).X.ToArray();
        Assert.True(plain.Zip(guided).Max(p => Math.Abs(p.First - p.Second)) > 1e-4f, "CFG 3 left the samples unchanged");
    }
}
