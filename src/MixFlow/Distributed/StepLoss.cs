using MixFlow.Tensors;

namespace MixFlow.Distributed;

/// <summary>The loss of one training step.</summary>
/// <param name="Loss">The differentiable scalar to back-propagate on this rank.</param>
/// <param name="Value">The loss of the whole global batch (the same on every rank; NaN/∞ on every rank if any rank's part is not finite).</param>
public sealed record StepLoss(Tensor Loss, double Value);
