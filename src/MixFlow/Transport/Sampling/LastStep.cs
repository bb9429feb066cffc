namespace MixFlow.Transport;

/// <summary>
/// How the SDE sampler finishes from t1 = 1 − h (h = <see cref="SdeSamplerOptions.LastStepSize"/>) to the data end
/// (SiT's last-step options; each costs one network evaluation except <see cref="None"/>).
/// </summary>
public enum LastStep
{
    /// <summary>
    /// x + h·(v + w·s): the noiseless part of one more Euler–Maruyama step (SiT's "Mean", default). It omits the final
    /// noise of variance 2·w·h, so with a diffusion that is large at the end (e.g. <see cref="DiffusionForm.Sigma"/>)
    /// it returns a slightly contracted, denoised sample; with SBDM (w → 0 at the data end) it is almost an Euler step.
    /// </summary>
    Mean,
    /// <summary>Tweedie's denoiser x̂1 = (x + σ²·s)/α at t1.</summary>
    Tweedie,
    /// <summary>x + h·v: one Euler step with the ODE velocity.</summary>
    Euler,
    /// <summary>No last step: the Euler–Maruyama steps run to the end of the interval, and the last state is returned.</summary>
    None,
}
