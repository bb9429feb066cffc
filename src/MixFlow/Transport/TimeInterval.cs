namespace MixFlow.Transport;

/// <summary>A time interval [T0, T1] ⊆ [0, 1] (t = 1 data).</summary>
/// <param name="T0">Start (noise side).</param>
/// <param name="T1">End (data side).</param>
public readonly record struct TimeInterval(double T0, double T1)
{
    /// <summary>Maps u ∈ [0, 1] affinely into the interval.</summary>
    public double Map(double u) => T0 + (T1 - T0) * u;

    /// <summary>Clamps t into the interval.</summary>
    public double Clamp(double t) => Math.Clamp(t, T0, T1);
}
