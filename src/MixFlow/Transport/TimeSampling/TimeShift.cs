namespace MixFlow.Transport;

/// <summary>
/// The resolution-dependent time shift t' = t / (s − (s − 1)·t) (t = 1 data): s &gt; 1 moves times towards the
/// noise, s = 1 is the identity. It is the t = 1-data form of SD3/RAE's shift σ' = sσ/(1 + (s − 1)σ) on σ = 1 − t.
/// </summary>
public static class TimeShift
{
    /// <summary>Applies the shift.</summary>
    /// <exception cref="ArgumentOutOfRangeException">shift ≤ 0.</exception>
    public static double Apply(double t, double shift)
    {
        Check(shift, "TimeShift.Apply");
        return t / (shift - (shift - 1) * t);
    }

    /// <summary>The inverse map t = s·t' / (1 + (s − 1)·t').</summary>
    /// <exception cref="ArgumentOutOfRangeException">shift ≤ 0.</exception>
    public static double Invert(double tShifted, double shift)
    {
        Check(shift, "TimeShift.Invert");
        return shift * tShifted / (1 + (shift - 1) * tShifted);
    }

    /// <summary>RAE's shift for a latent of <paramref name="dimension"/> elements: s = sqrt(dimension / baseDimension).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public static double FromDimension(int dimension, int baseDimension = 4096)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), $"TimeShift.FromDimension: dimension must be > 0, got {dimension}");
        if (baseDimension <= 0) throw new ArgumentOutOfRangeException(nameof(baseDimension), $"TimeShift.FromDimension: baseDimension must be > 0, got {baseDimension}");
        return Math.Sqrt((double)dimension / baseDimension);
    }

    internal static void Check(double shift, string op)
    {
        if (!(shift > 0) || double.IsInfinity(shift)) throw new ArgumentOutOfRangeException(nameof(shift), $"{op}: shift must be a finite value > 0, got {shift}");
    }
}
