using System.Numerics.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Softmax and LogSoftmax along one axis (max-subtracted, so huge logits stay finite). The row kernels work on the
// last axis of a contiguous tensor, one row per step, SIMD over the row and parallel over rows; another axis is
// moved last by a transpose view. Also home of the row-kernel helpers shared by the other fused ops of this group
// (normalisation, attention, losses): chunk sizing and writing a gradient with accumulate semantics.
public sealed partial class Tensor
{
    /// <summary>Rows of this many elements or more get a stack-free (rented) scratch row in the fused kernels.</summary>
    private const int MaxStackRow = 2048;

    /// <summary>Minimum rows per parallel chunk so that each chunk holds about <see cref="Par.MinParallel"/> elements.</summary>
    private static int RowsPerChunk(int rowLength) => Math.Max(1, Par.MinParallel / Math.Max(rowLength, 1));

    /// <summary>
    /// Softmax along <paramref name="axis"/>: exp(x − max) / Σ exp(x − max). Backward: dx = y ⊙ (g − Σ g ⊙ y).
    /// A row that is entirely −∞ gives NaN (as in PyTorch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-rank, rank).</exception>
    /// <exception cref="ArgumentException">The tensor has rank 0.</exception>
    public Tensor Softmax(int axis = -1) => SoftmaxAlong(axis, log: false);

    /// <summary>
    /// Log-softmax along <paramref name="axis"/>: x − max − log Σ exp(x − max). Backward: dx = g − exp(y)·Σ g.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-rank, rank).</exception>
    /// <exception cref="ArgumentException">The tensor has rank 0.</exception>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxAlong(axis, log: true);

    private Tensor SoftmaxAlong(int axis, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        if (Rank == 0) throw new ArgumentException($"{op}: expected a tensor of rank >= 1, got a scalar (shape [])");
        int a = TensorShape.NormalizeAxis(axis, Rank, op);
        if (a != Rank - 1) return Transpose(a, Rank - 1).SoftmaxAlong(-1, log).Transpose(a, Rank - 1);

        var x = Contiguous();
        int n = _shape[^1];
        int rows = n == 0 ? 0 : x.Numel / n;
        var y = Empty(_shape);
        float[] xd = x.Data, yd = y.Data; int xo = x._offset;
        Par.For(rows, RowsPerChunk(n), (s, len) =>
        {
            for (int r = s; r < s + len; r++)
                SoftmaxRow(xd.AsSpan(xo + r * n, n), yd.AsSpan(r * n, n), log);
        });
        if (AnyRequiresGrad(x))
        {
            y.WithGrad(log ? "log_softmax" : "softmax", [x], g =>
            {
                g = g.Contiguous();
                float[] gd = g.Data; int go = g._offset;
                var dst = BeginGradient(x);
                float[] dd = dst.Data; int dOff = dst.Offset;
                Par.For(rows, RowsPerChunk(n), (s, len) =>
                {
                    for (int r = s; r < s + len; r++)
                    {
                        var gr = gd.AsSpan(go + r * n, n); var yr = yd.AsSpan(r * n, n); var dr = dd.AsSpan(dOff + r * n, n);
                        if (log)
                        {
                            float gs = TensorPrimitives.Sum(gr);
                            TensorPrimitives.Exp(yr, dr);
                            TensorPrimitives.MultiplyAdd(dr, -gs, gr, dr);   // g − softmax·Σg
                        }
                        else
                        {
                            float dot = TensorPrimitives.Dot(gr, yr);
                            TensorPrimitives.Subtract(gr, dot, dr);
                            TensorPrimitives.Multiply(dr, yr, dr);            // y ⊙ (g − ⟨g, y⟩)
                        }
                    }
                });
                EndGradient(dst);
            });
        }
        return y;
    }

    /// <summary>Softmax (or log-softmax) of one row; <paramref name="y"/> may alias <paramref name="x"/> for the plain softmax.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        if (log)
        {
            // (x − max) − log Σ, in this order: max + log Σ would round away log Σ when |max| is large.
            TensorPrimitives.Subtract(x, max, y);
            TensorPrimitives.Subtract(y, MathF.Log(sum), y);
        }
        else TensorPrimitives.Multiply(y, 1f / sum, y);
    }

    /// <summary>Where a fused backward writes one input's full gradient: straight into its buffer, or into a temporary that is added to an existing gradient.</summary>
    private readonly record struct GradientBuffer(Tensor Target, Tensor? Temp)
    {
        public float[] Data => (Temp ?? Target).Data;
        public int Offset => Temp is null ? Target._offset : 0;
    }

    /// <summary>Opens the buffer the gradient of <paramref name="x"/> is written into (overwrite semantics for the kernel).</summary>
    private static GradientBuffer BeginGradient(Tensor x)
    {
        var target = x.GradTarget(out float beta);
        return beta == 0f ? new GradientBuffer(target, null) : new GradientBuffer(target, Empty(x._shape));
    }

    /// <summary>Completes <see cref="BeginGradient"/>: adds the temporary into the existing gradient (accumulate) and releases it.</summary>
    private static void EndGradient(GradientBuffer b)
    {
        if (b.Temp is not { } tmp) return;
        var acc = b.Target.AsSpan();
        Par.Add(acc, tmp.AsSpan(), acc);
        tmp.Dispose();
    }
}
