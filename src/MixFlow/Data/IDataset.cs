namespace MixFlow.Data;

/// <summary>
/// A finite, indexable set of samples of one shape, optionally labelled. Images are float32 CHW scaled to [−1, 1].
/// Implementations are read-only after construction, so <see cref="Fill"/> may be called from several threads at
/// once (the <see cref="DataLoader"/> calls it from its prefetch thread).
/// </summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Shape of one sample (e.g. [1, 28, 28] for a gray image, [2] for a 2-D point). A fresh copy.</summary>
    int[] SampleShape { get; }

    /// <summary>Number of classes (labels lie in [0, NumClasses)); 0 for an unlabelled set.</summary>
    int NumClasses { get; }

    /// <summary>Copies the samples at <paramref name="indices"/> into <paramref name="x"/> ([B, ...sample] in C order)
    /// and, for labelled sets, their labels into <paramref name="labels"/>.</summary>
    /// <param name="indices">Sample indices in [0, Count).</param>
    /// <param name="x">Destination, exactly <c>indices.Length · prod(SampleShape)</c> floats.</param>
    /// <param name="labels">Destination for labels: length <c>indices.Length</c> for labelled sets; ignored (may be
    /// empty) when <see cref="NumClasses"/> is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    /// <exception cref="ArgumentException">A destination has the wrong length.</exception>
    void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels);
}
