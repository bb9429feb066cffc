namespace MixFlow.Transport;

/// <summary>An increasing sequence of times t_0 &lt; … &lt; t_N on which fixed-step samplers step.</summary>
public sealed class TimeGrid
{
    private readonly double[] _times;

    private TimeGrid(double[] times) => _times = times;

    /// <summary>The times (a copy).</summary>
    public double[] Times => (double[])_times.Clone();

    /// <summary>Number of steps N (the grid has N + 1 points).</summary>
    public int Steps => _times.Length - 1;

    /// <summary>Time i.</summary>
    public double this[int i] => _times[i];

    /// <summary>N equal steps from <paramref name="t0"/> to <paramref name="t1"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">steps ≤ 0 or not 0 ≤ t0 &lt; t1 ≤ 1.</exception>
    public static TimeGrid Uniform(int steps, double t0 = 0, double t1 = 1) => Shifted(steps, 1.0, t0, t1);

    /// <summary>
    /// The uniform grid u_i = i/N shifted by s (<see cref="TimeShift.Apply"/>: s &gt; 1 puts more steps near the noise)
    /// and mapped into [t0, t1]: t_i = t0 + (t1 − t0)·shift(u_i).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">steps ≤ 0, shift ≤ 0, or not 0 ≤ t0 &lt; t1 ≤ 1.</exception>
    public static TimeGrid Shifted(int steps, double shift, double t0 = 0, double t1 = 1)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"TimeGrid: steps must be ≥ 1, got {steps}");
        TimeShift.Check(shift, "TimeGrid");
        if (!(t0 >= 0 && t0 < t1 && t1 <= 1)) throw new ArgumentOutOfRangeException(nameof(t0), $"TimeGrid: need 0 ≤ t0 < t1 ≤ 1, got t0 = {t0}, t1 = {t1}");
        var t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) t[i] = t0 + (t1 - t0) * TimeShift.Apply((double)i / steps, shift);
        t[0] = t0; t[steps] = t1;
        return new TimeGrid(t);
    }

    /// <summary>A grid from explicit times.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 times, or times not strictly increasing within [0, 1].</exception>
    public static TimeGrid FromTimes(IReadOnlyList<double> times)
    {
        if (times.Count < 2) throw new ArgumentException($"TimeGrid.FromTimes: at least 2 times are needed, got {times.Count}");
        for (int i = 0; i < times.Count; i++)
        {
            if (!(times[i] >= 0 && times[i] <= 1)) throw new ArgumentException($"TimeGrid.FromTimes: time {i} = {times[i]} is outside [0, 1]");
            if (i > 0 && !(times[i] > times[i - 1])) throw new ArgumentException($"TimeGrid.FromTimes: times must increase strictly (t[{i - 1}] = {times[i - 1]}, t[{i}] = {times[i]})");
        }
        return new TimeGrid(times.ToArray());
    }
}
