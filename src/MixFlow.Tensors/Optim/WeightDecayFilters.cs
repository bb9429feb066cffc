using MixFlow.Tensors.Nn;

namespace MixFlow.Tensors.Optim;

/// <summary>Common predicates choosing which parameters receive weight decay.</summary>
public static class WeightDecayFilters
{
    /// <summary>Matrices and larger (rank ≥ 2): decays weights but not biases, norm gains or other vectors and scalars. AdamW's default.</summary>
    public static readonly Func<NamedTensor, bool> RankAtLeast2 = p => p.Tensor.Rank >= 2;

    /// <summary>Every parameter (PyTorch's behaviour when one parameter group holds all parameters).</summary>
    public static readonly Func<NamedTensor, bool> All = _ => true;
}
