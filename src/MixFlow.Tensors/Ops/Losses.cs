using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Loss functions returning a rank-0 mean: MseLoss and CrossEntropy (fused log-softmax + negative log-likelihood).
// Per-row/per-block partial sums are formed in parallel and added in a fixed order (in double), so the loss does not
// depend on the thread count.
public sealed partial class Tensor
{
    /// <summary>Elements per block of the MSE partial sums (fixed, so the loss does not depend on the thread count).</summary>
    private const int MseBlock = 1 << 14;

    /// <summary>
    /// Mean squared error mean((prediction − target)²) over all elements (PyTorch's <c>F.mse_loss</c>, reduction mean).
    /// Backward: d/dprediction = 2(prediction − target)/N, d/dtarget = −2(prediction − target)/N.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ or the tensors are empty.</exception>
    public static Tensor MseLoss(Tensor prediction, Tensor target)
    {
        if (!TensorShape.Equal(prediction._shape, target._shape))
            throw new ArgumentException($"MseLoss: prediction {TensorShape.Format(prediction._shape)} and target {TensorShape.Format(target._shape)} must have the same shape");
        int n = prediction.Numel;
        if (n == 0) throw new ArgumentException($"MseLoss: prediction of shape {TensorShape.Format(prediction._shape)} is empty; the mean is undefined");
        var p = prediction.Contiguous(); var t = target.Contiguous();
        float[] pd = p.Data, td = t.Data; int po = p._offset, to = t._offset;
        int blocks = (n + MseBlock - 1) / MseBlock;
        var partial = new double[blocks];
        Par.For(blocks, 1, (s, len) =>
        {
            Span<float> diff = stackalloc float[MaxStackRow];
            for (int b = s; b < s + len; b++)
            {
                int b0 = b * MseBlock, b1 = Math.Min(n, b0 + MseBlock);
                double acc = 0;
                for (int c = b0; c < b1; c += MaxStackRow)
                {
                    int m = Math.Min(MaxStackRow, b1 - c);
                    var dm = diff[..m];
                    TensorPrimitives.Subtract(pd.AsSpan(po + c, m), td.AsSpan(to + c, m), dm);
                    acc += TensorPrimitives.SumOfSquares(dm);
                }
                partial[b] = acc;
            }
        });
        double total = 0;
        for (int b = 0; b < blocks; b++) total += partial[b];
        var loss = Scalar((float)(total / n));
        if (AnyRequiresGrad(p, t))
        {
            loss.WithGrad("mse_loss", [p, t], g =>
            {
                float k = 2f * g.Item() / n;
                if (p.RequiresGrad) WriteScaledDifference(p, pd, po, td, to, n, k);
                if (t.RequiresGrad) WriteScaledDifference(t, pd, po, td, to, n, -k);
            });
        }
        return loss;
    }

    /// <summary>Writes (accumulating) k·(p − t) as the gradient of <paramref name="dst"/>.</summary>
    private static void WriteScaledDifference(Tensor dst, float[] pd, int po, float[] td, int to, int n, float k)
    {
        var buf = BeginGradient(dst);
        float[] bd = buf.Data; int bo = buf.Offset;
        Map.Run(pd, po, td, to, bd, bo, n, (x, y, d) => { TensorPrimitives.Subtract(x, y, d); TensorPrimitives.Multiply(d, k, d); });
        EndGradient(buf);
    }

    /// <summary>
    /// Mean cross-entropy of <paramref name="logits"/> [N, C] against class <paramref name="labels"/> (N values in
    /// [0, C)): mean over rows of logsumexp(row) − row[label] (PyTorch's <c>F.cross_entropy</c>, reduction mean),
    /// computed as one fused, max-subtracted log-softmax + NLL. Backward: (softmax(row) − onehot(label))/N.
    /// </summary>
    /// <exception cref="ArgumentException">logits is not rank 2 with N ≥ 1 and C ≥ 1, labels.Length ≠ N, or a label is outside [0, C).</exception>
    public static Tensor CrossEntropy(Tensor logits, int[] labels)
    {
        if (logits.Rank != 2 || logits._shape[0] == 0 || logits._shape[1] == 0)
            throw new ArgumentException($"CrossEntropy: logits of shape {TensorShape.Format(logits._shape)}: expected [N, C] with N >= 1 and C >= 1");
        int rows = logits._shape[0], c = logits._shape[1];
        if (labels.Length != rows)
            throw new ArgumentException($"CrossEntropy: {labels.Length} labels given for logits {TensorShape.Format(logits._shape)} (expected {rows})");
        for (int i = 0; i < rows; i++)
            if ((uint)labels[i] >= (uint)c)
                throw new ArgumentException($"CrossEntropy: label {labels[i]} at position {i} is out of range for {c} classes (logits {TensorShape.Format(logits._shape)}; expected 0 <= label < {c})");
        labels = (int[])labels.Clone(); // the backward reads them later
        var x = logits.Contiguous();
        float[] xd = x.Data; int xo = x._offset;
        var rowMax = new float[rows];
        var logSum = new float[rows];
        var rowLoss = new double[rows];
        Par.For(rows, RowsPerChunk(c), (s, len) =>
        {
            Span<float> tmp = c <= MaxStackRow ? stackalloc float[c] : new float[c];
            for (int r = s; r < s + len; r++)
            {
                var xr = xd.AsSpan(xo + r * c, c);
                float max = TensorPrimitives.Max(xr);
                TensorPrimitives.Subtract(xr, max, tmp);
                TensorPrimitives.Exp(tmp, tmp);
                float ls = MathF.Log(TensorPrimitives.Sum(tmp));
                rowMax[r] = max; logSum[r] = ls;
                rowLoss[r] = ((double)max - xr[labels[r]]) + ls;
            }
        });
        double total = 0;
        for (int r = 0; r < rows; r++) total += rowLoss[r];
        var loss = Scalar((float)(total / rows));
        if (AnyRequiresGrad(x))
        {
            loss.WithGrad("cross_entropy", [x], g =>
            {
                float k = g.Item() / rows;
                var buf = BeginGradient(x);
                float[] bd = buf.Data; int bo = buf.Offset;
                Par.For(rows, RowsPerChunk(c), (s, len) =>
                {
                    for (int r = s; r < s + len; r++)
                    {
                        var dr = bd.AsSpan(bo + r * c, c);
                        TensorPrimitives.Subtract(xd.AsSpan(xo + r * c, c), rowMax[r], dr);
                        TensorPrimitives.Subtract(dr, logSum[r], dr);
                        TensorPrimitives.Exp(dr, dr);                 // softmax = exp((x − max) − log Σ)
                        dr[labels[r]] -= 1f;
                        TensorPrimitives.Multiply(dr, k, dr);
                    }
                });
                EndGradient(buf);
            });
        }
        return loss;
    }
}
