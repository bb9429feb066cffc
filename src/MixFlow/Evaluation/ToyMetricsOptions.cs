using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>Options of the 2-D metrics.</summary>
public sealed record ToyMetricsOptions
{
    /// <summary>Random projections of the sliced W2, ≥ 1. Default 256.</summary>
    public int Projections { get; init; } = SlicedWasserstein.DefaultProjections;

    /// <summary>Seed of the projections and of the fresh true samples. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Fresh true samples to compare against (null = as many as the generated samples). Default null.</summary>
    public int? ReferenceSamples { get; init; }

    /// <summary>RBF bandwidths of the MMD, or null for the median heuristic ({h/2, h, 2h}; see <see cref="Mmd"/>). Default null.</summary>
    public IReadOnlyList<double>? MmdBandwidths { get; init; }

    /// <summary>At most this many points of each set enter the MMD (the first ones; its cost is quadratic), ≥ 2. Default 4000.</summary>
    public int MmdMaxPoints { get; init; } = 4000;

    /// <summary>Fresh true samples whose likelihood is measured (when a model is given), ≥ 1. Default 1000.</summary>
    public int NllSamples { get; init; } = 1000;

    /// <summary>Points per likelihood batch, ≥ 1. Default 500.</summary>
    public int NllBatchSize { get; init; } = 500;

    /// <summary>Options of the ODE likelihood (null = its defaults: 100 RK4 steps, exact divergence in 2-D). Default null.</summary>
    public LikelihoodOptions? Likelihood { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (Projections < 1) throw new ArgumentException($"ToyMetricsOptions.Projections must be >= 1 (got {Projections})");
        if (ReferenceSamples is { } r && r < 2) throw new ArgumentException($"ToyMetricsOptions.ReferenceSamples must be null or >= 2 (got {r})");
        if (MmdMaxPoints < 2) throw new ArgumentException($"ToyMetricsOptions.MmdMaxPoints must be >= 2 (got {MmdMaxPoints})");
        if (NllSamples < 1) throw new ArgumentException($"ToyMetricsOptions.NllSamples must be >= 1 (got {NllSamples})");
        if (NllBatchSize < 1) throw new ArgumentException($"ToyMetricsOptions.NllBatchSize must be >= 1 (got {NllBatchSize})");
        if (MmdBandwidths is { } b && b.Any(v => !(v > 0) || double.IsInfinity(v))) throw new ArgumentException($"ToyMetricsOptions.MmdBandwidths must all be finite and > 0 (got {string.Join(", ", b)})");
    }
}
