using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Scaled dot-product attention as one fused op. Per (batch, head): S = scale·Q·Kᵀ (+ mask), P = softmax_rows(S),
// O = P·V, with the two products as strided-batched GEMMs and the row softmax parallel over all rows. P is kept for
// the backward: dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q, dmask = dS.
// Q, K and V are read in place when each (batch, head) matrix has unit column stride — in particular the head-split
// views of a fused qkv projection (a permute of [B, T, 3, H, D]) and heads broadcast by Expand — and copied otherwise.
public sealed partial class Tensor
{
    /// <summary>The (batch, head) matrices of a [B, H, rows, cols] operand as GEMM sees them: start, leading dimension and the two batch strides.</summary>
    private readonly record struct HeadMatrices(float[] Data, int Offset, int Ld, long StrideB, long StrideH)
    {
        /// <summary>A contiguous [B, H, rows, cols] buffer.</summary>
        public static HeadMatrices Dense(float[] data, int offset, int rows, int cols, int heads) =>
            new(data, offset, cols, (long)heads * rows * cols, (long)rows * cols);

        /// <summary>One stride that steps through all B·H matrices in order, or −1 when the batch and head strides do not nest.</summary>
        public long FlatStride(int bsz, int heads) => bsz == 1 ? StrideH : heads == 1 ? StrideB : StrideB == heads * StrideH ? StrideH : -1;
    }

    /// <summary>Describes <paramref name="t"/> [B, H, rows, cols] for GEMM without a copy when its layout allows; otherwise replaces it by a contiguous copy (recorded for autograd).</summary>
    private static HeadMatrices Heads(ref Tensor t, int heads)
    {
        int rows = t._shape[2], cols = t._shape[3];
        var st = t._strides;
        bool unitColumns = st[3] == 1 || cols == 1;
        int ld = rows == 1 ? cols : st[2];
        if (!unitColumns || ld < cols) { t = t.Contiguous(); return HeadMatrices.Dense(t.Data, t._offset, rows, cols, heads); }
        return new HeadMatrices(t.Data, t._offset, ld, t._shape[0] == 1 ? 0 : st[0], heads == 1 ? 0 : st[1]);
    }

    /// <summary>C[b, h] = alpha·op(A[b, h])·op(B[b, h]) + beta·C[b, h] for all heads, C contiguous [B, H, m, n]: one strided-batched GEMM when the operands' strides nest, else one per batch element.</summary>
    private static void HeadGemm(bool transA, bool transB, int m, int n, int k, float alpha, in HeadMatrices a, in HeadMatrices b,
        float beta, float[] c, int cOffset, int bsz, int heads)
    {
        long sC = (long)m * n;
        long fa = a.FlatStride(bsz, heads), fb = b.FlatStride(bsz, heads);
        if (fa >= 0 && fb >= 0)
        {
            Gemm.SgemmStridedBatched(transA, transB, m, n, k, alpha, a.Data, a.Offset, a.Ld, fa, b.Data, b.Offset, b.Ld, fb, beta, c, cOffset, n, sC, bsz * heads);
            return;
        }
        for (int i = 0; i < bsz; i++)
            Gemm.SgemmStridedBatched(transA, transB, m, n, k, alpha, a.Data, (int)(a.Offset + i * a.StrideB), a.Ld, a.StrideH,
                b.Data, (int)(b.Offset + i * b.StrideB), b.Ld, b.StrideH, beta, c, (int)(cOffset + i * heads * sC), n, sC, heads);
    }

    /// <summary>
    /// Attention softmax(scale·Q·Kᵀ + mask)·V (PyTorch's <c>F.scaled_dot_product_attention</c> with a float mask).
    /// </summary>
    /// <param name="q">Queries [B, H, Tq, D] (or [B, Tq, D]).</param>
    /// <param name="k">Keys [B, H, Tk, D] (or [B, Tk, D]).</param>
    /// <param name="v">Values [B, H, Tk, Dv] (or [B, Tk, Dv]).</param>
    /// <param name="mask">Optional additive float mask broadcastable to [B, H, Tq, Tk] ([B, Tq, Tk] for rank-3 inputs);
    /// −∞ entries exclude keys (a query row whose keys are all excluded gives NaN, as in PyTorch). It receives a
    /// gradient when it requires one.</param>
    /// <param name="scale">Factor on Q·Kᵀ; default 1/√D.</param>
    /// <returns>[B, H, Tq, Dv] (or [B, Tq, Dv]).</returns>
    /// <exception cref="ArgumentException">Ranks are not all 3 or all 4, batch/head/length/feature sizes of q, k, v do
    /// not agree, D, Dv or Tk is 0, the mask does not broadcast, or the scale is not finite.</exception>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, float? scale = null)
    {
        if (q.Rank == 3 && k.Rank == 3 && v.Rank == 3)
        {
            if (mask is not null && mask.Rank > 3)
                throw new ArgumentException($"ScaledDotProductAttention: mask of shape {TensorShape.Format(mask._shape)} has rank {mask.Rank} for rank-3 inputs (expected a mask broadcastable to [B, Tq, Tk] = {TensorShape.Format([q._shape[0], q._shape[1], k._shape[1]])})");
            var m4 = mask is { Rank: 3 } ? mask.Unsqueeze(1) : mask;
            return ScaledDotProductAttention(q.Unsqueeze(1), k.Unsqueeze(1), v.Unsqueeze(1), m4, scale).Squeeze(1);
        }
        string shapes = $"q {TensorShape.Format(q._shape)}, k {TensorShape.Format(k._shape)}, v {TensorShape.Format(v._shape)}";
        if (q.Rank != 4 || k.Rank != 4 || v.Rank != 4)
            throw new ArgumentException($"ScaledDotProductAttention: {shapes}: expected all of rank 4 [B, H, T, D] or all of rank 3 [B, T, D]");
        int bsz = q._shape[0], heads = q._shape[1], tq = q._shape[2], dk = q._shape[3];
        int tk = k._shape[2], dv = v._shape[3];
        if (k._shape[0] != bsz || v._shape[0] != bsz || k._shape[1] != heads || v._shape[1] != heads || k._shape[3] != dk || v._shape[2] != tk)
            throw new ArgumentException($"ScaledDotProductAttention: {shapes} do not fit (expected q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv])");
        if (dk == 0 || dv == 0 || tk == 0)
            throw new ArgumentException($"ScaledDotProductAttention: {shapes}: D, Dv and Tk must be >= 1");
        float sc = scale ?? 1f / MathF.Sqrt(dk);
        if (!float.IsFinite(sc)) throw new ArgumentException($"ScaledDotProductAttention: scale must be finite (got {sc})");
        int[] scoreShape = [bsz, heads, tq, tk];
        Tensor? mc = null; int[]? ms = null;
        if (mask is not null)
        {
            if (mask.Rank > 4) throw new ArgumentException($"ScaledDotProductAttention: mask of shape {TensorShape.Format(mask._shape)} has rank {mask.Rank} (expected a mask broadcastable to {TensorShape.Format(scoreShape)})");
            for (int i = 0; i < mask.Rank; i++)
            {
                int md = mask._shape[i], sd = scoreShape[4 - mask.Rank + i];
                if (md != 1 && md != sd)
                    throw new ArgumentException($"ScaledDotProductAttention: mask of shape {TensorShape.Format(mask._shape)} does not broadcast to the scores {TensorShape.Format(scoreShape)} ({shapes})");
            }
            mc = mask.Contiguous();
            ms = TensorShape.BroadcastStrides(mc._shape, mc._strides, scoreShape);
        }

        Tensor qc = q, kc = k, vc = v;
        var hq = Heads(ref qc, heads); var hk = Heads(ref kc, heads); var hv = Heads(ref vc, heads);
        int bh = bsz * heads, rows = bh * tq;
        var p = Empty(scoreShape);
        var o = Empty(bsz, heads, tq, dv);
        var hp = HeadMatrices.Dense(p.Data, 0, tq, tk, heads);
        if (rows > 0)
        {
            HeadGemm(false, true, tq, tk, dk, sc, hq, hk, 0f, p.Data, 0, bsz, heads);                 // S = scale·Q·Kᵀ
            float[] pd = p.Data; float[]? mdata = mc?.Data; int mo = mc?._offset ?? 0;
            Par.For(rows, RowsPerChunk(tk), (s, len) =>
            {
                for (int r = s; r < s + len; r++)
                {
                    var pr = pd.AsSpan(r * tk, tk);
                    if (mdata is not null)
                    {
                        int i = r % tq, hb = r / tq, h = hb % heads, b = hb / heads;
                        int off = mo + b * ms![0] + h * ms[1] + i * ms[2];
                        if (ms[3] == 0) TensorPrimitives.Add(pr, mdata[off], pr);
                        else TensorPrimitives.Add(pr, mdata.AsSpan(off, tk), pr);
                    }
                    SoftmaxRow(pr, pr, log: false);
                }
            });
            HeadGemm(false, false, tq, dv, tk, 1f, hp, hv, 0f, o.Data, 0, bsz, heads);                 // O = P·V
        }

        var inputs = mc is null ? new[] { qc, kc, vc } : new[] { qc, kc, vc, mc };
        if (!AnyRequiresGrad(inputs)) { p.Dispose(); return o; }
        o.WithGrad("scaled_dot_product_attention", inputs, g =>
        {
            if (rows == 0) return;
            g = g.Contiguous();
            float[] pd = p.Data;
            var hg = HeadMatrices.Dense(g.Data, g._offset, tq, dv, heads);
            if (vc.RequiresGrad)
            {
                var t = vc.GradTarget(out float beta);   // dV = Pᵀ·dO   [Tk,Tq]·[Tq,Dv]
                HeadGemm(true, false, tk, dv, tq, 1f, hp, hg, beta, t.Data, t._offset, bsz, heads);
            }
            bool needS = qc.RequiresGrad || kc.RequiresGrad || (mc?.RequiresGrad ?? false);
            if (needS)
            {
                var ds = Empty(scoreShape);              // dP = dO·Vᵀ  [Tq,Dv]·[Dv,Tk]
                float[] dsd = ds.Data;
                var hs = HeadMatrices.Dense(dsd, 0, tq, tk, heads);
                HeadGemm(false, true, tq, tk, dv, 1f, hg, hv, 0f, dsd, 0, bsz, heads);
                Par.For(rows, RowsPerChunk(tk), (s, len) =>
                {
                    for (int r = s; r < s + len; r++)
                    {
                        var dr = dsd.AsSpan(r * tk, tk); var pr = pd.AsSpan(r * tk, tk);
                        float dot = TensorPrimitives.Dot(dr, pr);
                        TensorPrimitives.Subtract(dr, dot, dr);
                        TensorPrimitives.Multiply(dr, pr, dr);   // dS = P ⊙ (dP − ⟨dP, P⟩)
                    }
                });
                if (qc.RequiresGrad)
                {
                    var t = qc.GradTarget(out float beta);   // dQ = scale·dS·K   [Tq,Tk]·[Tk,D]
                    HeadGemm(false, false, tq, dk, tk, sc, hs, hk, beta, t.Data, t._offset, bsz, heads);
                }
                if (kc.RequiresGrad)
                {
                    var t = kc.GradTarget(out float beta);   // dK = scale·dSᵀ·Q  [Tk,Tq]·[Tq,D]
                    HeadGemm(true, false, tk, dk, tq, sc, hs, hq, beta, t.Data, t._offset, bsz, heads);
                }
                if (mc is { RequiresGrad: true }) mc.AccumulateGrad(ds);
                ds.Dispose();
            }
            p.Dispose();
        });
        return o;
    }
}
