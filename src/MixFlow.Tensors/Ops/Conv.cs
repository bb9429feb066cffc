using MixFlow.Tensors.Kernels;
using MixFlow.Tensors.Memory;

namespace MixFlow.Tensors;

// 2-D convolution (PyTorch's F.conv2d without dilation or groups) as im2col + GEMM, forward next to backward.
// Per image n: cols[n] = im2col(x[n]) [K = C·kh·kw, L = Ho·Wo];  y[n] = W[O,K] · cols[n] (+ bias).
// Backward: dcols[n] = Wᵀ · dy[n] then col2im into dx[n]; dW += Σ_n dy[n] · cols[n]ᵀ; db = Σ_{n,h,w} dy.
// Scheduling: images are processed in chunks of B (a function of the shapes only, bounded by a memory budget per
// buffer). Per chunk, im2col/col2im run in parallel over images (each image by one thread, disjoint outputs) and the
// GEMMs go to Gemm.SgemmStridedBatched (weight broadcast with stride 0), which decides between parallel-over-images
// with single-threaded GEMMs and threaded per-image GEMMs. dW: per-image products are written to partial buffers and
// summed in image order, so results never depend on the thread count. (Calling a threaded OpenBLAS GEMM from several
// worker threads at once was measured 4.6× the CPU time of this scheme for x [64,32,28,28], w [64,32,3,3].)
public sealed partial class Tensor
{
    /// <summary>Elements of one scratch buffer (column matrices, per-image dW partials) that bound the chunk of images.</summary>
    private const long ConvChunkBudget = 1L << 22;

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's <c>F.conv2d</c>) with equal strides and zero padding on both axes:
    /// x [N, C, H, W], weight [O, C, kh, kw], bias [O] → [N, O, Ho, Wo] with Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, channel mismatch, bias not [O], non-positive stride, negative
    /// padding, or a kernel larger than the padded input; the message names the shapes.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
        => Conv2d(x, weight, bias, stride, stride, padding, padding);

    /// <summary>
    /// 2-D convolution with separate strides and paddings per axis: x [N, C, H, W], weight [O, C, kh, kw], bias [O] →
    /// [N, O, Ho, Wo] with Ho = ⌊(H + 2·padH − kh)/strideH⌋ + 1 and Wo = ⌊(W + 2·padW − kw)/strideW⌋ + 1.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, channel mismatch, bias not [O], non-positive stride, negative
    /// padding, or a kernel larger than the padded input; the message names the shapes.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int strideH, int strideW, int padH, int padW)
    {
        var geo = ConvGeometryOf(x, weight, bias, strideH, strideW, padH, padW);
        int n = x._shape[0], o = weight._shape[0], k = geo.K, l = geo.L;
        var xc = x.Contiguous();
        var wc = weight.Contiguous();
        var bc = bias?.Contiguous();
        var r = Empty(n, o, geo.Ho, geo.Wo);
        if (r.Numel > 0) ConvForward(geo, n, o, xc, wc, bc, r);
        var inputs = bias is null ? new[] { xc, wc } : new[] { xc, wc, bc! };
        if (AnyRequiresGrad(inputs))
            r.WithGrad("conv2d", inputs, g => ConvBackward(geo, n, o, xc, wc, bc, g.Contiguous()));
        return r;
    }

    private static ConvGeometry ConvGeometryOf(Tensor x, Tensor weight, Tensor? bias, int sh, int sw, int ph, int pw)
    {
        string Desc() => $"input {TensorShape.Format(x._shape)}, weight {TensorShape.Format(weight._shape)}{(bias is null ? "" : ", bias " + TensorShape.Format(bias._shape))}, stride ({sh}, {sw}), padding ({ph}, {pw})";
        if (x.Rank != 4 || weight.Rank != 4)
            throw new ArgumentException($"Conv2d: {Desc()}: expected input of rank 4 [N, C, H, W] and weight of rank 4 [O, C, kh, kw]");
        if (sh <= 0 || sw <= 0)
            throw new ArgumentException($"Conv2d: {Desc()}: strides must be positive");
        if (ph < 0 || pw < 0)
            throw new ArgumentException($"Conv2d: {Desc()}: paddings must be non-negative");
        int c = x._shape[1], h = x._shape[2], w = x._shape[3];
        int o = weight._shape[0], kh = weight._shape[2], kw = weight._shape[3];
        if (weight._shape[1] != c)
            throw new ArgumentException($"Conv2d: {Desc()}: the weight expects {weight._shape[1]} input channels but the input has {c}");
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != o))
            throw new ArgumentException($"Conv2d: {Desc()}: expected bias of shape [{o}]");
        if (kh == 0 || kw == 0)
            throw new ArgumentException($"Conv2d: {Desc()}: the kernel must be at least 1×1");
        if (kh > h + 2 * ph || kw > w + 2 * pw)
            throw new ArgumentException($"Conv2d: {Desc()}: kernel {kh}×{kw} is larger than the padded input {h + 2 * ph}×{w + 2 * pw}");
        return new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
    }

    /// <summary>Images per chunk: as many as fit the scratch budget for the column matrices and the dW partials (at least 1).</summary>
    private static int ConvChunk(in ConvGeometry geo, int n, int o)
    {
        long perImage = Math.Max(Math.Max(1L, (long)geo.K * geo.L), (long)o * geo.K);
        return (int)Math.Clamp(ConvChunkBudget / perImage, 1, Math.Max(1, n));
    }

    /// <summary>im2col of images [n0, n0 + nb) into consecutive K×L blocks of <paramref name="cols"/>, parallel over images.</summary>
    private static void Im2ColImages(ConvGeometry geo, float[] x, int xOff, int n0, int nb, float[] cols)
    {
        int imgIn = geo.C * geo.H * geo.W, kl = geo.K * geo.L;
        if (nb == 1) { Im2Col.Forward(geo, x, xOff + n0 * imgIn, cols, 0, parallel: true); return; }
        Par.For(nb, 1, (s, len) =>
        {
            for (int i = s; i < s + len; i++) Im2Col.Forward(geo, x, xOff + (n0 + i) * imgIn, cols, i * kl, parallel: false);
        });
    }

    /// <summary>col2im (scatter-add) of consecutive K×L blocks of <paramref name="dcols"/> into images [n0, n0 + nb), parallel over images.</summary>
    private static void Col2ImImages(ConvGeometry geo, float[] dcols, int n0, int nb, float[] dx, int dxOff)
    {
        int imgIn = geo.C * geo.H * geo.W, kl = geo.K * geo.L;
        if (nb == 1) { Im2Col.Backward(geo, dcols, 0, dx, dxOff + n0 * imgIn, parallel: true); return; }
        Par.For(nb, 1, (s, len) =>
        {
            for (int i = s; i < s + len; i++) Im2Col.Backward(geo, dcols, i * kl, dx, dxOff + (n0 + i) * imgIn, parallel: false);
        });
    }

    private static void ConvForward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor r)
    {
        int k = geo.K, l = geo.L, imgOut = o * l;
        float[] xd = xc.Data, wd = wc.Data, rd = r.Data;
        int chunk = ConvChunk(geo, n, o);
        if (bc is not null)
        {
            var bs = bc.Data.AsSpan(bc._offset, o);
            for (int img = 0; img < n; img++)
                for (int oc = 0; oc < o; oc++) rd.AsSpan(img * imgOut + oc * l, l).Fill(bs[oc]);
        }
        else if (k == 0) r.AsSpan().Clear();
        if (k == 0) return;
        var cols = BufferPool.Rent(chunk * k * l, clear: false);
        try
        {
            for (int n0 = 0; n0 < n; n0 += chunk)
            {
                int nb = Math.Min(chunk, n - n0);
                Im2ColImages(geo, xd, xc._offset, n0, nb, cols);
                Gemm.SgemmStridedBatched(false, false, o, l, k, 1f, wd, wc._offset, k, 0, cols, 0, l, (long)k * l,
                    bc is null ? 0f : 1f, rd, n0 * imgOut, l, imgOut, nb);
            }
        }
        finally { BufferPool.Return(cols); }
    }

    private static void ConvBackward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor g)
    {
        int k = geo.K, l = geo.L, imgOut = o * l, wn = o * k;
        float[] wd = wc.Data, gd = g.Data;
        int go = g._offset;
        bool needX = xc.RequiresGrad, needW = wc.RequiresGrad;
        if (bc is not null && bc.RequiresGrad) bc.AccumulateGrad(ConvBiasGrad(gd, go, n, o, l));
        if ((!needX && !needW) || k == 0 || g.Numel == 0)
        {
            if (needX && xc.Grad is null) xc.GradTarget(out _).AsSpan().Clear();
            if (needW && wc.Grad is null) wc.GradTarget(out _).AsSpan().Clear();
            return;
        }
        int chunk = ConvChunk(geo, n, o);
        Tensor? dx = null, dw = null;
        float bw = 0f;
        if (needX)
        {
            dx = xc.GradTarget(out float bx);
            if (bx == 0f) dx.AsSpan().Clear(); // col2im accumulates
        }
        if (needW) dw = wc.GradTarget(out bw);
        var cols = needW ? BufferPool.Rent(chunk * k * l, clear: false) : null;
        var partial = needW && chunk > 1 ? BufferPool.Rent(chunk * wn, clear: false) : null;
        var dcols = needX ? BufferPool.Rent(chunk * k * l, clear: false) : null;
        try
        {
            for (int n0 = 0; n0 < n; n0 += chunk)
            {
                int nb = Math.Min(chunk, n - n0);
                int gOff = go + n0 * imgOut;
                if (dcols is not null)
                {
                    // dcols[i] = Wᵀ · dy[n0 + i]   ([K,O]·[O,L])
                    Gemm.SgemmStridedBatched(true, false, k, l, o, 1f, wd, wc._offset, k, 0, gd, gOff, l, imgOut,
                        0f, dcols, 0, l, (long)k * l, nb);
                    Col2ImImages(geo, dcols, n0, nb, dx!.Data, dx._offset);
                }
                if (cols is not null)
                {
                    Im2ColImages(geo, xc.Data, xc._offset, n0, nb, cols);
                    var acc = dw!.Data.AsSpan(dw._offset, wn);
                    if (partial is null)
                    {
                        // One image per chunk: accumulate straight into dW (beta = 1 after the first image).
                        Gemm.Sgemm(false, true, o, k, l, 1f, gd, gOff, l, cols, 0, l, n0 == 0 ? bw : 1f, dw.Data, dw._offset, k);
                        continue;
                    }
                    // partial[i] = dy[n0 + i] · cols[i]ᵀ   ([O,L]·[L,K]), then dW += Σ_i partial[i] in image order.
                    Gemm.SgemmStridedBatched(false, true, o, k, l, 1f, gd, gOff, l, imgOut, cols, 0, l, (long)k * l,
                        0f, partial, 0, k, wn, nb);
                    for (int i = 0; i < nb; i++)
                    {
                        var p = partial.AsSpan(i * wn, wn);
                        if (n0 == 0 && i == 0 && bw == 0f) p.CopyTo(acc);
                        else System.Numerics.Tensors.TensorPrimitives.Add(acc, p, acc);
                    }
                }
            }
        }
        finally
        {
            if (cols is not null) BufferPool.Return(cols);
            if (partial is not null) BufferPool.Return(partial);
            if (dcols is not null) BufferPool.Return(dcols);
        }
    }

    /// <summary>db[o] = Σ_{n,l} dy[n, o, l], summed in double in a fixed order.</summary>
    private static Tensor ConvBiasGrad(float[] gd, int go, int n, int o, int l)
    {
        var db = Empty(o);
        var s = db.AsSpan();
        for (int oc = 0; oc < o; oc++)
        {
            double acc = 0;
            for (int img = 0; img < n; img++) acc += System.Numerics.Tensors.TensorPrimitives.Sum<float>(gd.AsSpan(go + (img * o + oc) * l, l));
            s[oc] = (float)acc;
        }
        return db;
    }
}
