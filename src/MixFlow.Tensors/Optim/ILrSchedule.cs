namespace MixFlow.Tensors.Optim;

/// <summary>
/// A learning-rate schedule: <see cref="At"/>(step) is the learning rate of the update with 0-based index
/// <c>step</c> (set <c>optimizer.LearningRate = schedule.At(optimizer.StepCount)</c> before each <see cref="Optimizer.Step"/>).
/// </summary>
public interface ILrSchedule
{
    /// <summary>The learning rate for the update with 0-based index <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    double At(long step);
}

internal static class ScheduleChecks
{
    internal static void Step(long step, string schedule)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, $"{schedule}.At: step {step} is negative; expected >= 0");
    }

    internal static void Lr(double v, string schedule, string name)
    {
        if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentOutOfRangeException(name, v, $"{schedule}.{name} = {v} is invalid; expected a finite value >= 0");
    }

    internal static void Steps(long v, string schedule, string name, long min)
    {
        if (v < min) throw new ArgumentOutOfRangeException(name, v, $"{schedule}.{name} = {v} is invalid; expected >= {min}");
    }

    /// <summary>Linear warm-up factor (step + 1) / warmup for step &lt; warmup, else 1: the first update uses lr/warmup, update warmup−1 the full value.</summary>
    internal static double Warmup(long step, long warmup) => step < warmup ? (step + 1) / (double)warmup : 1.0;
}
