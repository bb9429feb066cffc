using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Representation;

/// <summary>
/// The model names of the representation recipes, for <c>--model</c>: <c>repa-&lt;SiT preset&gt;</c> (e.g.
/// <c>repa-SiT-XS/4-28</c>: that SiT wrapped in a <see cref="RepaModel"/> with a fresh projector to the encoder's token
/// width) and <c>rae-&lt;DiT-DH preset&gt;</c> (e.g. <c>rae-DiTDH-S</c>: a <see cref="DiTDH"/> on the RAE latent).
/// Conditional models get label dropout 0.1, as the plain presets.
/// </summary>
public static class RepresentationModels
{
    /// <summary>Prefix of REPA model names.</summary>
    public const string RepaPrefix = "repa-";

    /// <summary>Prefix of RAE (latent DiT-DH) model names.</summary>
    public const string RaePrefix = "rae-";

    /// <summary>All names: <c>repa-</c> + every SiT preset, <c>rae-</c> + every DiT-DH preset.</summary>
    public static IReadOnlyList<string> Names =>
        SiTRegistry.Names.Select(n => RepaPrefix + n).Concat(DiTDHRegistry.Names.Select(n => RaePrefix + n)).ToList();

    /// <summary>Whether the name selects a REPA model.</summary>
    public static bool IsRepa(string? name) => name is not null && name.StartsWith(RepaPrefix, StringComparison.Ordinal);

    /// <summary>Whether the name selects an RAE latent model.</summary>
    public static bool IsRae(string? name) => name is not null && name.StartsWith(RaePrefix, StringComparison.Ordinal);

    /// <summary>Builds <c>repa-&lt;SiT preset&gt;</c> for images of <paramref name="sampleShape"/>.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="sampleShape">[C, S, S] of the data.</param>
    /// <param name="numClasses">Classes of the data (0: unconditional).</param>
    /// <param name="tokenDim">The encoder's token width (projector output).</param>
    /// <param name="gen">Initialisation stream.</param>
    /// <param name="captureBlock">Aligned block k (null: depth / 3).</param>
    /// <param name="projectorHiddenDim">Projector hidden width (default 512).</param>
    /// <exception cref="ArgumentException">Not a REPA name, unknown SiT preset, or a preset that does not fit the data.</exception>
    public static RepaModel CreateRepa(string name, int[] sampleShape, int numClasses, int tokenDim, Generator gen, int? captureBlock = null, int projectorHiddenDim = 512)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (!IsRepa(name)) throw new ArgumentException($"RepresentationModels.CreateRepa: '{name}' does not start with '{RepaPrefix}'");
        string preset = name[RepaPrefix.Length..];
        var o = SiTRegistry.Options(preset);
        if (sampleShape.Length != 3 || sampleShape[0] != o.InChannels || sampleShape[1] != o.InputSize || sampleShape[2] != o.InputSize)
            throw new ArgumentException($"RepresentationModels.CreateRepa: '{preset}' expects images [{o.InChannels}, {o.InputSize}, {o.InputSize}], the data has samples [{string.Join(", ", sampleShape)}]");
        var sit = new SiT(o with { NumClasses = numClasses, ClassDropoutProb = numClasses > 0 ? 0.1f : 0f }, gen);
        return RepaModel.ForSiT(sit, tokenDim, gen, captureBlock, projectorHiddenDim);
    }

    /// <summary>Builds <c>rae-&lt;DiT-DH preset&gt;</c> for latents of <paramref name="latentShape"/> ([D, G, G], <see cref="RaeCodec.LatentShape"/>).</summary>
    /// <exception cref="ArgumentException">Not an RAE name, unknown DiT-DH preset, or a latent shape that is not [D, G, G].</exception>
    public static DiTDH CreateRae(string name, int[] latentShape, int numClasses, Generator gen)
    {
        if (!IsRae(name)) throw new ArgumentException($"RepresentationModels.CreateRae: '{name}' does not start with '{RaePrefix}'");
        return new DiTDH(DiTDHRegistry.ForLatent(name[RaePrefix.Length..], latentShape, numClasses), gen);
    }
}
