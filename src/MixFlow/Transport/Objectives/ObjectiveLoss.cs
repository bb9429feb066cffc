using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>The result of <see cref="ITrainingObjective.Loss"/>.</summary>
/// <param name="Loss">The scalar (rank-0) loss, differentiable with respect to the model parameters.</param>
/// <param name="PerSample">The per-sample (weighted) losses [B] (part of the same graph).</param>
/// <param name="MeanT">Mean of the time t given to the network.</param>
/// <param name="MeanStateTime">Mean of the time of the state the network saw (m for MixFlow; equals <paramref name="MeanT"/> otherwise).</param>
public sealed record ObjectiveLoss(Tensor Loss, Tensor PerSample, double MeanT, double MeanStateTime);
