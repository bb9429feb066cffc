using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixFlow.Tensors.Kernels;

/// <summary>
/// The geometry of one 2-D convolution: input plane C×H×W, kernel Kh×Kw, strides, zero padding and the output plane
/// Ho×Wo. The column matrix of one image has <see cref="K"/> = C·Kh·Kw rows and <see cref="L"/> = Ho·Wo columns.
/// </summary>
internal readonly record struct ConvGeometry(int C, int H, int W, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw, int Ho, int Wo)
{
    /// <summary>Rows of the column matrix (C·Kh·Kw).</summary>
    internal int K => C * Kh * Kw;

    /// <summary>Columns of the column matrix (Ho·Wo).</summary>
    internal int L => Ho * Wo;

    /// <summary>The range [lo, hi) of output columns whose input column ow·Sw − Pw + j falls inside [0, W).</summary>
    internal (int Lo, int Hi) ValidColumns(int j)
    {
        int a = Pw - j;
        int lo = a <= 0 ? 0 : (a + Sw - 1) / Sw;
        int b = W - 1 + Pw - j;
        int hi = b < 0 ? 0 : Math.Min(Wo, b / Sw + 1);
        return (lo, Math.Max(lo, hi));
    }
}

/// <summary>
/// im2col / col2im for convolution as GEMM. im2col copies the receptive fields of one image [C, H, W] into a column
/// matrix [C·Kh·Kw, Ho·Wo] (zeros where the window overlaps the padding); col2im is its adjoint: it scatter-adds a
/// column matrix back into an image. Rows of the column matrix are independent (im2col parallelises over them);
/// col2im parallelises over channels so that every image element is accumulated by one thread in a fixed order.
/// </summary>
internal static class Im2Col
{
    /// <summary>Elements of work below which a kernel stays on the calling thread.</summary>
    private const int MinWorkPerChunk = 1 << 14;

    /// <summary>Fills <paramref name="cols"/> (K×L at <paramref name="colsOff"/>) from the image at <paramref name="xOff"/>.</summary>
    internal static void Forward(in ConvGeometry g, float[] x, int xOff, float[] cols, int colsOff, bool parallel)
    {
        var geo = g;
        if (!parallel) { Rows(geo, x, xOff, cols, colsOff, 0, geo.K); return; }
        Par.For(geo.K, Math.Max(1, MinWorkPerChunk / Math.Max(1, geo.L)), (s, n) => Rows(geo, x, xOff, cols, colsOff, s, n));
    }

    private static void Rows(in ConvGeometry g, float[] x, int xOff, float[] cols, int colsOff, int r0, int nr)
    {
        int khw = g.Kh * g.Kw, L = g.L, Wo = g.Wo, sw = g.Sw;
        for (int r = r0; r < r0 + nr; r++)
        {
            int c = r / khw, i = r / g.Kw % g.Kh, j = r % g.Kw;
            var (lo, hi) = g.ValidColumns(j);
            int rowBase = colsOff + r * L;
            for (int oh = 0; oh < g.Ho; oh++)
            {
                var dst = cols.AsSpan(rowBase + oh * Wo, Wo);
                int ih = oh * g.Sh - g.Ph + i;
                if ((uint)ih >= (uint)g.H || hi == lo) { dst.Clear(); continue; }
                int src = xOff + (c * g.H + ih) * g.W - g.Pw + j; // input index of output column ow is src + ow·Sw
                if (lo > 0) dst[..lo].Clear();
                if (hi < Wo) dst[hi..].Clear();
                if (sw == 1) x.AsSpan(src + lo, hi - lo).CopyTo(dst[lo..hi]);
                else for (int ow = lo; ow < hi; ow++) dst[ow] = x[src + ow * sw];
            }
        }
    }

    /// <summary>Adds the column matrix <paramref name="cols"/> (K×L) into the image at <paramref name="dxOff"/> (the adjoint of <see cref="Forward"/>).</summary>
    internal static void Backward(in ConvGeometry g, float[] cols, int colsOff, float[] dx, int dxOff, bool parallel)
    {
        var geo = g;
        if (!parallel) { Channels(geo, cols, colsOff, dx, dxOff, 0, geo.C); return; }
        Par.For(geo.C, Math.Max(1, MinWorkPerChunk / Math.Max(1, geo.Kh * geo.Kw * geo.L)), (s, n) => Channels(geo, cols, colsOff, dx, dxOff, s, n));
    }

    private static void Channels(in ConvGeometry g, float[] cols, int colsOff, float[] dx, int dxOff, int c0, int nc)
    {
        int L = g.L, Wo = g.Wo, sw = g.Sw;
        for (int c = c0; c < c0 + nc; c++)
            for (int i = 0; i < g.Kh; i++)
                for (int j = 0; j < g.Kw; j++)
                {
                    int r = (c * g.Kh + i) * g.Kw + j;
                    var (lo, hi) = g.ValidColumns(j);
                    if (hi == lo) continue;
                    int rowBase = colsOff + r * L;
                    for (int oh = 0; oh < g.Ho; oh++)
                    {
                        int ih = oh * g.Sh - g.Ph + i;
                        if ((uint)ih >= (uint)g.H) continue;
                        int dst = dxOff + (c * g.H + ih) * g.W - g.Pw + j;
                        int src = rowBase + oh * Wo;
                        if (sw == 1) AddShort(dx.AsSpan(dst + lo, hi - lo), cols.AsSpan(src + lo, hi - lo));
                        else for (int ow = lo; ow < hi; ow++) dx[dst + ow * sw] += cols[src + ow];
                    }
                }
    }

    /// <summary>d += s for the short runs of col2im (one output row), without the per-call set-up of a library kernel.</summary>
    private static void AddShort(Span<float> d, ReadOnlySpan<float> s)
    {
        ref float rd = ref MemoryMarshal.GetReference(d);
        ref float rs = ref MemoryMarshal.GetReference(s);
        int n = d.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref rd, (nuint)i) + Vector256.LoadUnsafe(ref rs, (nuint)i), ref rd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref rd, i) += Unsafe.Add(ref rs, i);
    }
}
