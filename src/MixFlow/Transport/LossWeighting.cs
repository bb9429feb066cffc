namespace MixFlow.Transport;

/// <summary>
/// Per-sample loss weights for noise and score prediction (SiT's loss types; ignored for velocity prediction).
/// With the drift variance d(t) = (α'/α)·σ² − σ·σ' (the SBDM diffusion coefficient):
/// </summary>
public enum LossWeighting
{
    /// <summary>Weight 1 (default).</summary>
    None,
    /// <summary>Weight (d(t)/σ)², which turns the noise/score loss into a velocity-like loss.</summary>
    Velocity,
    /// <summary>Weight d(t)/σ², the likelihood weighting.</summary>
    Likelihood,
}
