namespace MixFlow.Transport;

/// <summary>The regression target of <see cref="MixFlowObjective"/>.</summary>
public enum MixFlowTarget
{
    /// <summary>The slowed velocity u*(x_m, m) = α'_m·x1 + σ'_m·x0 of the state actually seen (default, as in MixFlow).</summary>
    SlowedVelocity,
    /// <summary>The velocity u_t = α'_t·x1 + σ'_t·x0 at the network's time input t.</summary>
    OriginalVelocity,
}
