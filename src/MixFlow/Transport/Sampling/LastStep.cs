namespace MixFlow.Transport;

/// <summary>
/// How the SDE sampler finishes from t1 = 1 − h (h = <see cref="SdeSamplerOptions.LastStepSize"/>) to the data end
/// (SiT's last-step options; each costs one network evaluation except <see cref="None"/>).
/// </summary>
public enum LastStep
{
    /// <summary>x + h·(v + w·s): one deterministic step with the SDE drift (SiT's "Mean", default).</summary>
    Mean,
    /// <summary>Tweedie's denoiser x̂1 = (x + σ²·s)/α at t1.</summary>
    Tweedie,
    /// <summary>x + h·v: one Euler step with the ODE velocity.</summary>
    Euler,
    /// <summary>No last step: the Euler–Maruyama steps run to the end of the interval, and the last state is returned.</summary>
    None,
}
