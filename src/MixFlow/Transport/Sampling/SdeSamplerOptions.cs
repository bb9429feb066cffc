namespace MixFlow.Transport;

/// <summary>Options of <see cref="EulerMaruyamaSampler"/> (defaults as SiT's SDE sampler).</summary>
/// <param name="Steps">Number of Euler–Maruyama steps N ≥ 1 (default 250).</param>
/// <param name="Diffusion">Diffusion form (default <see cref="DiffusionForm.Sigma"/>).</param>
/// <param name="DiffusionNorm">Scale "norm" of the diffusion, ≥ 0 (default 1).</param>
/// <param name="LastStep">Final step (default <see cref="LastStep.Mean"/>).</param>
/// <param name="LastStepSize">Size h of the final step, in (0, 0.5) unless LastStep is None (default 0.04).</param>
/// <param name="Shift">Time-grid shift s &gt; 0 (default 1: uniform).</param>
public sealed record SdeSamplerOptions(
    int Steps = 250,
    DiffusionForm Diffusion = DiffusionForm.Sigma,
    double DiffusionNorm = 1.0,
    LastStep LastStep = LastStep.Mean,
    double LastStepSize = 0.04,
    double Shift = 1.0)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"SdeSamplerOptions.Steps must be ≥ 1, got {Steps}");
        if (!Enum.IsDefined(Diffusion)) throw new ArgumentOutOfRangeException(nameof(Diffusion), $"SdeSamplerOptions.Diffusion: {Diffusion} is not one of {string.Join(", ", Enum.GetNames<DiffusionForm>())}");
        if (!Enum.IsDefined(LastStep)) throw new ArgumentOutOfRangeException(nameof(LastStep), $"SdeSamplerOptions.LastStep: {LastStep} is not one of {string.Join(", ", Enum.GetNames<LastStep>())}");
        if (!(DiffusionNorm >= 0) || double.IsInfinity(DiffusionNorm)) throw new ArgumentOutOfRangeException(nameof(DiffusionNorm), $"SdeSamplerOptions.DiffusionNorm must be a finite value ≥ 0, got {DiffusionNorm}");
        if (LastStep != LastStep.None && !(LastStepSize > 0 && LastStepSize < 0.5)) throw new ArgumentOutOfRangeException(nameof(LastStepSize), $"SdeSamplerOptions.LastStepSize must be in (0, 0.5) when LastStep is {LastStep}, got {LastStepSize}");
        if (!(Shift > 0) || double.IsInfinity(Shift)) throw new ArgumentOutOfRangeException(nameof(Shift), $"SdeSamplerOptions.Shift must be a finite value > 0, got {Shift}");
    }
}
