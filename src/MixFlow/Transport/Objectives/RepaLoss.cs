using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// REPA's alignment loss: the negative cosine similarity between projected model tokens and encoder tokens,
/// −⟨ẑ/‖ẑ‖, z/‖z‖⟩ per token (norms floored at <see cref="Eps"/>, as F.normalize), averaged over tokens (per-sample
/// value) and then over the batch. Gradients flow to the projected tokens only; the encoder tokens are targets.
/// </summary>
public static class RepaLoss
{
    /// <summary>Floor of the token norms.</summary>
    public const float Eps = 1e-12f;

    /// <summary>Computes the loss.</summary>
    /// <param name="projected">Projected model tokens [N, T, D] (differentiable).</param>
    /// <param name="target">Encoder tokens [N, T, D] (detached inside).</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, T, D].</exception>
    public static RepaLossValue Compute(Tensor projected, Tensor target)
    {
        if (projected.Rank != 3 || !TensorShape.Equal(projected.Shape, target.Shape))
            throw new ArgumentException($"RepaLoss: projected tokens {TensorShape.Format(projected.Shape)} and encoder tokens {TensorShape.Format(target.Shape)} must have the same shape [N, T, D]");
        var eps = Tensor.Scalar(Eps);
        var tgt = target.Detach();
        var pn = projected / Tensor.Maximum(projected.Square().Sum(2, keepDim: true).Sqrt(), eps); // [N, T, D]
        var tn = tgt / Tensor.Maximum(tgt.Square().Sum(2, keepDim: true).Sqrt(), eps);             // [N, T, D]
        var per = -(pn * tn).Sum(2).Mean(1);                                                       // [N]
        return new RepaLossValue(per.Mean(), per);
    }
}

/// <summary>The value of <see cref="RepaLoss.Compute"/>.</summary>
/// <param name="Loss">Scalar mean over the batch (in [−1, 1]).</param>
/// <param name="PerSample">Per-sample mean over tokens [N].</param>
public sealed record RepaLossValue(Tensor Loss, Tensor PerSample);
