namespace MixFlow.Transport;

/// <summary>
/// The generalised variance-preserving path: α = sin(πt/2), σ = cos(πt/2) (α² + σ² = 1),
/// α' = (π/2)·cos(πt/2), σ' = −(π/2)·sin(πt/2).
/// </summary>
public sealed class GvpPath : InterpolationPath
{
    private const double HalfPi = Math.PI / 2;

    /// <inheritdoc/>
    public override PathKind Kind => PathKind.Gvp;

    /// <inheritdoc/>
    public override double Alpha(double t) => Math.Sin(HalfPi * t);

    /// <inheritdoc/>
    public override double Sigma(double t) => Math.Cos(HalfPi * t);

    /// <inheritdoc/>
    public override double DAlpha(double t) => HalfPi * Math.Cos(HalfPi * t);

    /// <inheritdoc/>
    public override double DSigma(double t) => -HalfPi * Math.Sin(HalfPi * t);
}
