using System.Numerics.Tensors;

namespace MixFlow.Tensors.Kernels;

/// <summary>A binary element-wise operator in its scalar and span forms (the span forms are SIMD via TensorPrimitives).</summary>
internal interface IBinaryOp
{
    static abstract float Apply(float x, float y);
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);
    static abstract void Apply(ReadOnlySpan<float> x, float y, Span<float> d);
    static abstract void Apply(float x, ReadOnlySpan<float> y, Span<float> d);
}

internal readonly struct AddOp : IBinaryOp
{
    public static float Apply(float x, float y) => x + y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubOp : IBinaryOp
{
    public static float Apply(float x, float y) => x - y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MulOp : IBinaryOp
{
    public static float Apply(float x, float y) => x * y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivOp : IBinaryOp
{
    public static float Apply(float x, float y) => x / y;
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct MaxOp : IBinaryOp
{
    public static float Apply(float x, float y) => MathF.Max(x, y);
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinOp : IBinaryOp
{
    public static float Apply(float x, float y) => MathF.Min(x, y);
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
}

/// <summary>
/// Broadcasting driver for binary ops: aligns both operands to the output shape (stride 0 on broadcast dimensions),
/// merges dimensions that are contiguous in both, and runs the innermost dimension as one span call —
/// span⊕span, span⊕scalar or scalar⊕span — so that bias adds and per-row scalings stay SIMD.
/// </summary>
internal static class Broadcast
{
    internal static Tensor Run<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp
    {
        var shape = TensorShape.Broadcast(a._shape, b._shape, op);
        var o = Tensor.Empty(shape);
        Into<TOp>(a, b, o);
        return o;
    }

    /// <summary>o = a ⊕ b, with o contiguous and of the broadcast shape.</summary>
    internal static void Into<TOp>(Tensor a, Tensor b, Tensor o) where TOp : IBinaryOp
    {
        int n = o.Numel;
        if (n == 0) return;
        var shape = o._shape;
        var sa = TensorShape.BroadcastStrides(a._shape, a._strides, shape);
        var sb = TensorShape.BroadcastStrides(b._shape, b._strides, shape);
        // Coalesce: drop size-1 dims, merge neighbours that are jointly contiguous.
        var dims = new List<(int size, int sa, int sb)>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (dims.Count > 0)
            {
                var (ps, pa, pb) = dims[^1];
                if (pa == sa[i] * shape[i] && pb == sb[i] * shape[i]) { dims[^1] = (ps * shape[i], sa[i], sb[i]); continue; }
            }
            dims.Add((shape[i], sa[i], sb[i]));
        }
        if (dims.Count == 0) dims.Add((1, 1, 1));
        var (inner, ia, ib) = dims[^1];
        int rows = n / inner;
        var ad = a.Data; var bd = b.Data; var od = o.Data;
        int ao = a._offset, bo = b._offset;
        var outerDims = dims.Take(dims.Count - 1).ToArray();

        void Rows(int r0, int nr)
        {
            for (int r = r0; r < r0 + nr; r++)
            {
                int offA = ao, offB = bo, rem = r;
                for (int k = outerDims.Length - 1; k >= 0; k--)
                {
                    int ix = rem % outerDims[k].size; rem /= outerDims[k].size;
                    offA += ix * outerDims[k].sa; offB += ix * outerDims[k].sb;
                }
                var dst = od.AsSpan(r * inner, inner);
                if (ia == 1 && ib == 1) TOp.Apply(ad.AsSpan(offA, inner), bd.AsSpan(offB, inner), dst);
                else if (ia == 1 && ib == 0) TOp.Apply(ad.AsSpan(offA, inner), bd[offB], dst);
                else if (ia == 0 && ib == 1) TOp.Apply(ad[offA], bd.AsSpan(offB, inner), dst);
                else for (int j = 0; j < inner; j++) dst[j] = TOp.Apply(ad[offA + j * ia], bd[offB + j * ib]);
            }
        }

        if (n < Par.MinParallel || rows == 1)
        {
            if (rows == 1 && n >= Par.MinParallel && ia == 1 && ib == 1)
            {
                Par.For(n, Par.MinParallel / 2, (s, len) => TOp.Apply(ad.AsSpan(ao + s, len), bd.AsSpan(bo + s, len), od.AsSpan(s, len)));
                return;
            }
            Rows(0, rows);
        }
        else Par.For(rows, Math.Max(1, Par.MinParallel / 2 / inner), Rows);
    }
}
