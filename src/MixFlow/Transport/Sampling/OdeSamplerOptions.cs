namespace MixFlow.Transport;

/// <summary>Options of <see cref="FixedStepOdeSampler"/>.</summary>
/// <param name="Method">Integrator (default <see cref="OdeMethod.Euler"/>).</param>
/// <param name="Steps">Number of steps N ≥ 1 (default 50).</param>
/// <param name="Shift">Time-grid shift s &gt; 0 (default 1: uniform; see <see cref="TimeGrid.Shifted"/>).</param>
public sealed record OdeSamplerOptions(OdeMethod Method = OdeMethod.Euler, int Steps = 50, double Shift = 1.0)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Steps ≤ 0, Shift ≤ 0, or an undefined method.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentOutOfRangeException(nameof(Method), $"OdeSamplerOptions.Method: {Method} is not one of {string.Join(", ", Enum.GetNames<OdeMethod>())}");
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"OdeSamplerOptions.Steps must be ≥ 1, got {Steps}");
        if (!(Shift > 0) || double.IsInfinity(Shift)) throw new ArgumentOutOfRangeException(nameof(Shift), $"OdeSamplerOptions.Shift must be a finite value > 0, got {Shift}");
    }
}
