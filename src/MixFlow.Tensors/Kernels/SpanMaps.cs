namespace MixFlow.Tensors.Kernels;

/// <summary>An element-wise kernel over one input: d[i] = f(x[i]).</summary>
internal delegate void SpanMap(ReadOnlySpan<float> x, Span<float> d);

/// <summary>An element-wise kernel over two inputs of equal length: d[i] = f(x[i], y[i]).</summary>
internal delegate void SpanMap2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);

/// <summary>An element-wise kernel over three inputs of equal length.</summary>
internal delegate void SpanMap3(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> d);

/// <summary>Runs span kernels over contiguous buffers, chunked over the cores for large inputs.</summary>
internal static class Map
{
    internal static void Run(float[] x, int xo, float[] d, int dOff, int n, SpanMap f)
    {
        if (n < Par.MinParallel) { f(x.AsSpan(xo, n), d.AsSpan(dOff, n)); return; }
        Par.For(n, Par.MinParallel / 2, (s, len) => f(x.AsSpan(xo + s, len), d.AsSpan(dOff + s, len)));
    }

    internal static void Run(float[] x, int xo, float[] y, int yo, float[] d, int dOff, int n, SpanMap2 f)
    {
        if (n < Par.MinParallel) { f(x.AsSpan(xo, n), y.AsSpan(yo, n), d.AsSpan(dOff, n)); return; }
        Par.For(n, Par.MinParallel / 2, (s, len) => f(x.AsSpan(xo + s, len), y.AsSpan(yo + s, len), d.AsSpan(dOff + s, len)));
    }

    internal static void Run(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] d, int dOff, int n, SpanMap3 f)
    {
        if (n < Par.MinParallel) { f(x.AsSpan(xo, n), y.AsSpan(yo, n), z.AsSpan(zo, n), d.AsSpan(dOff, n)); return; }
        Par.For(n, Par.MinParallel / 2, (s, len) => f(x.AsSpan(xo + s, len), y.AsSpan(yo + s, len), z.AsSpan(zo + s, len), d.AsSpan(dOff + s, len)));
    }

    /// <summary>A new contiguous tensor d = f(x) of x's shape.</summary>
    internal static Tensor Unary(Tensor x, SpanMap f)
    {
        x = x.Contiguous();
        var r = Tensor.Empty(x._shape);
        Run(x.Data, x._offset, r.Data, 0, x.Numel, f);
        return r;
    }

    /// <summary>A new contiguous tensor d = f(x, y) for x and y of one shape.</summary>
    internal static Tensor Binary(Tensor x, Tensor y, SpanMap2 f)
    {
        x = x.Contiguous(); y = y.Contiguous();
        var r = Tensor.Empty(x._shape);
        Run(x.Data, x._offset, y.Data, y._offset, r.Data, 0, x.Numel, f);
        return r;
    }

    /// <summary>A new contiguous tensor d = f(x, y, z) for inputs of one shape.</summary>
    internal static Tensor Ternary(Tensor x, Tensor y, Tensor z, SpanMap3 f)
    {
        x = x.Contiguous(); y = y.Contiguous(); z = z.Contiguous();
        var r = Tensor.Empty(x._shape);
        Run(x.Data, x._offset, y.Data, y._offset, z.Data, z._offset, r.Data, 0, x.Numel, f);
        return r;
    }
}
