using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Training;

/// <summary>
/// Model presets selectable with <c>--model</c>: flow MLPs for vector data (<c>flow-mlp</c>: width 256, depth 3;
/// <c>flow-mlp-s</c>: width 128, depth 3) and every <see cref="SiTRegistry"/> name for images (the number of classes
/// is set to the data's), plus the representation models <c>repa-&lt;SiT preset&gt;</c> and <c>rae-&lt;DiT-DH preset&gt;</c>
/// (<see cref="MixFlow.Representation.RepresentationModels"/>; here built as their sampling networks).
/// </summary>
public static class ModelPresets
{
    /// <summary>Default preset for vector (2-D) data.</summary>
    public const string DefaultPoints = "flow-mlp";

    /// <summary>Default preset for 28×28 images.</summary>
    public const string DefaultImages = "SiT-XS/4-28";

    private static readonly Dictionary<string, FlowMlpOptions> Mlps = new(StringComparer.OrdinalIgnoreCase)
    {
        ["flow-mlp"] = new FlowMlpOptions { Width = 256, Depth = 3 },
        ["flow-mlp-s"] = new FlowMlpOptions { Width = 128, Depth = 3 },
    };

    /// <summary>All preset names.</summary>
    public static IReadOnlyList<string> Names => Mlps.Keys.Concat(SiTRegistry.Names).Concat(MixFlow.Representation.RepresentationModels.Names).ToList();

    /// <summary>The default preset for a sample shape.</summary>
    public static string DefaultFor(int[] sampleShape) => sampleShape.Length == 1 ? DefaultPoints : DefaultImages;

    /// <summary>Builds a preset for data of the given shape and class count.</summary>
    /// <param name="name">Preset name.</param>
    /// <param name="sampleShape">Shape of one data sample ([D] or [C, H, W]).</param>
    /// <param name="numClasses">Classes of the data (0: unconditional).</param>
    /// <param name="gen">Initialization stream.</param>
    /// <exception cref="ConfigException">Unknown preset, or a preset that does not fit the data (names the key <c>model</c>).</exception>
    public static Module Create(string name, int[] sampleShape, int numClasses, Generator gen)
    {
        if (Mlps.TryGetValue(name, out var mlp))
        {
            if (sampleShape.Length != 1)
                throw new ConfigException("model", $"model: '{name}' is for vector data [D], the data has samples [{string.Join(", ", sampleShape)}] (use an image preset such as {DefaultImages})");
            return new FlowMlp(mlp with { Dim = sampleShape[0], NumClasses = numClasses }, gen);
        }
        if (MixFlow.Representation.RepresentationModels.IsRepa(name) || MixFlow.Representation.RepresentationModels.IsRae(name))
            return CreateRepresentationBackbone(name, sampleShape, numClasses, gen);
        if (!SiTRegistry.Names.Contains(name))
            throw new ConfigException("model", $"model: unknown preset '{name}' (known: {string.Join(", ", Names)})");
        var o = SiTRegistry.Options(name);
        if (sampleShape.Length != 3 || sampleShape[0] != o.InChannels || sampleShape[1] != o.InputSize || sampleShape[2] != o.InputSize)
            throw new ConfigException("model", $"model: '{name}' expects images [{o.InChannels}, {o.InputSize}, {o.InputSize}], the data has samples [{string.Join(", ", sampleShape)}]");
        return SiTRegistry.Create(name, gen, x => x with { NumClasses = numClasses, ClassDropoutProb = numClasses > 0 ? 0.1f : 0f });
    }

    /// <summary>
    /// The sampling network of a <c>repa-&lt;SiT&gt;</c> name (the bare SiT: the REPA projector is only needed for training
    /// and is dropped when a checkpoint is loaded into it) or an <c>rae-&lt;DiT-DH&gt;</c> name (the DiT-DH on latents of
    /// <paramref name="sampleShape"/>). Training builds these through <see cref="RepresentationRun.CreateModel"/>.
    /// </summary>
    private static Module CreateRepresentationBackbone(string name, int[] sampleShape, int numClasses, Generator gen)
    {
        bool repa = MixFlow.Representation.RepresentationModels.IsRepa(name);
        string inner = name[(repa ? MixFlow.Representation.RepresentationModels.RepaPrefix : MixFlow.Representation.RepresentationModels.RaePrefix).Length..];
        if (!(repa ? SiTRegistry.Names : DiTDHRegistry.Names).Contains(inner))
            throw new ConfigException("model", $"model: unknown preset '{name}' (known: {string.Join(", ", Names)})");
        if (repa) return Create(inner, sampleShape, numClasses, gen);
        try { return MixFlow.Representation.RepresentationModels.CreateRae(name, sampleShape, numClasses, gen); }
        catch (ArgumentException e) { throw new ConfigException("model", $"model: '{name}' runs on RAE latents [D, G, G]: {e.Message}"); }
    }
}
