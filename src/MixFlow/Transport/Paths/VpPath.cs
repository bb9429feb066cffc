namespace MixFlow.Transport;

/// <summary>
/// The variance-preserving path of the VP-SDE, written in the t = 1-data convention: with s = 1 − t,
/// lmc(t) = −¼·s²·(β_max − β_min) − ½·s·β_min, α = exp(lmc), σ = sqrt(1 − α²);
/// α' = α·(½·s·(β_max − β_min) + ½·β_min) and σ' = −α·α'/σ (infinite at t = 1, where σ = 0: sample and train on
/// t ≤ 1 − eps, see <see cref="TransportOptions"/>).
/// </summary>
public sealed class VpPath : InterpolationPath
{
    /// <summary>Creates the path.</summary>
    /// <param name="betaMin">β_min (SiT: 0.1); must be ≥ 0.</param>
    /// <param name="betaMax">β_max (SiT: 20); must be ≥ β_min and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">β_min &lt; 0, β_max &lt; β_min or β_max ≤ 0.</exception>
    public VpPath(double betaMin = 0.1, double betaMax = 20.0)
    {
        if (!(betaMin >= 0) || double.IsInfinity(betaMin)) throw new ArgumentOutOfRangeException(nameof(betaMin), $"VpPath: betaMin must be a finite value ≥ 0, got {betaMin}");
        if (!(betaMax >= betaMin) || !(betaMax > 0) || double.IsInfinity(betaMax)) throw new ArgumentOutOfRangeException(nameof(betaMax), $"VpPath: betaMax must be finite, > 0 and ≥ betaMin ({betaMin}), got {betaMax}");
        BetaMin = betaMin; BetaMax = betaMax;
    }

    /// <summary>β_min.</summary>
    public double BetaMin { get; }

    /// <summary>β_max.</summary>
    public double BetaMax { get; }

    /// <inheritdoc/>
    public override PathKind Kind => PathKind.Vp;

    private double LogMeanCoeff(double t) { double s = 1 - t; return -0.25 * s * s * (BetaMax - BetaMin) - 0.5 * s * BetaMin; }

    private double DLogMeanCoeff(double t) { double s = 1 - t; return 0.5 * s * (BetaMax - BetaMin) + 0.5 * BetaMin; }

    /// <inheritdoc/>
    public override double Alpha(double t) => Math.Exp(LogMeanCoeff(t));

    /// <inheritdoc/>
    public override double Sigma(double t) { double a = Alpha(t); return Math.Sqrt(Math.Max(0, 1 - a * a)); }

    /// <inheritdoc/>
    public override double DAlpha(double t) => Alpha(t) * DLogMeanCoeff(t);

    /// <inheritdoc/>
    public override double DSigma(double t)
    {
        double a = Alpha(t), da = a * DLogMeanCoeff(t), s = Math.Sqrt(Math.Max(0, 1 - a * a));
        return -a * da / s;
    }

    /// <inheritdoc/>
    public override PathCoefficients Coefficients(double t)
    {
        double a = Alpha(t), da = a * DLogMeanCoeff(t), s = Math.Sqrt(Math.Max(0, 1 - a * a));
        return new PathCoefficients(a, s, da, -a * da / s);
    }
}
