using MixFlow.Tensors;

namespace MixFlow.Data;

/// <summary>Helpers over <see cref="IDataset"/>.</summary>
public static class DatasetExtensions
{
    /// <summary>Number of floats in one sample.</summary>
    public static int SampleSize(this IDataset ds)
    {
        ArgumentNullException.ThrowIfNull(ds);
        int n = 1;
        foreach (int d in ds.SampleShape) n *= d;
        return n;
    }

    /// <summary>Gathers the samples at <paramref name="indices"/> into a new tensor [B, ...sample].</summary>
    /// <param name="ds">The data set.</param>
    /// <param name="indices">Sample indices.</param>
    /// <param name="labels">The labels (length B) or null for an unlabelled set.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public static Tensor Gather(this IDataset ds, ReadOnlySpan<int> indices, out int[]? labels)
    {
        ArgumentNullException.ThrowIfNull(ds);
        var sample = ds.SampleShape;
        var shape = new int[sample.Length + 1];
        shape[0] = indices.Length;
        sample.CopyTo(shape, 1);
        var x = Tensor.Empty(shape);
        labels = ds.NumClasses > 0 ? new int[indices.Length] : null;
        ds.Fill(indices, x.AsSpan(), labels ?? Span<int>.Empty);
        return x;
    }

    internal static void CheckFill(IDataset ds, ReadOnlySpan<int> indices, int sampleSize, Span<float> x, Span<int> labels, string who)
    {
        if (x.Length != (long)indices.Length * sampleSize)
            throw new ArgumentException($"{who}.Fill: destination has {x.Length} floats, {indices.Length} samples of {sampleSize} need {(long)indices.Length * sampleSize}");
        if (ds.NumClasses > 0 && labels.Length != indices.Length)
            throw new ArgumentException($"{who}.Fill: label destination has length {labels.Length}, expected {indices.Length}");
        int count = ds.Count;
        foreach (int i in indices)
            if ((uint)i >= (uint)count) throw new ArgumentOutOfRangeException(nameof(indices), $"{who}.Fill: index {i} outside [0, {count})");
    }
}
