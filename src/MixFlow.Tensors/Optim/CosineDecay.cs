namespace MixFlow.Tensors.Optim;

/// <summary>
/// Optional linear warm-up to <see cref="Peak"/> over <see cref="WarmupSteps"/> updates ((s + 1)/WarmupSteps · Peak),
/// then half-cosine decay: Final + (Peak − Final)·(1 + cos(π·q))/2 with q = (s − WarmupSteps)/(TotalSteps − WarmupSteps),
/// so Peak at step WarmupSteps and <see cref="Final"/> at step <see cref="TotalSteps"/> and after.
/// </summary>
/// <param name="Peak">Learning rate after warm-up; finite and ≥ 0.</param>
/// <param name="TotalSteps">Step at which Final is reached; &gt; WarmupSteps.</param>
/// <param name="WarmupSteps">Warm-up updates (default 0); ≥ 0.</param>
/// <param name="Final">Learning rate at and after TotalSteps (default 0); finite and ≥ 0.</param>
public sealed record CosineDecay(double Peak, long TotalSteps, long WarmupSteps = 0, double Final = 0) : ILrSchedule
{
    private readonly bool _checked = Check(Peak, TotalSteps, WarmupSteps, Final);

    private static bool Check(double peak, long total, long warmup, double final)
    {
        ScheduleChecks.Lr(peak, nameof(CosineDecay), nameof(Peak));
        ScheduleChecks.Lr(final, nameof(CosineDecay), nameof(Final));
        ScheduleChecks.Steps(warmup, nameof(CosineDecay), nameof(WarmupSteps), 0);
        ScheduleChecks.Steps(total, nameof(CosineDecay), nameof(TotalSteps), warmup + 1);
        return true;
    }

    /// <summary>Checks the values (also run on construction and by <see cref="At"/>, since <c>with</c> expressions skip the constructor check).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void Validate() => Check(Peak, TotalSteps, WarmupSteps, Final);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative or an option is invalid.</exception>
    public double At(long step)
    {
        ScheduleChecks.Step(step, nameof(CosineDecay));
        Validate();
        if (step < WarmupSteps) return Peak * ScheduleChecks.Warmup(step, WarmupSteps);
        if (step >= TotalSteps) return Final;
        double q = (step - WarmupSteps) / (double)(TotalSteps - WarmupSteps);
        return Final + (Peak - Final) * 0.5 * (1 + Math.Cos(Math.PI * q));
    }
}
