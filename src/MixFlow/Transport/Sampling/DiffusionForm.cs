namespace MixFlow.Transport;

/// <summary>
/// The diffusion coefficient w(t) ≥ 0 of the sampling SDE dx = [v + w·s] dt + sqrt(2w) dW (t = 1 data, s the score),
/// which has the same marginals as the probability-flow ODE for every w (SiT's forms; "norm" is
/// <see cref="SdeSamplerOptions.DiffusionNorm"/>):
/// </summary>
public enum DiffusionForm
{
    /// <summary>w = norm.</summary>
    Constant,
    /// <summary>w = norm·((α'/α)·σ² − σ·σ') (score-based diffusion model's; Linear: norm·(1 − t)/t, infinite at t = 0).</summary>
    Sbdm,
    /// <summary>w = norm·σ(1 − t), SiT's "sigma" form taken literally (Linear: norm·t; GVP: norm·sin(πt/2)) — default.</summary>
    Sigma,
    /// <summary>w = norm·(1 − t).</summary>
    Linear,
}
