namespace MixFlow.Transport;

/// <summary>Options of <see cref="OdeLikelihood"/>.</summary>
/// <param name="Steps">Fixed RK4 steps from data to noise, ≥ 1 (default 100).</param>
/// <param name="Divergence">Divergence method (default <see cref="DivergenceMethod.Auto"/>).</param>
/// <param name="ExactMaxDimension">Largest per-sample dimension computed exactly under Auto (default 8), ≥ 1.</param>
/// <param name="Probe">Hutchinson probe distribution (default Rademacher).</param>
/// <param name="Probes">Hutchinson probes per sample, averaged, ≥ 1 (default 1).</param>
/// <param name="Seed">Seed of the probes (default 0).</param>
public sealed record LikelihoodOptions(
    int Steps = 100,
    DivergenceMethod Divergence = DivergenceMethod.Auto,
    int ExactMaxDimension = 8,
    ProbeDistribution Probe = ProbeDistribution.Rademacher,
    int Probes = 1,
    ulong Seed = 0)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"LikelihoodOptions.Steps must be ≥ 1, got {Steps}");
        if (ExactMaxDimension <= 0) throw new ArgumentOutOfRangeException(nameof(ExactMaxDimension), $"LikelihoodOptions.ExactMaxDimension must be ≥ 1, got {ExactMaxDimension}");
        if (Probes <= 0) throw new ArgumentOutOfRangeException(nameof(Probes), $"LikelihoodOptions.Probes must be ≥ 1, got {Probes}");
        if (!Enum.IsDefined(Divergence)) throw new ArgumentOutOfRangeException(nameof(Divergence), $"LikelihoodOptions.Divergence: {Divergence} is not one of {string.Join(", ", Enum.GetNames<DivergenceMethod>())}");
        if (!Enum.IsDefined(Probe)) throw new ArgumentOutOfRangeException(nameof(Probe), $"LikelihoodOptions.Probe: {Probe} is not one of {string.Join(", ", Enum.GetNames<ProbeDistribution>())}");
    }
}
