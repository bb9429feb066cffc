using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>A distribution of training times on [0, 1] (t = 1 data).</summary>
public interface ITimeSampler
{
    /// <summary>Draws one time from <paramref name="gen"/>.</summary>
    double Next(Generator gen);
}

/// <summary>Batch helpers for <see cref="ITimeSampler"/>.</summary>
public static class TimeSamplerExtensions
{
    /// <summary>Draws <paramref name="batch"/> times in order (sample i is the i-th draw).</summary>
    /// <exception cref="ArgumentOutOfRangeException">batch ≤ 0.</exception>
    public static double[] NextBatch(this ITimeSampler sampler, Generator gen, int batch)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"ITimeSampler.NextBatch: batch must be > 0, got {batch}");
        var r = new double[batch];
        for (int i = 0; i < batch; i++) r[i] = sampler.Next(gen);
        return r;
    }
}
