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
    /// <summary>Checks the values on first use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void Validate()
    {
        ScheduleChecks.Lr(Peak, nameof(LinearDecay), nameof(Peak));
        ScheduleChecks.Lr(Final, nameof(LinearDecay), nameof(Final));
        ScheduleChecks.Steps(WarmupSteps, nameof(LinearDecay), nameof(WarmupSteps), 0);
        ScheduleChecks.Steps(TotalSteps, nameof(LinearDecay), nameof(TotalSteps), WarmupSteps + 1);
    }

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
