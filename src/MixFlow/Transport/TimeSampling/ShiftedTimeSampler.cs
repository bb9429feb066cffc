using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>Draws t from an inner sampler and applies <see cref="TimeShift.Apply"/> with shift s.</summary>
public sealed class ShiftedTimeSampler : ITimeSampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="inner">The sampler whose times are shifted.</param>
    /// <param name="shift">s &gt; 0 (s &gt; 1 moves times towards the noise).</param>
    /// <exception cref="ArgumentOutOfRangeException">shift ≤ 0.</exception>
    /// <exception cref="ArgumentNullException">inner is null.</exception>
    public ShiftedTimeSampler(ITimeSampler inner, double shift)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner), "ShiftedTimeSampler: inner sampler is required");
        TimeShift.Check(shift, "ShiftedTimeSampler");
        Shift = shift;
    }

    /// <summary>RAE's shift s = sqrt(dimension / baseDimension) applied to <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public static ShiftedTimeSampler FromDimension(ITimeSampler inner, int dimension, int baseDimension = 4096) =>
        new(inner, TimeShift.FromDimension(dimension, baseDimension));

    /// <summary>The inner sampler.</summary>
    public ITimeSampler Inner { get; }

    /// <summary>The shift s.</summary>
    public double Shift { get; }

    /// <inheritdoc/>
    public double Next(Generator gen) => TimeShift.Apply(Inner.Next(gen), Shift);
}
