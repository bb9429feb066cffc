using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// 2-D pooling on [N, C, H, W] without padding (output size ⌊(H − kernel)/stride⌋ + 1), forward next to backward.
// Each (n, c) plane is independent: kernels parallelise over planes, and each plane's gradient is accumulated by one
// thread in a fixed order (deterministic even when windows overlap).
public sealed partial class Tensor
{
    /// <summary>Average pooling with a square window: [N, C, H, W] → [N, C, ⌊(H − kernel)/stride⌋ + 1, ⌊(W − kernel)/stride⌋ + 1].</summary>
    /// <exception cref="ArgumentException">Rank is not 4, kernel or stride is not positive, or the kernel is larger than the input plane.</exception>
    public Tensor AvgPool2d(int kernel, int stride)
    {
        var (h, w, ho, wo) = PoolGeometry("AvgPool2d", kernel, stride);
        var xc = Contiguous();
        int planes = _shape[0] * _shape[1];
        var r = Empty(_shape[0], _shape[1], ho, wo);
        float[] xd = xc.Data, rd = r.Data;
        int xo = xc._offset, inPlane = h * w, outPlane = ho * wo;
        float scale = 1f / (kernel * kernel);
        Par.For(planes, PoolMinPlanes(outPlane * kernel * kernel), (p0, np) =>
        {
            for (int p = p0; p < p0 + np; p++)
            {
                int ib = xo + p * inPlane, ob = p * outPlane;
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++)
                    {
                        float acc = 0;
                        int wb = ib + oh * stride * w + ow * stride;
                        for (int i = 0; i < kernel; i++)
                            for (int j = 0; j < kernel; j++) acc += xd[wb + i * w + j];
                        rd[ob + oh * wo + ow] = acc * scale;
                    }
            }
        });
        if (AnyRequiresGrad(xc))
            r.WithGrad("avg_pool2d", [xc], g =>
            {
                g = g.Contiguous();
                var dx = Zeros(xc._shape);
                float[] gd = g.Data, dd = dx.Data;
                int go = g._offset;
                Par.For(planes, PoolMinPlanes(outPlane * kernel * kernel), (p0, np) =>
                {
                    for (int p = p0; p < p0 + np; p++)
                    {
                        int ib = p * inPlane, ob = go + p * outPlane;
                        for (int oh = 0; oh < ho; oh++)
                            for (int ow = 0; ow < wo; ow++)
                            {
                                float v = gd[ob + oh * wo + ow] * scale;
                                int wb = ib + oh * stride * w + ow * stride;
                                for (int i = 0; i < kernel; i++)
                                    for (int j = 0; j < kernel; j++) dd[wb + i * w + j] += v;
                            }
                    }
                });
                xc.AccumulateGrad(dx);
            });
        return r;
    }

    /// <summary>
    /// Max pooling with a square window: [N, C, H, W] → [N, C, ⌊(H − kernel)/stride⌋ + 1, ⌊(W − kernel)/stride⌋ + 1].
    /// Backward: each output's gradient goes to its window's maximum (the first one in row-major order on ties).
    /// </summary>
    /// <exception cref="ArgumentException">Rank is not 4, kernel or stride is not positive, or the kernel is larger than the input plane.</exception>
    public Tensor MaxPool2d(int kernel, int stride)
    {
        var (h, w, ho, wo) = PoolGeometry("MaxPool2d", kernel, stride);
        var xc = Contiguous();
        int planes = _shape[0] * _shape[1];
        var r = Empty(_shape[0], _shape[1], ho, wo);
        float[] xd = xc.Data, rd = r.Data;
        int xo = xc._offset, inPlane = h * w, outPlane = ho * wo;
        Par.For(planes, PoolMinPlanes(outPlane * kernel * kernel), (p0, np) =>
        {
            for (int p = p0; p < p0 + np; p++)
            {
                int ib = xo + p * inPlane, ob = p * outPlane;
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++)
                        rd[ob + oh * wo + ow] = xd[ArgMaxInWindow(xd, ib + oh * stride * w + ow * stride, w, kernel)];
            }
        });
        if (AnyRequiresGrad(xc))
            r.WithGrad("max_pool2d", [xc], g =>
            {
                // The argmax is recomputed from the input (kept alive by this closure) instead of being stored.
                g = g.Contiguous();
                var dx = Zeros(xc._shape);
                float[] gd = g.Data, dd = dx.Data, xs = xc.Data;
                int go = g._offset, xOff = xc._offset;
                Par.For(planes, PoolMinPlanes(outPlane * kernel * kernel), (p0, np) =>
                {
                    for (int p = p0; p < p0 + np; p++)
                    {
                        int ib = xOff + p * inPlane, ob = go + p * outPlane;
                        for (int oh = 0; oh < ho; oh++)
                            for (int ow = 0; ow < wo; ow++)
                            {
                                int a = ArgMaxInWindow(xs, ib + oh * stride * w + ow * stride, w, kernel);
                                dd[a - xOff] += gd[ob + oh * wo + ow];
                            }
                    }
                });
                xc.AccumulateGrad(dx);
            });
        return r;
    }

    /// <summary>
    /// Global average pooling (PyTorch's <c>AdaptiveAvgPool2d(1)</c> followed by flattening): [N, C, H, W] → [N, C],
    /// the mean over each H×W plane.
    /// </summary>
    /// <exception cref="ArgumentException">Rank is not 4 or the plane is empty.</exception>
    public Tensor GlobalAvgPool2d()
    {
        if (Rank != 4 || _shape[2] == 0 || _shape[3] == 0)
            throw new ArgumentException($"GlobalAvgPool2d: input {TensorShape.Format(_shape)}: expected rank 4 [N, C, H, W] with H, W >= 1");
        return Mean([2, 3]);
    }

    /// <summary>Index of the first maximum of the kernel×kernel window whose top-left element is at <paramref name="start"/>.</summary>
    private static int ArgMaxInWindow(float[] x, int start, int rowStride, int kernel)
    {
        int best = start;
        float bv = x[start];
        for (int i = 0; i < kernel; i++)
        {
            int rb = start + i * rowStride;
            for (int j = 0; j < kernel; j++)
            {
                float v = x[rb + j];
                if (v > bv || (float.IsNaN(v) && !float.IsNaN(bv))) { bv = v; best = rb + j; }
            }
        }
        return best;
    }

    private static int PoolMinPlanes(int workPerPlane) => Math.Max(1, Par.MinParallel / 2 / Math.Max(1, workPerPlane));

    private (int H, int W, int Ho, int Wo) PoolGeometry(string op, int kernel, int stride)
    {
        if (Rank != 4)
            throw new ArgumentException($"{op}: input {TensorShape.Format(_shape)} has rank {Rank}; expected rank 4 [N, C, H, W]");
        if (kernel <= 0 || stride <= 0)
            throw new ArgumentException($"{op}: input {TensorShape.Format(_shape)}, kernel {kernel}, stride {stride}: kernel and stride must be positive");
        int h = _shape[2], w = _shape[3];
        if (kernel > h || kernel > w)
            throw new ArgumentException($"{op}: input {TensorShape.Format(_shape)}: kernel {kernel} is larger than the {h}×{w} input plane (no padding)");
        return (h, w, (h - kernel) / stride + 1, (w - kernel) / stride + 1);
    }
}
