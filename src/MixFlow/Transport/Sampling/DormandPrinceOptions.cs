namespace MixFlow.Transport;

/// <summary>Options of <see cref="DormandPrinceSampler"/>.</summary>
/// <param name="Atol">Absolute tolerance (default 1e-6, SiT's), ≥ 0.</param>
/// <param name="Rtol">Relative tolerance (default 1e-3, SiT's), ≥ 0; Atol + Rtol must be &gt; 0.</param>
/// <param name="InitialStep">First step size in (0, 1]; null = Hairer's automatic choice (costs one extra evaluation).</param>
/// <param name="MaxSteps">Maximum number of attempted steps (default 10 000) before giving up.</param>
/// <param name="Safety">Safety factor of the step-size controller (default 0.9), in (0, 1].</param>
/// <param name="MinFactor">Smallest step-size change factor (default 0.2), in (0, 1).</param>
/// <param name="MaxFactor">Largest step-size change factor (default 10), &gt; 1.</param>
public sealed record DormandPrinceOptions(
    double Atol = 1e-6,
    double Rtol = 1e-3,
    double? InitialStep = null,
    int MaxSteps = 10_000,
    double Safety = 0.9,
    double MinFactor = 0.2,
    double MaxFactor = 10.0)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    public void Validate()
    {
        if (!(Atol >= 0) || double.IsInfinity(Atol)) throw new ArgumentOutOfRangeException(nameof(Atol), $"DormandPrinceOptions.Atol must be a finite value ≥ 0, got {Atol}");
        if (!(Rtol >= 0) || double.IsInfinity(Rtol)) throw new ArgumentOutOfRangeException(nameof(Rtol), $"DormandPrinceOptions.Rtol must be a finite value ≥ 0, got {Rtol}");
        if (!(Atol + Rtol > 0)) throw new ArgumentOutOfRangeException(nameof(Atol), "DormandPrinceOptions: Atol + Rtol must be > 0 (both are 0)");
        if (InitialStep is { } h && !(h > 0 && h <= 1)) throw new ArgumentOutOfRangeException(nameof(InitialStep), $"DormandPrinceOptions.InitialStep must be in (0, 1], got {h}");
        if (MaxSteps <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), $"DormandPrinceOptions.MaxSteps must be ≥ 1, got {MaxSteps}");
        if (!(Safety > 0 && Safety <= 1)) throw new ArgumentOutOfRangeException(nameof(Safety), $"DormandPrinceOptions.Safety must be in (0, 1], got {Safety}");
        if (!(MinFactor > 0 && MinFactor < 1)) throw new ArgumentOutOfRangeException(nameof(MinFactor), $"DormandPrinceOptions.MinFactor must be in (0, 1), got {MinFactor}");
        if (!(MaxFactor > 1) || double.IsInfinity(MaxFactor)) throw new ArgumentOutOfRangeException(nameof(MaxFactor), $"DormandPrinceOptions.MaxFactor must be a finite value > 1, got {MaxFactor}");
    }
}
