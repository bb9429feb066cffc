namespace MixFlow.Transport;

/// <summary>Fixed-step ODE integrators of <see cref="FixedStepOdeSampler"/>.</summary>
public enum OdeMethod
{
    /// <summary>Explicit Euler, order 1, 1 evaluation per step.</summary>
    Euler,
    /// <summary>
    /// Heun (explicit trapezoid), order 2, 2 evaluations per step on every step including the last (the velocity
    /// is finite at the end of the sampling interval, so there is no reason for EDM's final Euler step).
    /// </summary>
    Heun,
    /// <summary>Explicit midpoint, order 2, 2 evaluations per step.</summary>
    Midpoint,
    /// <summary>Classical Runge–Kutta, order 4, 4 evaluations per step.</summary>
    Rk4,
}
