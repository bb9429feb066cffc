using MixFlow.Tensors.Kernels;
using MixFlow.Tensors.Memory;

namespace MixFlow.Tensors;

// 2-D convolution (PyTorch's F.conv2d without dilation or groups) as im2col + GEMM, forward next to backward.
// Per image n: cols = im2col(x[n]) [K = C·kh·kw, L = Ho·Wo];  y[n] = W[O,K] · cols (+ bias).
// Backward: dcols = Wᵀ · dy[n] then col2im into dx[n]; dW += dy[n] · colsᵀ (GEMM with beta = 1 after the first image,
// images in order); db = Σ_{n,h,w} dy.
// Scheduling: images run one after another and each GEMM uses the cores (the GEMM backend decides); im2col/col2im
// of one image are split over the cores only for large column matrices. Measured on the shared 2-core machine
// (OpenBLAS): parallelising over images instead — single-threaded GEMMs via Gemm.SgemmStridedBatched with the weight
// broadcast, or threaded GEMMs called from several threads — cost 1.5–4.6× the CPU time and was not faster in wall
// time for x [64,32,28,28]·w [64,32,3,3], x [64,16,14,14]·w [32,16,3,3] and x [64,3,28,28]·w [16,3,3,3].
// Results never depend on the thread count (fixed image order; im2col/col2im outputs are disjoint per thread).
public sealed partial class Tensor
{
    /// <summary>Column-matrix elements (K·L) from which im2col/col2im of one image are split over the cores.</summary>
    private const long ConvParallelColumns = 1L << 20;

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

    private static void ConvForward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor r)
    {
        int k = geo.K, l = geo.L, imgIn = geo.C * geo.H * geo.W, imgOut = o * l;
        float[] xd = xc.Data, wd = wc.Data, rd = r.Data;
        if (bc is not null)
        {
            var bs = bc.Data.AsSpan(bc._offset, o);
            for (int img = 0; img < n; img++)
                for (int oc = 0; oc < o; oc++) rd.AsSpan(img * imgOut + oc * l, l).Fill(bs[oc]);
        }
        else if (k == 0) r.AsSpan().Clear();
        if (k == 0) return;
        bool parallelCols = (long)k * l >= ConvParallelColumns;
        var cols = BufferPool.Rent(k * l, clear: false);
        try
        {
            for (int img = 0; img < n; img++)
            {
                Im2Col.Forward(geo, xd, xc._offset + img * imgIn, cols, 0, parallelCols);
                Gemm.Sgemm(false, false, o, l, k, 1f, wd, wc._offset, k, cols, 0, l, bc is null ? 0f : 1f, rd, img * imgOut, l);
            }
        }
        finally { BufferPool.Return(cols); }
    }

    private static void ConvBackward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor g)
    {
        int k = geo.K, l = geo.L, imgIn = geo.C * geo.H * geo.W, imgOut = o * l;
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
        Tensor? dx = null, dw = null;
        float bw = 0f;
        if (needX)
        {
            dx = xc.GradTarget(out float bx);
            if (bx == 0f) dx.AsSpan().Clear(); // col2im accumulates
        }
        if (needW) dw = wc.GradTarget(out bw);
        bool parallelCols = (long)k * l >= ConvParallelColumns;
        var cols = needW ? BufferPool.Rent(k * l, clear: false) : null;
        var dcols = needX ? BufferPool.Rent(k * l, clear: false) : null;
        try
        {
            for (int img = 0; img < n; img++)
            {
                int gOff = go + img * imgOut;
                if (dcols is not null)
                {
                    // dcols = Wᵀ · dy[img]   ([K,O]·[O,L]), scattered back into dx[img]
                    Gemm.Sgemm(true, false, k, l, o, 1f, wd, wc._offset, k, gd, gOff, l, 0f, dcols, 0, l);
                    Im2Col.Backward(geo, dcols, 0, dx!.Data, dx._offset + img * imgIn, parallelCols);
                }
                if (cols is not null)
                {
                    // dW += dy[img] · colsᵀ   ([O,L]·[L,K])
                    Im2Col.Forward(geo, xc.Data, xc._offset + img * imgIn, cols, 0, parallelCols);
                    Gemm.Sgemm(false, true, o, k, l, 1f, gd, gOff, l, cols, 0, l, img == 0 ? bw : 1f, dw!.Data, dw._offset, k);
                }
            }
        }
        finally
        {
            if (cols is not null) BufferPool.Return(cols);
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
