namespace MixFlow.Tensors.Optim;

/// <summary>The same learning rate at every step.</summary>
/// <param name="Lr">The learning rate; finite and ≥ 0.</param>
public sealed record ConstantLr(double Lr) : ILrSchedule
{
    /// <summary>Checks the value on construction.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Lr"/> is negative or not finite.</exception>
    public double Lr { get; init; } = Check(Lr);

    private static double Check(double v) { ScheduleChecks.Lr(v, nameof(ConstantLr), nameof(Lr)); return v; }

    /// <inheritdoc/>
    public double At(long step) { ScheduleChecks.Step(step, nameof(ConstantLr)); return Lr; }
}
