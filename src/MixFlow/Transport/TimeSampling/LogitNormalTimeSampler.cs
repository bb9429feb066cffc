using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>t = sigmoid(μ + s·n) with n ~ N(0, 1) (the logit-normal of SD3).</summary>
public sealed class LogitNormalTimeSampler : ITimeSampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="mean">μ (default 0).</param>
    /// <param name="std">s (default 1), &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">μ not finite or s not positive and finite.</exception>
    public LogitNormalTimeSampler(double mean = 0, double std = 1)
    {
        if (!double.IsFinite(mean)) throw new ArgumentOutOfRangeException(nameof(mean), $"LogitNormalTimeSampler: mean must be finite, got {mean}");
        if (!(std > 0) || double.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), $"LogitNormalTimeSampler: std must be a finite value > 0, got {std}");
        Mean = mean; Std = std;
    }

    /// <summary>μ.</summary>
    public double Mean { get; }

    /// <summary>s.</summary>
    public double Std { get; }

    /// <inheritdoc/>
    public double Next(Generator gen) => 1.0 / (1.0 + Math.Exp(-(Mean + Std * gen.NextNormal())));
}
