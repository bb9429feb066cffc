using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// An interpolation path between noise (t = 0) and data (t = 1): x_t = α_t·x1 + σ_t·x0 with x1 data and
/// x0 ~ N(0, I). Scalar members are in double precision; tensor members broadcast per-sample times over trailing
/// dimensions. <see cref="InterpolationPath"/> implements the tensor API on top of the scalar one.
/// </summary>
public interface IInterpolationPath
{
    /// <summary>Which path this is.</summary>
    PathKind Kind { get; }

    /// <summary>α_t.</summary>
    double Alpha(double t);

    /// <summary>σ_t.</summary>
    double Sigma(double t);

    /// <summary>dα/dt at t.</summary>
    double DAlpha(double t);

    /// <summary>dσ/dt at t.</summary>
    double DSigma(double t);

    /// <summary>All four coefficients at t.</summary>
    PathCoefficients Coefficients(double t);

    /// <summary>α_t for per-sample times <paramref name="t"/> [B], as a tensor [B, 1, …, 1] of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">t is not rank 1 or rank is below 1.</exception>
    Tensor Alpha(Tensor t, int rank);

    /// <summary>σ_t as a tensor [B, 1, …, 1] of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">t is not rank 1 or rank is below 1.</exception>
    Tensor Sigma(Tensor t, int rank);

    /// <summary>dα/dt as a tensor [B, 1, …, 1] of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">t is not rank 1 or rank is below 1.</exception>
    Tensor DAlpha(Tensor t, int rank);

    /// <summary>dσ/dt as a tensor [B, 1, …, 1] of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">t is not rank 1 or rank is below 1.</exception>
    Tensor DSigma(Tensor t, int rank);

    /// <summary>
    /// Draws the point of the path for the given endpoints: x_t = α_t·x1 + σ_t·x0 and the conditional velocity
    /// u_t = α'_t·x1 + σ'_t·x0.
    /// </summary>
    /// <param name="x0">Noise [B, …].</param>
    /// <param name="x1">Data [B, …] (same shape as x0).</param>
    /// <param name="t">Per-sample times [B].</param>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    PathSample Sample(Tensor x0, Tensor x1, Tensor t);
}
