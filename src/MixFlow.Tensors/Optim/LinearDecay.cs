namespace MixFlow.Tensors.Optim;

/// <summary>
/// Optional linear warm-up to <see cref="Peak"/> over <see cref="WarmupSteps"/> updates ((s + 1)/WarmupSteps · Peak),
/// then linear decay from Peak at step WarmupSteps to <see cref="Final"/> at step <see cref="TotalSteps"/>, and Final
/// from then on.
/// </summary>
/// <param name="Peak">Learning rate after warm-up; finite and ≥ 0.</param>
/// <param name="TotalSteps">Step at which Final is reached; &gt; WarmupSteps.</param>
/// <param name="WarmupSteps">Warm-up updates (default 0); ≥ 0.</param>
/// <param name="Final">Learning rate at and after TotalSteps (default 0); finite and ≥ 0.</param>
public sealed record LinearDecay(double Peak, long TotalSteps, long WarmupSteps = 0, double Final = 0) : ILrSchedule
{
    private readonly bool _checked = Check(Peak, TotalSteps, WarmupSteps, Final);

    private static bool Check(double peak, long total, long warmup, double final)
    {
        ScheduleChecks.Lr(peak, nameof(LinearDecay), nameof(Peak));
        ScheduleChecks.Lr(final, nameof(LinearDecay), nameof(Final));
        ScheduleChecks.Steps(warmup, nameof(LinearDecay), nameof(WarmupSteps), 0);
        ScheduleChecks.Steps(total, nameof(LinearDecay), nameof(TotalSteps), warmup + 1);
        return true;
    }

    /// <summary>Checks the values (also run on construction and by <see cref="At"/>, since <c>with</c> expressions skip the constructor check).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void Validate() => Check(Peak, TotalSteps, WarmupSteps, Final);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative or an option is invalid.</exception>
    public double At(long step)
    {
        ScheduleChecks.Step(step, nameof(LinearDecay));
        Validate();
        if (step < WarmupSteps) return Peak * ScheduleChecks.Warmup(step, WarmupSteps);
        if (step >= TotalSteps) return Final;
        double progress = (step - WarmupSteps) / (double)(TotalSteps - WarmupSteps);
        return Peak + (Final - Peak) * progress;
    }
}
