using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// t ~ Beta(a, b). MixFlow's default Beta(2, 1) has density 2t (more weight near the data) and is drawn exactly by
/// the inverse CDF t = sqrt(u) (<see cref="Generator.NextBeta"/> uses u^(1/a) whenever b = 1).
/// </summary>
public sealed class BetaTimeSampler : ITimeSampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="a">First shape parameter (default 2), &gt; 0.</param>
    /// <param name="b">Second shape parameter (default 1), &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">a or b not positive and finite.</exception>
    public BetaTimeSampler(double a = 2, double b = 1)
    {
        if (!(a > 0) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), $"BetaTimeSampler: a must be a finite value > 0, got {a}");
        if (!(b > 0) || double.IsInfinity(b)) throw new ArgumentOutOfRangeException(nameof(b), $"BetaTimeSampler: b must be a finite value > 0, got {b}");
        A = a; B = b;
    }

    /// <summary>First shape parameter.</summary>
    public double A { get; }

    /// <summary>Second shape parameter.</summary>
    public double B { get; }

    /// <inheritdoc/>
    public double Next(Generator gen) => A == 2 && B == 1 ? Math.Sqrt(gen.NextDouble()) : gen.NextBeta(A, B);
}
