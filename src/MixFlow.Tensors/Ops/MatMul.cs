using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Matrix products: MatMul (2-D and batched with broadcast batch dims; a transposed view of either operand is passed
// to GEMM as a transpose flag, never copied) and Linear (x·Wᵀ + b, the bias fused as GEMM's beta·C term).
// Backward writes straight into the gradient buffers with GEMM's beta = 1 when they already exist (accumulate).
public sealed partial class Tensor
{
    /// <summary>How one operand is handed to GEMM: storage, offset, leading dimension, transpose flag, batch stride.</summary>
    private readonly record struct GemmOperand(float[] Data, int Offset, int Ld, bool Trans, long BatchStride, bool Broadcast);

    /// <summary>Describes the last two dims of <paramref name="t"/> (viewed with batch dims <paramref name="batch"/>) for GEMM, copying only when the layout cannot be expressed.</summary>
    private static GemmOperand Operand(ref Tensor t, int[] batch)
    {
        int r = t.Rank;
        int rows = t._shape[r - 2], cols = t._shape[r - 1];
        int sR = t._strides[r - 2], sC = t._strides[r - 1];
        bool normal = (sC == 1 || cols == 1) && sR >= Math.Max(cols, 1);
        bool trans = !normal && (sR == 1 || rows == 1) && sC >= Math.Max(rows, 1);
        // Batch dims: all broadcast (stride 0 / absent) or collapsible to one stride.
        int tb = r - 2, lead = batch.Length - tb;
        bool allBroadcast = true; bool collapsible = true;
        long stride = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            int dim = i < lead ? 1 : t._shape[i - lead];
            if (dim == 1 && batch[i] != 1) continue;
            if (dim != batch[i]) throw new ArgumentException($"MatMul: batch shape of {TensorShape.Format(t._shape)} does not broadcast to {TensorShape.Format(batch)}");
            if (dim == 1) continue;
            allBroadcast = false;
        }
        if (!allBroadcast)
        {
            // Require every batch dim present and non-broadcast, strides nested.
            if (lead != 0) collapsible = false;
            for (int i = 0; collapsible && i < tb; i++) if (t._shape[i] != batch[i]) collapsible = false;
            for (int i = 0; collapsible && i + 1 < tb; i++)
                if (t._shape[i] != 1 && t._strides[i] != t._strides[i + 1] * t._shape[i + 1]) collapsible = false;
            if (collapsible) stride = tb == 0 ? 0 : t._strides[tb - 1];
        }
        if ((!normal && !trans) || !collapsible)
        {
            if (!collapsible && !allBroadcast)
            {
                var full = batch.Concat(new[] { rows, cols }).ToArray();
                using (Autograd.GradMode.NoGrad()) t = t.Expand(full).Contiguous();
            }
            else using (Autograd.GradMode.NoGrad()) t = t.Contiguous();
            return Operand(ref t, batch);
        }
        int ld = normal ? Math.Max(sR, Math.Max(cols, 1)) : Math.Max(sC, Math.Max(rows, 1));
        return new GemmOperand(t.Data, t._offset, ld, trans, allBroadcast ? 0 : stride, allBroadcast);
    }

    private static void RunGemm(GemmOperand a, bool flipA, GemmOperand b, bool flipB, int m, int n, int k, float[] c, int cOffset, long cStride, int batch, float beta)
    {
        if (batch == 1)
            Gemm.Sgemm(a.Trans ^ flipA, b.Trans ^ flipB, m, n, k, 1f, a.Data, a.Offset, a.Ld, b.Data, b.Offset, b.Ld, beta, c, cOffset, n);
        else
            Gemm.SgemmStridedBatched(a.Trans ^ flipA, b.Trans ^ flipB, m, n, k, 1f, a.Data, a.Offset, a.Ld, a.BatchStride,
                b.Data, b.Offset, b.Ld, b.BatchStride, beta, c, cOffset, n, cStride, batch);
    }

    /// <summary>Matrix product over the last two dimensions, batch dimensions broadcast (PyTorch's <c>a @ b</c> for rank ≥ 2).</summary>
    /// <exception cref="ArgumentException">Rank below 2, inner dimensions differ, or batch dimensions do not broadcast.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank < 2 || b.Rank < 2) throw new ArgumentException($"MatMul: both operands need rank >= 2 (got {TensorShape.Format(a._shape)} and {TensorShape.Format(b._shape)})");
        int m = a._shape[^2], k = a._shape[^1], k2 = b._shape[^2], n = b._shape[^1];
        if (k != k2) throw new ArgumentException($"MatMul: inner dimensions differ: {TensorShape.Format(a._shape)} @ {TensorShape.Format(b._shape)} ({k} vs {k2})");
        // A 2-D right operand and a row-major left operand: fold the batch into the rows (one big GEMM).
        if (b.Rank == 2 && a.Rank > 2 && a.IsContiguous)
        {
            var lead = a._shape[..^1];
            return MatMul(a.Reshape(-1, k), b).Reshape(lead.Append(n).ToArray());
        }
        var batch = TensorShape.Broadcast(a._shape[..^2], b._shape[..^2], "MatMul");
        int nb = TensorShape.Numel(batch);
        var outShape = batch.Concat(new[] { m, n }).ToArray();
        var r = Empty(outShape);
        var ta = a; var tbT = b;
        var oa = Operand(ref ta, batch); var ob = Operand(ref tbT, batch);
        if (r.Numel > 0)
        {
            if (k == 0) r.AsSpan().Clear();
            else RunGemm(oa, false, ob, false, m, n, k, r.Data, 0, (long)m * n, nb, 0f);
        }
        if (AnyRequiresGrad(a, b))
        {
            r.WithGrad("matmul", [a, b], g =>
            {
                g = g.Contiguous();
                var og = new GemmOperand(g.Data, g._offset, n, false, (long)m * n, false);
                if (a.RequiresGrad)
                {
                    // dA = g · Bᵀ  ([m,n]·[n,k])
                    if (!oa.Broadcast && TensorShape.Equal(a._shape, batch.Concat(new[] { m, k }).ToArray()))
                    {
                        var target = a.GradTarget(out float beta);
                        RunGemm(og, false, ob, true, m, k, n, target.Data, target._offset, (long)m * k, nb, beta);
                    }
                    else
                    {
                        var tmp = Empty(batch.Concat(new[] { m, k }).ToArray());
                        RunGemm(og, false, ob, true, m, k, n, tmp.Data, 0, (long)m * k, nb, 0f);
                        a.AccumulateGrad(tmp);
                    }
                }
                if (b.RequiresGrad)
                {
                    // dB = Aᵀ · g  ([k,m]·[m,n])
                    if (!ob.Broadcast && TensorShape.Equal(b._shape, batch.Concat(new[] { k, n }).ToArray()))
                    {
                        var target = b.GradTarget(out float beta);
                        RunGemm(oa, true, og, false, k, n, m, target.Data, target._offset, (long)k * n, nb, beta);
                    }
                    else
                    {
                        var tmp = Empty(batch.Concat(new[] { k, n }).ToArray());
                        RunGemm(oa, true, og, false, k, n, m, tmp.Data, 0, (long)k * n, nb, 0f);
                        b.AccumulateGrad(tmp);
                    }
                }
            });
        }
        return r;
    }

    /// <summary>Instance form of <see cref="MatMul(Tensor, Tensor)"/>.</summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>
    /// Affine map y = x·Wᵀ + b over the last dimension (PyTorch's <c>F.linear</c>): x [..., in], W [out, in], b [out].
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit; the message names the three shapes.</exception>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || x.Rank < 1 || x._shape[^1] != weight._shape[1] || (bias is not null && (bias.Rank != 1 || bias._shape[0] != weight._shape[0])))
            throw new ArgumentException($"Linear: input {TensorShape.Format(x._shape)}, weight {TensorShape.Format(weight._shape)}{(bias is null ? "" : ", bias " + TensorShape.Format(bias._shape))} do not fit (expected input [..., in], weight [out, in], bias [out])");
        int inF = weight._shape[1], outF = weight._shape[0];
        var xc = x.Contiguous();
        var w = weight.Contiguous();
        int rows = xc.Numel / Math.Max(inF, 1);
        var outShape = (int[])x._shape.Clone(); outShape[^1] = outF;
        var r = Empty(outShape);
        var rd = r.Data;
        float beta = 0f;
        if (bias is not null)
        {
            var bc = bias.Contiguous();
            var bs = bc.Data.AsSpan(bc._offset, outF);
            for (int i = 0; i < rows; i++) bs.CopyTo(rd.AsSpan(i * outF, outF));
            beta = 1f;
        }
        if (rows > 0 && outF > 0)
        {
            if (inF == 0) { if (bias is null) r.AsSpan().Clear(); }
            else Gemm.Sgemm(false, true, rows, outF, inF, 1f, xc.Data, xc._offset, inF, w.Data, w._offset, inF, beta, rd, 0, outF);
        }
        var inputs = bias is null ? new[] { xc, w } : new[] { xc, w, bias };
        if (AnyRequiresGrad(inputs))
        {
            r.WithGrad("linear", inputs, g =>
            {
                g = g.Contiguous();
                if (xc.RequiresGrad)
                {
                    var t = xc.GradTarget(out float bx);   // dX = g·W      [rows,out]·[out,in]
                    Gemm.Sgemm(false, false, rows, inF, outF, 1f, g.Data, g._offset, outF, w.Data, w._offset, inF, bx, t.Data, t._offset, inF);
                }
                if (w.RequiresGrad)
                {
                    var t = w.GradTarget(out float bw);    // dW = gᵀ·x     [out,rows]·[rows,in]
                    Gemm.Sgemm(true, false, outF, inF, rows, 1f, g.Data, g._offset, outF, xc.Data, xc._offset, inF, bw, t.Data, t._offset, inF);
                }
                if (bias is not null && bias.RequiresGrad)
                    bias.AccumulateGrad(g.Reshape(rows, outF).Sum(0)); // db = Σ_rows g
            });
        }
        return r;
    }
}
