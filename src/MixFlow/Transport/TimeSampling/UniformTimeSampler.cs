using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>t ~ U[0, 1).</summary>
public sealed class UniformTimeSampler : ITimeSampler
{
    /// <inheritdoc/>
    public double Next(Generator gen) => gen.NextDouble();
}
