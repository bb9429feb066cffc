using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>Gradient norm computation and clipping over a set of parameters.</summary>
public static class GradClip
{
    private const int Block = 1 << 15;

    /// <summary>
    /// The global L2 norm of the gradients of <paramref name="parameters"/> (those whose <see cref="Tensor.Grad"/> is
    /// null are skipped), accumulated in double in a fixed order (parameter by parameter, blocks of 32768 elements), so
    /// the result does not depend on the thread count.
    /// </summary>
    /// <exception cref="ArgumentException">A gradient is a non-contiguous view.</exception>
    public static double GlobalNorm(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double total = 0;
        foreach (var p in parameters)
        {
            var g = p.Grad;
            if (g is null) continue;
            if (!g.IsContiguous) throw new ArgumentException($"GradClip: the gradient of parameter '{p.Name ?? "?"}' (shape {TensorShape.Format(g._shape)}) is a non-contiguous view");
            total += SumOfSquares(g.Data, g.Offset, g.Numel);
        }
        return Math.Sqrt(total);
    }

    /// <summary>
    /// Computes the global L2 norm of the gradients (see <see cref="GlobalNorm"/>) and, when it exceeds
    /// <paramref name="maxNorm"/>, scales every gradient in place by maxNorm / (norm + 1e-6) (PyTorch's
    /// <c>clip_grad_norm_</c>). A non-finite norm (NaN or ∞ in some gradient) is returned as is and nothing is scaled.
    /// </summary>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a finite value &gt; 0.</exception>
    /// <exception cref="ArgumentException">A gradient is a non-contiguous view.</exception>
    public static double ClipGlobalNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0) || float.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"GradClip.ClipGlobalNorm: maxNorm = {maxNorm} is invalid; expected a finite value > 0");
        var list = parameters as IReadOnlyList<Tensor> ?? parameters.ToList();
        double norm = GlobalNorm(list);
        if (!double.IsFinite(norm)) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef >= 1) return norm;
        float c = (float)coef;
        foreach (var p in list)
        {
            var g = p.Grad;
            if (g is null) continue;
            var s = g.AsSpan();
            TensorPrimitives.Multiply(s, c, s);
        }
        return norm;
    }

    /// <summary>
    /// <see cref="ClipGlobalNorm(IEnumerable{Tensor}, float)"/> over named parameters (e.g. <see cref="Optimizer.Parameters"/>).
    /// </summary>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a finite value &gt; 0.</exception>
    /// <exception cref="ArgumentException">A gradient is a non-contiguous view.</exception>
    public static double ClipGlobalNorm(IEnumerable<NamedTensor> parameters, float maxNorm)
        => ClipGlobalNorm(parameters.Select(p => p.Tensor).ToList(), maxNorm);

    private static double SumOfSquares(float[] data, int offset, int n)
    {
        int blocks = (n + Block - 1) / Block;
        if (blocks <= 1 || Engine.Threads <= 1) 
        {
            double t = 0;
            for (int b = 0; b < blocks; b++) t += BlockSum(data.AsSpan(offset + b * Block, Math.Min(Block, n - b * Block)));
            return t;
        }
        var partial = new double[blocks];
        Parallel.For(0, blocks, Engine.ParallelOptions, b => partial[b] = BlockSum(data.AsSpan(offset + b * Block, Math.Min(Block, n - b * Block))));
        double total = 0;
        foreach (var v in partial) total += v;
        return total;
    }

    /// <summary>Sum of squares of one block in double, with four fixed vector accumulators (deterministic).</summary>
    private static double BlockSum(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float r = ref MemoryMarshal.GetReference(x);
            var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)i);
                var (lo, hi) = Vector256.Widen(v);
                a0 += lo * lo;
                a1 += hi * hi;
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) s += (double)x[i] * x[i];
        return s;
    }
}
