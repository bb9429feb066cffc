using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// LayerNorm and RMSNorm over the last dimension, fused forward and backward. The forward caches the per-row
// statistics (mean and 1/std, or 1/rms) so that the backward recomputes x̂ without another reduction. Weight and bias
// gradients are summed over fixed blocks of rows in parallel and the block partials added in order, so the result
// does not depend on the thread count.
public sealed partial class Tensor
{
    /// <summary>Rows per block of the weight/bias-gradient reduction (fixed, so results do not depend on the thread count).</summary>
    private const int NormGradBlockRows = 64;

    /// <summary>
    /// Layer normalisation over the last dimension D: y = (x − mean)/√(var + eps) · weight + bias, with the biased
    /// variance (PyTorch's <c>F.layer_norm(x, [D], weight, bias, eps)</c>). Weight and bias are optional (no affine).
    /// </summary>
    /// <param name="x">Input [..., D] with D ≥ 1.</param>
    /// <param name="weight">Scale [D], or null for 1.</param>
    /// <param name="bias">Shift [D], or null for 0.</param>
    /// <param name="eps">Added to the variance; must be ≥ 0 and finite.</param>
    /// <exception cref="ArgumentException">x has rank 0 or an empty last dimension; weight or bias is not [D]; eps is negative or not finite.</exception>
    public static Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f) => NormCore(x, weight, bias, eps, rms: false);

    /// <summary>
    /// RMS normalisation over the last dimension D: y = x / √(mean(x²) + eps) · weight (PyTorch's <c>nn.RMSNorm</c>).
    /// </summary>
    /// <param name="x">Input [..., D] with D ≥ 1.</param>
    /// <param name="weight">Scale [D], or null for 1.</param>
    /// <param name="eps">Added to the mean square; must be ≥ 0 and finite.</param>
    /// <exception cref="ArgumentException">x has rank 0 or an empty last dimension; weight is not [D]; eps is negative or not finite.</exception>
    public static Tensor RmsNorm(Tensor x, Tensor? weight, float eps = 1e-6f) => NormCore(x, weight, null, eps, rms: true);

    private static Tensor NormCore(Tensor x, Tensor? weight, Tensor? bias, float eps, bool rms)
    {
        string op = rms ? "RmsNorm" : "LayerNorm";
        if (x.Rank == 0 || x._shape[^1] == 0)
            throw new ArgumentException($"{op}: input of shape {TensorShape.Format(x._shape)} has no last dimension to normalise over (expected [..., D] with D >= 1)");
        int d = x._shape[^1];
        if (weight is not null && (weight.Rank != 1 || weight._shape[0] != d))
            throw new ArgumentException($"{op}: weight of shape {TensorShape.Format(weight._shape)} does not fit input {TensorShape.Format(x._shape)} (expected [{d}])");
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != d))
            throw new ArgumentException($"{op}: bias of shape {TensorShape.Format(bias._shape)} does not fit input {TensorShape.Format(x._shape)} (expected [{d}])");
        if (!(eps >= 0) || float.IsInfinity(eps))
            throw new ArgumentException($"{op}: eps must be a finite number >= 0 (got {eps})");

        var xc = x.Contiguous(); var wc = weight?.Contiguous(); var bc = bias?.Contiguous();
        int rows = xc.Numel / d;
        var y = Empty(x._shape);
        var mean = rms ? null : Empty(rows);
        var rstd = Empty(rows);
        float[] xd = xc.Data, yd = y.Data, sd = rstd.Data; int xo = xc._offset;
        float[]? md = mean?.Data, wd = wc?.Data, bd = bc?.Data; int wo = wc?._offset ?? 0, bo = bc?._offset ?? 0;
        Par.For(rows, RowsPerChunk(d), (s, len) =>
        {
            for (int r = s; r < s + len; r++)
            {
                var xr = xd.AsSpan(xo + r * d, d); var yr = yd.AsSpan(r * d, d);
                float rs;
                if (rms)
                {
                    rs = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / d + eps);
                    TensorPrimitives.Multiply(xr, rs, yr);
                }
                else
                {
                    float m = TensorPrimitives.Sum(xr) / d;
                    TensorPrimitives.Subtract(xr, m, yr);
                    rs = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / d + eps); // two-pass variance
                    TensorPrimitives.Multiply(yr, rs, yr);
                    md![r] = m;
                }
                sd[r] = rs;
                if (wd is not null && bd is not null) TensorPrimitives.MultiplyAdd(yr, wd.AsSpan(wo, d), bd.AsSpan(bo, d), yr);
                else if (wd is not null) TensorPrimitives.Multiply(yr, wd.AsSpan(wo, d), yr);
                else if (bd is not null) TensorPrimitives.Add(yr, bd.AsSpan(bo, d), yr);
            }
        });

        var inputs = new List<Tensor>(3) { xc };
        if (wc is not null) inputs.Add(wc);
        if (bc is not null) inputs.Add(bc);
        var inArr = inputs.ToArray();
        if (!AnyRequiresGrad(inArr)) { mean?.Dispose(); rstd.Dispose(); return y; }

        y.WithGrad(rms ? "rms_norm" : "layer_norm", inArr, g =>
        {
            g = g.Contiguous();
            float[] gd = g.Data; int go = g._offset;
            bool needX = xc.RequiresGrad, needW = wc is { RequiresGrad: true }, needB = bc is { RequiresGrad: true };
            int blocks = (rows + NormGradBlockRows - 1) / NormGradBlockRows;
            // partials[block] = [Σ g ⊙ x̂ (weight), Σ g (bias)] over the block's rows.
            var partials = needW || needB ? Empty(blocks, 2, d) : null;
            float[]? pd = partials?.Data;
            GradientBuffer? dxBuf = needX ? BeginGradient(xc) : null;
            float[]? dd = dxBuf?.Data; int dOff = dxBuf?.Offset ?? 0;
            Par.For(blocks, Math.Max(1, RowsPerChunk(d) / NormGradBlockRows), (s, len) =>
            {
                Span<float> xhat = d <= MaxStackRow ? stackalloc float[d] : new float[d];
                Span<float> dn = d <= MaxStackRow ? stackalloc float[d] : new float[d];
                for (int blk = s; blk < s + len; blk++)
                {
                    Span<float> pw = pd is null ? default : pd.AsSpan(blk * 2 * d, d);
                    Span<float> pb = pd is null ? default : pd.AsSpan(blk * 2 * d + d, d);
                    if (pd is not null) { pw.Clear(); pb.Clear(); }
                    int r1 = Math.Min(rows, (blk + 1) * NormGradBlockRows);
                    for (int r = blk * NormGradBlockRows; r < r1; r++)
                    {
                        var xr = xd.AsSpan(xo + r * d, d); var gr = gd.AsSpan(go + r * d, d);
                        float rs = sd[r];
                        if (rms) TensorPrimitives.Multiply(xr, rs, xhat);
                        else { TensorPrimitives.Subtract(xr, md![r], xhat); TensorPrimitives.Multiply(xhat, rs, xhat); }
                        if (needW) TensorPrimitives.MultiplyAdd(gr, xhat, pw, pw);
                        if (needB) TensorPrimitives.Add(pb, gr, pb);
                        if (!needX) continue;
                        if (wd is not null) TensorPrimitives.Multiply(gr, wd.AsSpan(wo, d), dn);
                        ReadOnlySpan<float> dnr = wd is not null ? dn : gr;
                        // dx = rstd·(dn − mean(dn) − x̂·mean(dn ⊙ x̂))   (RMSNorm: without the mean(dn) term)
                        float c = TensorPrimitives.Dot(dnr, xhat) / d;
                        var dr = dd.AsSpan(dOff + r * d, d);
                        TensorPrimitives.MultiplyAdd(xhat, -c, dnr, dr);
                        if (!rms) TensorPrimitives.Subtract(dr, TensorPrimitives.Sum(dnr) / d, dr);
                        TensorPrimitives.Multiply(dr, rs, dr);
                    }
                }
            });
            if (dxBuf is { } buf) EndGradient(buf);
            if (partials is not null)
            {
                var sums = Zeros(2, d);
                var ws = sums.Data.AsSpan(0, d); var bs = sums.Data.AsSpan(d, d);
                for (int blk = 0; blk < blocks; blk++)
                {
                    TensorPrimitives.Add(ws, pd.AsSpan(blk * 2 * d, d), ws);
                    TensorPrimitives.Add(bs, pd.AsSpan(blk * 2 * d + d, d), bs);
                }
                if (needW) wc!.AccumulateGrad(sums.Slice(0, 0, 1).Reshape(d));
                if (needB) bc!.AccumulateGrad(sums.Slice(0, 1, 2).Reshape(d));
                partials.Dispose();
            }
        });
        return y;
    }
}
