using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Tests.Representation;

/// <summary>Fixture reading and small model builders for the REPA / RAE / DiT-DH tests.</summary>
internal static class RepaRaeTestUtil
{
    public static Dictionary<string, Tensor> Read(string file) => Models.ModelFixtureReader.ReadFrom("repa_rae", file);

    public static double MaxAbsDiff(Tensor a, Tensor b) => Models.ModelFixtureReader.MaxAbsDiff(a, b);

    public static double MaxAbs(Tensor a) => a.ToArray().Max(v => Math.Abs((double)v));

    /// <summary>Fills every parameter with N(0, std²) (DiT's zero init would hide most of the network).</summary>
    public static void Randomize(Module m, ulong seed, float std = 0.1f)
    {
        var g = new Generator(seed);
        foreach (var p in m.Parameters()) Init.Normal(p, std, g);
    }

    /// <summary>An 8×8 gray-image encoder with a 2×2 grid of 6-d tokens.</summary>
    public static CnnPatchEncoder TinyEncoder(ulong seed = 11) =>
        new(new ClassifierCnnOptions { InChannels = 1, ImageSize = 8, NumClasses = 3, Channels = [4, 4, 6] }, new Generator(seed));

    /// <summary>A SiT on 8×8 gray images, patch 2 (4×4 token grid), width 32, depth 3.</summary>
    public static SiT TinySiT(ulong seed = 12, int classes = 0) =>
        new(new SiTOptions { InputSize = 8, InChannels = 1, PatchSize = 2, HiddenSize = 32, Depth = 3, NumHeads = 2, NumClasses = classes, ClassDropoutProb = classes > 0 ? 0.1f : 0f, LearnSigma = false }, new Generator(seed));

    public static RepaModel TinyRepaModel(ulong seed = 12)
    {
        var sit = TinySiT(seed);
        var proj = new RepaProjector(new RepaProjectorOptions { InputDim = 32, HiddenDim = 24, OutputDim = 6 }, new Generator(seed + 100));
        var m = new RepaModel(sit, proj);
        Randomize(m, seed + 200);
        return m;
    }

    public static DiTDHOptions TinyDiTDH => new()
    {
        InputSize = 6, InChannels = 3, PatchSize = 2, HiddenSize = 32, Depth = 2, NumHeads = 2,
        HeadHiddenSize = 48, HeadDepth = 1, HeadNumHeads = 4, NumClasses = 4, ClassDropoutProb = 0.1f, TimeScale = 1000f,
    };

    public static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"mixflow-repa-{Environment.ProcessId}-{Guid.NewGuid():N}-{name}");
}
