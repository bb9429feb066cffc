namespace MixFlow.Transport;

/// <summary>The linear (rectified-flow, conditional-OT) path: α = t, σ = 1 − t, α' = 1, σ' = −1.</summary>
public sealed class LinearPath : InterpolationPath
{
    /// <inheritdoc/>
    public override PathKind Kind => PathKind.Linear;

    /// <inheritdoc/>
    public override double Alpha(double t) => t;

    /// <inheritdoc/>
    public override double Sigma(double t) => 1 - t;

    /// <inheritdoc/>
    public override double DAlpha(double t) => 1;

    /// <inheritdoc/>
    public override double DSigma(double t) => -1;
}
