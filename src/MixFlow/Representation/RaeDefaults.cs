using MixFlow.Transport;

namespace MixFlow.Representation;

/// <summary>
/// The settings the paper uses for MixFlow on RAE, and the dimension-dependent time shift of RAE latents: for a
/// latent of D channels on a G×G token grid, s = sqrt(D·G² / <see cref="BaseDimension"/>) in our convention
/// t' = t / (s − (s − 1)·t) (t = 1 data; s &gt; 1 spends more training and sampling time near the noise). The shift
/// itself is <see cref="TimeShift"/>'s; this record only chooses the dimension.
/// </summary>
public sealed record RaeDefaults
{
    /// <summary>MixFlow's slowing range γ for RAE post-training (paper: 0.4). Default 0.4.</summary>
    public double Gamma { get; init; } = 0.4;

    /// <summary>Reference dimension of the shift (RAE's base dimension; s = 1 for a latent of this many elements). Default 4096.</summary>
    public int BaseDimension { get; init; } = 4096;

    /// <summary>DiT-DH preset of the main model. Default "DiTDH-S".</summary>
    public string ModelPreset { get; init; } = "DiTDH-S";

    /// <summary>DiT-DH preset of the weak model for autoguidance. Default "DiTDH-XS".</summary>
    public string GuidancePreset { get; init; } = "DiTDH-XS";

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">γ outside [0, 1], a non-positive base dimension, or an empty preset name.</exception>
    public void Validate()
    {
        if (!(Gamma >= 0 && Gamma <= 1)) throw new ArgumentException($"RaeDefaults: Gamma must be in [0, 1] (got {Gamma})");
        if (BaseDimension < 1) throw new ArgumentException($"RaeDefaults: BaseDimension must be >= 1 (got {BaseDimension})");
        if (string.IsNullOrWhiteSpace(ModelPreset) || string.IsNullOrWhiteSpace(GuidancePreset)) throw new ArgumentException("RaeDefaults: ModelPreset and GuidancePreset must be non-empty");
    }

    /// <summary>MixFlow's options with γ = <see cref="Gamma"/> (slowed-velocity target).</summary>
    public MixFlowOptions MixFlow => new(Gamma);

    /// <summary>Number of latent elements D·H·W of a latent shape [D, H, W].</summary>
    /// <exception cref="ArgumentException">The shape is not three positive sides.</exception>
    public static int LatentDimension(int[] latentShape)
    {
        ArgumentNullException.ThrowIfNull(latentShape);
        if (latentShape.Length != 3 || latentShape.Any(v => v < 1))
            throw new ArgumentException($"RaeDefaults: a latent shape must be [D, H, W] with positive sides, got [{string.Join(", ", latentShape)}]");
        return checked(latentShape[0] * latentShape[1] * latentShape[2]);
    }

    /// <summary>The shift s = sqrt(D·H·W / BaseDimension) for a latent [D, H, W] (<see cref="TimeShift.FromDimension"/>).</summary>
    /// <exception cref="ArgumentException">Bad latent shape.</exception>
    public double Shift(int[] latentShape) => TimeShift.FromDimension(LatentDimension(latentShape), BaseDimension);

    /// <summary>The training time sampler: <paramref name="inner"/> shifted by <see cref="Shift"/> (<see cref="ShiftedTimeSampler.FromDimension"/>).</summary>
    /// <exception cref="ArgumentException">Bad latent shape.</exception>
    public ShiftedTimeSampler TimeSampler(ITimeSampler inner, int[] latentShape) =>
        ShiftedTimeSampler.FromDimension(inner, LatentDimension(latentShape), BaseDimension);

    /// <summary>The shifted sampling grid of <paramref name="steps"/> steps on [t0, t1] (<see cref="TimeGrid.Shifted"/>); the same s goes into
    /// <see cref="OdeSamplerOptions.Shift"/> / <see cref="SdeSamplerOptions.Shift"/>.</summary>
    /// <exception cref="ArgumentException">Bad latent shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Bad steps or interval.</exception>
    public TimeGrid SamplingGrid(int steps, int[] latentShape, double t0 = 0, double t1 = 1) => TimeGrid.Shifted(steps, Shift(latentShape), t0, t1);
}
