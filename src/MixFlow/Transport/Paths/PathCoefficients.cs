namespace MixFlow.Transport;

/// <summary>
/// The interpolation coefficients of a path at one time t: x_t = <see cref="Alpha"/>·x1 + <see cref="Sigma"/>·x0 and
/// the velocity u_t = <see cref="DAlpha"/>·x1 + <see cref="DSigma"/>·x0 (x1 data, x0 noise, t = 1 data).
/// </summary>
/// <param name="Alpha">α_t, the data coefficient.</param>
/// <param name="Sigma">σ_t, the noise coefficient.</param>
/// <param name="DAlpha">dα/dt.</param>
/// <param name="DSigma">dσ/dt.</param>
public readonly record struct PathCoefficients(double Alpha, double Sigma, double DAlpha, double DSigma);
