using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>A training loss for a flow model; the training loop only calls <see cref="Loss"/>.</summary>
public interface ITrainingObjective
{
    /// <summary>
    /// Draws times and noise from <paramref name="gen"/>, evaluates the model once and returns the differentiable
    /// scalar loss with diagnostics.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="x1">A data batch [B, …].</param>
    /// <param name="labels">Class labels (length B) or null.</param>
    /// <param name="gen">The random generator (times, noise, …).</param>
    /// <exception cref="ArgumentException">x1 has no batch dimension or the labels do not match the batch.</exception>
    ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen);
}
