using MixFlow.Tensors.Kernels;
using MixFlow.Tensors.Memory;

namespace MixFlow.Tensors;

// 2-D convolution (PyTorch's F.conv2d without dilation or groups) as im2col + GEMM, forward next to backward.
// Per image n: cols = im2col(x[n]) [K = C·kh·kw, L = Ho·Wo];  y[n] = W[O,K] · cols (+ bias).
// Backward: dW += dy[n] · colsᵀ (GEMM, beta = 1 across images), dcols = Wᵀ · dy[n] then col2im into dx[n],
// db = Σ_{n,h,w} dy.
// Scheduling: when one image's GEMM is large, images run one after another and GEMM uses the cores (im2col/col2im
// are split over the cores only for very large column matrices: per-image hand-offs measured slower than one thread
// on a loaded 2-core machine); when it is small, images are split into a fixed number of groups (a function of the
// shapes only) run in parallel, each with its own column buffer and partial dW, and the partial dW are summed in
// group order — results never depend on the thread count.
public sealed partial class Tensor
{
    /// <summary>Multiply-adds of one image's forward GEMM (O·K·L) from which images run sequentially with a multithreaded GEMM.</summary>
    private const long ConvSequentialWork = 1L << 22;

    /// <summary>Column-matrix elements (K·L) from which im2col/col2im of one image are split over the cores.</summary>
    private const long ConvParallelColumns = 1L << 20;

    /// <summary>Upper bound on the number of image groups run in parallel for small convolutions.</summary>
    private const int ConvMaxGroups = 8;

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

    /// <summary>Number of image groups run in parallel (1 = sequential images, multithreaded GEMM). Depends on the shapes only.</summary>
    private static int ConvGroups(in ConvGeometry geo, int n, int o)
    {
        if (n <= 1 || (long)o * geo.K * geo.L >= ConvSequentialWork) return 1;
        return Math.Min(n, ConvMaxGroups);
    }

    private static void ConvForward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor r)
    {
        int k = geo.K, l = geo.L, imgIn = geo.C * geo.H * geo.W, imgOut = o * l;
        float[] xd = xc.Data, wd = wc.Data, rd = r.Data, bd = bc?.Data ?? Array.Empty<float>();
        int xo = xc._offset, wo = wc._offset, bo = bc?._offset ?? 0;
        bool hasBias = bc is not null;
        int groups = ConvGroups(geo, n, o);

        void Images(int n0, int n1, bool parallelInner)
        {
            var cols = BufferPool.Rent(k * l, clear: false);
            try
            {
                for (int img = n0; img < n1; img++)
                {
                    Im2Col.Forward(geo, xd, xo + img * imgIn, cols, 0, parallelInner);
                    int yOff = img * imgOut;
                    if (hasBias) for (int oc = 0; oc < o; oc++) rd.AsSpan(yOff + oc * l, l).Fill(bd[bo + oc]);
                    else if (k == 0) rd.AsSpan(yOff, imgOut).Clear();
                    if (k > 0) Gemm.Sgemm(false, false, o, l, k, 1f, wd, wo, k, cols, 0, l, hasBias ? 1f : 0f, rd, yOff, l);
                }
            }
            finally { BufferPool.Return(cols); }
        }

        if (groups == 1) Images(0, n, parallelInner: (long)k * l >= ConvParallelColumns);
        else Parallel.For(0, groups, Engine.ParallelOptions, gi => Images(n * gi / groups, n * (gi + 1) / groups, parallelInner: false));
    }

    private static void ConvBackward(ConvGeometry geo, int n, int o, Tensor xc, Tensor wc, Tensor? bc, Tensor g)
    {
        int k = geo.K, l = geo.L, imgIn = geo.C * geo.H * geo.W, imgOut = o * l;
        float[] xd = xc.Data, wd = wc.Data, gd = g.Data;
        int xo = xc._offset, wo = wc._offset, go = g._offset;
        bool needX = xc.RequiresGrad, needW = wc.RequiresGrad;
        if (bc is not null && bc.RequiresGrad) bc.AccumulateGrad(ConvBiasGrad(gd, go, n, o, l));
        if ((!needX && !needW) || k == 0 || g.Numel == 0)
        {
            if (needX && xc.Grad is null) xc.GradTarget(out _).AsSpan().Clear();
            if (needW && wc.Grad is null) wc.GradTarget(out _).AsSpan().Clear();
            return;
        }

        Tensor? dx = null;
        if (needX)
        {
            dx = xc.GradTarget(out float bx);
            if (bx == 0f) dx.AsSpan().Clear(); // col2im accumulates
        }
        float[]? dxd = dx?.Data; int dxo = dx?._offset ?? 0;
        float bw = 0f;
        Tensor? dw = needW ? wc.GradTarget(out bw) : null;
        int groups = ConvGroups(geo, n, o);

        // Images [n0, n1): dW contributions go to (dwData, dwOff) with beta = firstBeta for the first image, then 1.
        void Images(int n0, int n1, float[]? dwData, int dwOff, float firstBeta, bool parallelInner)
        {
            var cols = needW ? BufferPool.Rent(k * l, clear: false) : null;
            var dcols = needX ? BufferPool.Rent(k * l, clear: false) : null;
            try
            {
                for (int img = n0; img < n1; img++)
                {
                    int gOff = go + img * imgOut;
                    if (cols is not null)
                    {
                        Im2Col.Forward(geo, xd, xo + img * imgIn, cols, 0, parallelInner);
                        Gemm.Sgemm(false, true, o, k, l, 1f, gd, gOff, l, cols, 0, l, img == n0 ? firstBeta : 1f, dwData!, dwOff, k);
                    }
                    if (dcols is not null)
                    {
                        Gemm.Sgemm(true, false, k, l, o, 1f, wd, wo, k, gd, gOff, l, 0f, dcols, 0, l);
                        Im2Col.Backward(geo, dcols, 0, dxd!, dxo + img * imgIn, parallelInner);
                    }
                }
            }
            finally
            {
                if (cols is not null) BufferPool.Return(cols);
                if (dcols is not null) BufferPool.Return(dcols);
            }
        }

        if (groups == 1) { Images(0, n, dw?.Data, dw?._offset ?? 0, bw, parallelInner: (long)k * l >= ConvParallelColumns); return; }

        int wn = o * k;
        var partial = needW ? BufferPool.Rent(groups * wn, clear: false) : null;
        try
        {
            Parallel.For(0, groups, Engine.ParallelOptions, gi => Images(n * gi / groups, n * (gi + 1) / groups, partial, gi * wn, 0f, parallelInner: false));
            if (partial is not null)
            {
                var acc = dw!.Data.AsSpan(dw._offset, wn);
                if (bw == 0f) partial.AsSpan(0, wn).CopyTo(acc);
                else System.Numerics.Tensors.TensorPrimitives.Add(acc, partial.AsSpan(0, wn), acc);
                for (int gi = 1; gi < groups; gi++) System.Numerics.Tensors.TensorPrimitives.Add(acc, partial.AsSpan(gi * wn, wn), acc);
            }
        }
        finally { if (partial is not null) BufferPool.Return(partial); }
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
