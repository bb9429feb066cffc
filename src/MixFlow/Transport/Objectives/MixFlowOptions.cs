namespace MixFlow.Transport;

/// <summary>Options of <see cref="MixFlowObjective"/>.</summary>
/// <param name="Gamma">Slowing range γ ∈ [0, 1] (default 0.8): m ~ U[(1 − γ)·t, t]. γ = 0 is flow matching.</param>
/// <param name="Target">Regression target (default <see cref="MixFlowTarget.SlowedVelocity"/>).</param>
public sealed record MixFlowOptions(double Gamma = 0.8, MixFlowTarget Target = MixFlowTarget.SlowedVelocity)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">γ outside [0, 1] or an undefined target.</exception>
    public void Validate()
    {
        if (!(Gamma >= 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), $"MixFlowOptions.Gamma must be in [0, 1], got {Gamma}");
        if (!Enum.IsDefined(Target)) throw new ArgumentOutOfRangeException(nameof(Target), $"MixFlowOptions.Target: {Target} is not one of {string.Join(", ", Enum.GetNames<MixFlowTarget>())}");
    }
}
