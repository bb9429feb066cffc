using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>The output of <see cref="OdeLikelihood.Evaluate"/>.</summary>
/// <param name="LogLikelihood">log p(x1) in nats, per sample.</param>
/// <param name="BitsPerDim">−log p(x1) / (D·ln 2), per sample (D = elements per sample).</param>
/// <param name="PriorLogLikelihood">log N(x0; 0, I) of the noise the data maps to, per sample.</param>
/// <param name="Noise">The noise x0 the data is carried to [B, …].</param>
/// <param name="Nfe">Network evaluations (forward passes; each divergence backward pass reuses one).</param>
/// <param name="ExactDivergence">Whether the divergence was exact (else Hutchinson).</param>
public sealed record LikelihoodResult(double[] LogLikelihood, double[] BitsPerDim, double[] PriorLogLikelihood, Tensor Noise, int Nfe, bool ExactDivergence)
{
    /// <summary>Mean log-likelihood over the batch, nats.</summary>
    public double MeanNats => LogLikelihood.Average();

    /// <summary>Mean bits per dimension over the batch.</summary>
    public double MeanBitsPerDim => BitsPerDim.Average();
}
