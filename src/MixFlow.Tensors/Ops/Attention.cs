using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Scaled dot-product attention as one fused op. Per (batch, head): S = scale·Q·Kᵀ (+ mask), P = softmax_rows(S),
// O = P·V, the (batch, head) matrices in parallel, each with single-threaded GEMMs and all of its steps in a row while
// its scores are cache-resident (forward and backward; the backward's dS is a per-thread scratch matrix). P is kept for
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

        /// <summary>Offset of matrix (b, h).</summary>
        public int At(int b, int h) => (int)(Offset + b * StrideB + h * StrideH);
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
        var backend = Gemm.Backend;
        int chunks = (int)Math.Min(bh, 4L * Engine.Threads);
        long sP = (long)tq * tk;
        if (rows > 0)
        {
            // Per (batch, head) matrix, all three steps while its scores are cache-resident: S = scale·Q·Kᵀ,
            // row softmax (+ mask), O = P·V.
            float[] pd = p.Data, od = o.Data; float[]? mdata = mc?.Data; int mo = mc?._offset ?? 0;
            Gemm.ForEachSingleThreaded(bh, chunks, (_, start, count) =>
            {
                for (int i = start; i < start + count; i++)
                {
                    int b = i / heads, h = i % heads, po = (int)(i * sP);
                    Gemm.SgemmWith(backend, 1, false, true, tq, tk, dk, sc, hq.Data, hq.At(b, h), hq.Ld, hk.Data, hk.At(b, h), hk.Ld, 0f, pd, po, tk);
                    for (int r = 0; r < tq; r++)
                    {
                        var pr = pd.AsSpan(po + r * tk, tk);
                        if (mdata is not null)
                        {
                            int off = mo + b * ms![0] + h * ms[1] + r * ms[2];
                            if (ms[3] == 0) TensorPrimitives.Add(pr, mdata[off], pr);
                            else TensorPrimitives.Add(pr, mdata.AsSpan(off, tk), pr);
                        }
                        SoftmaxRow(pr, pr, log: false);
                    }
                    Gemm.SgemmWith(backend, 1, false, false, tq, dv, tk, 1f, pd, po, tk, hv.Data, hv.At(b, h), hv.Ld, 0f, od, i * tq * dv, dv);
                }
            });
        }

        var inputs = mc is null ? new[] { qc, kc, vc } : new[] { qc, kc, vc, mc };
        if (!AnyRequiresGrad(inputs)) { p.Dispose(); return o; }
        o.WithGrad("scaled_dot_product_attention", inputs, g =>
        {
            if (rows == 0) return;
            g = g.Contiguous();
            float[] pd = p.Data, gd = g.Data; int go = g._offset;
            bool needS = qc.RequiresGrad || kc.RequiresGrad || (mc?.RequiresGrad ?? false);
            bool maskGrad = mc?.RequiresGrad ?? false;
            float bV = 0, bQ = 0, bK = 0;
            var tV = vc.RequiresGrad ? vc.GradTarget(out bV) : null;
            var tQ = qc.RequiresGrad ? qc.GradTarget(out bQ) : null;
            var tK = kc.RequiresGrad ? kc.GradTarget(out bK) : null;
            // One tensor passed as several of q, k, v: its gradient buffer is shared, so a fresh one starts at zero
            // and every product accumulates into it.
            if (tQ is not null && (ReferenceEquals(tQ, tV) || ReferenceEquals(tQ, tK)) || tK is not null && ReferenceEquals(tK, tV))
            {
                foreach (var (t, beta) in new[] { (tV, bV), (tQ, bQ), (tK, bK) })
                    if (t is not null && beta == 0f) { t.AsSpan().Clear(); break; }
                if (tV is not null) bV = 1f;
                if (tQ is not null) bQ = 1f;
                if (tK is not null) bK = 1f;
            }
            // dS for all matrices only when the mask needs it; otherwise one matrix-sized scratch per chunk.
            var ds = needS ? (maskGrad ? Empty(scoreShape) : Empty(chunks, tq * tk)) : null;
            float[]? dsd = ds?.Data;
            Gemm.ForEachSingleThreaded(bh, chunks, (chunk, start, count) =>
            {
                for (int i = start; i < start + count; i++)
                {
                    int b = i / heads, h = i % heads, po = (int)(i * sP), gi = go + i * tq * dv;
                    if (tV is not null)   // dV = Pᵀ·dO   [Tk,Tq]·[Tq,Dv]
                        Gemm.SgemmWith(backend, 1, true, false, tk, dv, tq, 1f, pd, po, tk, gd, gi, dv, bV, tV.Data, tV._offset + i * tk * dv, dv);
                    if (!needS) continue;
                    int so = maskGrad ? po : (int)(chunk * sP);
                    // dP = dO·Vᵀ  [Tq,Dv]·[Dv,Tk]
                    Gemm.SgemmWith(backend, 1, false, true, tq, tk, dv, 1f, gd, gi, dv, hv.Data, hv.At(b, h), hv.Ld, 0f, dsd!, so, tk);
                    for (int r = 0; r < tq; r++)
                    {
                        var dr = dsd.AsSpan(so + r * tk, tk); var pr = pd.AsSpan(po + r * tk, tk);
                        float dot = TensorPrimitives.Dot(dr, pr);
                        TensorPrimitives.Subtract(dr, dot, dr);
                        TensorPrimitives.Multiply(dr, pr, dr);   // dS = P ⊙ (dP − ⟨dP, P⟩)
                    }
                    if (tQ is not null)   // dQ = scale·dS·K   [Tq,Tk]·[Tk,D]
                        Gemm.SgemmWith(backend, 1, false, false, tq, dk, tk, sc, dsd!, so, tk, hk.Data, hk.At(b, h), hk.Ld, bQ, tQ.Data, tQ._offset + i * tq * dk, dk);
                    if (tK is not null)   // dK = scale·dSᵀ·Q  [Tk,Tq]·[Tq,D]
                        Gemm.SgemmWith(backend, 1, true, false, tk, dk, tq, sc, dsd!, so, tk, hq.Data, hq.At(b, h), hq.Ld, bK, tK.Data, tK._offset + i * tk * dk, dk);
                }
            });
            if (maskGrad) mc!.AccumulateGrad(ds!);
            ds?.Dispose();
            p.Dispose();
        });
        return o;
    }
}
