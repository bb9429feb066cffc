using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors;

// Inverted dropout: y = x · m with m = 1/(1 − p) (kept, probability 1 − p) or 0 (dropped, probability p).
// Backward multiplies by the same mask.
public sealed partial class Tensor
{
    /// <summary>
    /// Inverted dropout: each element is zeroed with probability <paramref name="p"/> and the survivors are scaled by
    /// 1/(1 − p), so the expectation is unchanged. The mask is drawn from <paramref name="gen"/> in row-major order
    /// (one <see cref="Generator.NextFloat"/> per element; an element is kept when the draw is ≥ p), so the same
    /// generator state gives the same mask. Returns this tensor itself when <paramref name="training"/> is false or p = 0
    /// (no random numbers are drawn then).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="gen"/> is null.</exception>
    public Tensor Dropout(float p, Generator gen, bool training = true)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: probability p = {p} for input {TensorShape.Format(_shape)}; expected 0 <= p < 1");
        ArgumentNullException.ThrowIfNull(gen);
        if (!training || p == 0f) return this;
        var xc = Contiguous();
        var mask = Empty(_shape);
        var ms = mask.AsSpan();
        gen.FillUniform(ms);
        float scale = 1f / (1f - p);
        for (int i = 0; i < ms.Length; i++) ms[i] = ms[i] >= p ? scale : 0f;
        var r = Map.Binary(xc, mask, static (x, m, d) => System.Numerics.Tensors.TensorPrimitives.Multiply(x, m, d));
        if (AnyRequiresGrad(xc))
            r.WithGrad("dropout", [xc], g => xc.AccumulateGrad(Map.Binary(g, mask, static (g, m, d) => System.Numerics.Tensors.TensorPrimitives.Multiply(g, m, d))));
        return r;
    }
}
