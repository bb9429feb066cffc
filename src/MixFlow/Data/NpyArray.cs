namespace MixFlow.Data;

/// <summary>
/// An n-dimensional array as stored in a .npy file: C-order data of one <see cref="NpyDType"/>. <see cref="Data"/> is
/// a <c>byte[]</c>, <c>int[]</c>, <c>long[]</c>, <c>float[]</c> or <c>double[]</c> matching <see cref="DType"/>.
/// </summary>
public sealed record NpyArray
{
    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>The elements in C order, as an array of the CLR type of <see cref="DType"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long Count => Data.LongLength;

    private NpyArray(NpyDType dtype, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"NpyArray: negative dimension in shape [{string.Join(", ", shape)}]");
            n *= d;
        }
        if (n != data.LongLength) throw new ArgumentException($"NpyArray: shape [{string.Join(", ", shape)}] needs {n} elements, data has {data.LongLength}");
        DType = dtype; Shape = (int[])shape.Clone(); Data = data;
    }

    /// <summary>A uint8 array (data not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static NpyArray FromUInt8(byte[] data, params int[] shape) => new(NpyDType.UInt8, shape, data);

    /// <summary>An int32 array (data not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static NpyArray FromInt32(int[] data, params int[] shape) => new(NpyDType.Int32, shape, data);

    /// <summary>An int64 array (data not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static NpyArray FromInt64(long[] data, params int[] shape) => new(NpyDType.Int64, shape, data);

    /// <summary>A float32 array (data not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static NpyArray FromFloat32(float[] data, params int[] shape) => new(NpyDType.Float32, shape, data);

    /// <summary>A float64 array (data not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static NpyArray FromFloat64(double[] data, params int[] shape) => new(NpyDType.Float64, shape, data);

    /// <summary>The elements converted to float32 (a new array; for Float32 data a copy).</summary>
    public float[] ToFloat32()
    {
        var r = new float[Data.LongLength];
        switch (Data)
        {
            case byte[] b: for (long i = 0; i < b.LongLength; i++) r[i] = b[i]; break;
            case int[] a: for (long i = 0; i < a.LongLength; i++) r[i] = a[i]; break;
            case long[] l: for (long i = 0; i < l.LongLength; i++) r[i] = l[i]; break;
            case float[] f: Array.Copy(f, r, f.LongLength); break;
            case double[] d: for (long i = 0; i < d.LongLength; i++) r[i] = (float)d[i]; break;
        }
        return r;
    }

    /// <summary>The elements converted to int64 (integer dtypes only).</summary>
    /// <exception cref="InvalidOperationException">The array holds floating-point data.</exception>
    public long[] ToInt64()
    {
        var r = new long[Data.LongLength];
        switch (Data)
        {
            case byte[] b: for (long i = 0; i < b.LongLength; i++) r[i] = b[i]; break;
            case int[] a: for (long i = 0; i < a.LongLength; i++) r[i] = a[i]; break;
            case long[] l: Array.Copy(l, r, l.LongLength); break;
            default: throw new InvalidOperationException($"NpyArray.ToInt64: array of dtype {DType} is not an integer array");
        }
        return r;
    }
}
