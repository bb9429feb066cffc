namespace MixFlow.Tensors.Optim;

/// <summary>
/// Linear warm-up in front of another schedule: At(s) = Inner.At(s) · (s + 1) / WarmupSteps for s &lt; WarmupSteps,
/// Inner.At(s) afterwards. The first update uses 1/WarmupSteps of the inner value (never exactly 0), update
/// WarmupSteps − 1 the full value.
/// </summary>
/// <param name="WarmupSteps">Number of warm-up updates; ≥ 0 (0 disables the warm-up).</param>
/// <param name="Inner">The schedule being warmed up.</param>
public sealed record LinearWarmup(long WarmupSteps, ILrSchedule Inner) : ILrSchedule
{
    /// <summary>Warm-up to a constant target learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative warm-up steps or an invalid target.</exception>
    public LinearWarmup(long warmupSteps, double target) : this(warmupSteps, new ConstantLr(target)) { }

    /// <summary>Checked on construction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long WarmupSteps { get; init; } = CheckSteps(WarmupSteps);

    /// <summary>The wrapped schedule.</summary>
    public ILrSchedule Inner { get; init; } = Inner ?? throw new ArgumentNullException(nameof(Inner));

    private static long CheckSteps(long v) { ScheduleChecks.Steps(v, nameof(LinearWarmup), nameof(WarmupSteps), 0); return v; }

    /// <inheritdoc/>
    public double At(long step)
    {
        ScheduleChecks.Step(step, nameof(LinearWarmup));
        return Inner.At(step) * ScheduleChecks.Warmup(step, WarmupSteps);
    }
}
