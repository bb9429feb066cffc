namespace MixFlow.Data;

/// <summary>
/// An in-memory data set: samples stored as bytes (images, mapped to [−1, 1] by <c>b / 127.5 − 1</c> on the fly)
/// or as floats (used as they are), with optional integer labels. Built by the loaders of this namespace.
/// </summary>
public sealed class ArrayDataset : IDataset
{
    private static readonly float[] ByteToUnit = BuildLut();
    private readonly byte[]? _bytes;
    private readonly float[]? _floats;
    private readonly int[] _sampleShape;
    private readonly int _sampleSize;
    private readonly int[]? _labels;

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public int[] SampleShape => (int[])_sampleShape.Clone();

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <summary>Class names by label (from image sub-folders, or known sets such as Fashion-MNIST), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The labels (a copy), or null for an unlabelled set.</summary>
    public int[]? Labels => (int[]?)_labels?.Clone();

    private ArrayDataset(byte[]? bytes, float[]? floats, int[] sampleShape, int[]? labels, int numClasses, IReadOnlyList<string>? classNames, string who)
    {
        if (sampleShape.Length == 0) throw new ArgumentException($"{who}: sample shape must have at least one dimension");
        long size = 1;
        foreach (int d in sampleShape)
        {
            if (d < 1) throw new ArgumentException($"{who}: sample shape [{string.Join(", ", sampleShape)}] has a non-positive dimension");
            size *= d;
        }
        if (size > int.MaxValue) throw new ArgumentException($"{who}: sample of shape [{string.Join(", ", sampleShape)}] is too large");
        long len = bytes?.LongLength ?? floats!.LongLength;
        if (len % size != 0) throw new ArgumentException($"{who}: {len} values is not a whole number of samples of shape [{string.Join(", ", sampleShape)}] ({size} values each)");
        long count = len / size;
        if (count > int.MaxValue) throw new ArgumentException($"{who}: too many samples ({count})");
        if (labels is not null)
        {
            if (labels.LongLength != count) throw new ArgumentException($"{who}: {labels.Length} labels for {count} samples");
            int max = -1;
            foreach (int l in labels)
            {
                if (l < 0) throw new ArgumentException($"{who}: negative label {l}");
                if (l > max) max = l;
            }
            if (numClasses <= 0) numClasses = max + 1;
            else if (max >= numClasses) throw new ArgumentException($"{who}: label {max} is not below numClasses {numClasses}");
            if (numClasses == 0) numClasses = 1;
        }
        else numClasses = 0;
        _bytes = bytes; _floats = floats; _sampleShape = (int[])sampleShape.Clone(); _sampleSize = (int)size;
        _labels = labels; Count = (int)count; NumClasses = numClasses; ClassNames = classNames;
    }

    /// <summary>Images stored as bytes in sample layout (e.g. N×C×H×W), mapped to [−1, 1].</summary>
    /// <param name="data">The pixels, N·prod(sampleShape) bytes (kept, not copied).</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [C, H, W].</param>
    /// <param name="labels">Labels (length N) or null.</param>
    /// <param name="numClasses">Number of classes; ≤ 0 infers max(label)+1.</param>
    /// <param name="classNames">Optional names by label.</param>
    /// <exception cref="ArgumentException">Lengths do not match the shape, or labels are negative or ≥ numClasses.</exception>
    public static ArrayDataset FromBytes(byte[] data, int[] sampleShape, int[]? labels = null, int numClasses = 0, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sampleShape);
        return new ArrayDataset(data, null, sampleShape, labels, numClasses, classNames, "ArrayDataset.FromBytes");
    }

    /// <summary>Images given channel-last (N×H×W×C bytes, as in .npz sample files), stored as N×C×H×W.</summary>
    /// <param name="nhwc">The pixels, N·H·W·C bytes.</param>
    /// <param name="n">Number of images.</param>
    /// <param name="h">Height.</param>
    /// <param name="w">Width.</param>
    /// <param name="c">Channels.</param>
    /// <param name="labels">Labels or null.</param>
    /// <param name="numClasses">Number of classes; ≤ 0 infers max(label)+1.</param>
    /// <exception cref="ArgumentException">The buffer length does not equal N·H·W·C, or bad labels.</exception>
    public static ArrayDataset FromNhwc(byte[] nhwc, int n, int h, int w, int c, int[]? labels = null, int numClasses = 0)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        if (n < 0 || h < 1 || w < 1 || c < 1 || nhwc.LongLength != (long)n * h * w * c)
            throw new ArgumentException($"ArrayDataset.FromNhwc: {nhwc.LongLength} bytes do not hold {n}x{h}x{w}x{c} images");
        byte[] chw = c == 1 ? nhwc : new byte[nhwc.LongLength];
        if (c > 1)
        {
            int hw = h * w;
            for (long i = 0; i < n; i++)
            {
                long b = i * hw * c;
                for (int p = 0; p < hw; p++)
                    for (int k = 0; k < c; k++) chw[b + (long)k * hw + p] = nhwc[b + (long)p * c + k];
            }
        }
        return new ArrayDataset(chw, null, [c, h, w], labels, numClasses, null, "ArrayDataset.FromNhwc");
    }

    /// <summary>Samples stored as floats, used as they are (images should already be in [−1, 1]).</summary>
    /// <param name="data">The values, N·prod(sampleShape) floats (kept, not copied).</param>
    /// <param name="sampleShape">Shape of one sample.</param>
    /// <param name="labels">Labels or null.</param>
    /// <param name="numClasses">Number of classes; ≤ 0 infers max(label)+1.</param>
    /// <exception cref="ArgumentException">Lengths do not match the shape, or bad labels.</exception>
    public static ArrayDataset FromFloats(float[] data, int[] sampleShape, int[]? labels = null, int numClasses = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sampleShape);
        return new ArrayDataset(null, data, sampleShape, labels, numClasses, null, "ArrayDataset.FromFloats");
    }

    /// <inheritdoc/>
    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
    {
        DatasetExtensions.CheckFill(this, indices, _sampleSize, x, labels, nameof(ArrayDataset));
        int s = _sampleSize;
        for (int j = 0; j < indices.Length; j++)
        {
            long src = (long)indices[j] * s;
            var dst = x.Slice(j * s, s);
            if (_floats is not null) _floats.AsSpan((int)src, s).CopyTo(dst);
            else
            {
                var b = new ReadOnlySpan<byte>(_bytes, (int)src, s);
                var lut = ByteToUnit;
                for (int k = 0; k < s; k++) dst[k] = lut[b[k]];
            }
            if (_labels is not null) labels[j] = _labels[indices[j]];
        }
    }

    private static float[] BuildLut()
    {
        var t = new float[256];
        for (int i = 0; i < 256; i++) t[i] = (float)(i / 127.5 - 1.0);
        return t;
    }
}
