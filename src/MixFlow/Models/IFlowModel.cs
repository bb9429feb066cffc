using MixFlow.Tensors;

namespace MixFlow.Models;

/// <summary>
/// A network that maps a state x and a time t (t = 0 noise, t = 1 data) — and optionally class labels — to a
/// prediction of the same shape as x (a velocity by default; see the transport's prediction type).
/// </summary>
public interface IFlowModel
{
    /// <summary>Number of classes for conditional models (labels in [0, NumClasses), and NumClasses itself as the null
    /// label of classifier-free guidance); 0 for unconditional models.</summary>
    int NumClasses { get; }

    /// <summary>Evaluates the network.</summary>
    /// <param name="x">States, [B, ...].</param>
    /// <param name="t">Times, [B], in [0, 1] with t = 1 data.</param>
    /// <param name="labels">Class labels (length B) or null for unconditional models.</param>
    Tensor Forward(Tensor x, Tensor t, int[]? labels);
}
