namespace MixFlow.Training;

/// <summary>Which representation recipe a model preset selects (see <see cref="RepresentationSetup.KindOf"/>).</summary>
public enum RepresentationKind
{
    /// <summary>A plain preset (flow MLP, SiT): no encoder.</summary>
    None,
    /// <summary><c>repa-&lt;SiT preset&gt;</c>: a SiT trained with the REPA alignment loss against a frozen encoder.</summary>
    Repa,
    /// <summary><c>rae-&lt;DiT-DH preset&gt;</c>: a DiT-DH trained in the normalised token space of a frozen encoder, decoded to pixels by an RAE decoder.</summary>
    Rae,
}
