namespace MixFlow.Transport;

/// <summary>Options of <see cref="TimeShiftSampler"/>.</summary>
/// <param name="Steps">Number of Euler steps N ≥ 1 (default 50).</param>
/// <param name="Window">Search window w ∈ [0, 1) (default 0.05): the network time is chosen in [t − w, t].</param>
/// <param name="WindowPoints">Number of candidate times in the window, ≥ 2 (default 11).</param>
/// <param name="DataVariance">Per-element variance of the data, &gt; 0 (default 1: normalised latents).</param>
/// <param name="Shift">Time-grid shift s &gt; 0 (default 1: uniform).</param>
/// <param name="Significance">The nominal time is kept unless its variance mismatch exceeds this many standard errors
/// of the estimate, ≥ 0 (default 2; 0 = always take the best-matching candidate, as in the original method).</param>
public sealed record TimeShiftOptions(int Steps = 50, double Window = 0.05, int WindowPoints = 11, double DataVariance = 1.0, double Shift = 1.0, double Significance = 2.0)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range.</exception>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"TimeShiftOptions.Steps must be ≥ 1, got {Steps}");
        if (!(Window >= 0 && Window < 1)) throw new ArgumentOutOfRangeException(nameof(Window), $"TimeShiftOptions.Window must be in [0, 1), got {Window}");
        if (WindowPoints < 2) throw new ArgumentOutOfRangeException(nameof(WindowPoints), $"TimeShiftOptions.WindowPoints must be ≥ 2, got {WindowPoints}");
        if (!(DataVariance > 0) || double.IsInfinity(DataVariance)) throw new ArgumentOutOfRangeException(nameof(DataVariance), $"TimeShiftOptions.DataVariance must be a finite value > 0, got {DataVariance}");
        if (!(Significance >= 0) || double.IsInfinity(Significance)) throw new ArgumentOutOfRangeException(nameof(Significance), $"TimeShiftOptions.Significance must be a finite value ≥ 0, got {Significance}");
        if (!(Shift > 0) || double.IsInfinity(Shift)) throw new ArgumentOutOfRangeException(nameof(Shift), $"TimeShiftOptions.Shift must be a finite value > 0, got {Shift}");
    }
}
