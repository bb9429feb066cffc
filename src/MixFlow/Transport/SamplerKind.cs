namespace MixFlow.Transport;

/// <summary>The samplers selectable by name at the CLI edge (<see cref="TransportNames.ParseSampler"/>).</summary>
public enum SamplerKind
{
    /// <summary>ODE, explicit Euler (<see cref="FixedStepOdeSampler"/>).</summary>
    Euler,
    /// <summary>ODE, Heun.</summary>
    Heun,
    /// <summary>ODE, explicit midpoint.</summary>
    Midpoint,
    /// <summary>ODE, classical RK4.</summary>
    Rk4,
    /// <summary>ODE, adaptive Dormand–Prince 5(4) (<see cref="DormandPrinceSampler"/>).</summary>
    Dopri5,
    /// <summary>SDE, Euler–Maruyama (<see cref="EulerMaruyamaSampler"/>).</summary>
    EulerMaruyama,
    /// <summary>ODE Euler with time-shift correction (<see cref="TimeShiftSampler"/>).</summary>
    TimeShift,
}
