using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Epsilon scaling (Ning et al., 2024), a sampling-time rival of MixFlow against exposure bias, as a model wrapper:
/// the wrapped output is split into the implied data and noise predictions (x̂1, ε̂) at (x, t), the noise is divided
/// by λ ≥ 1 and the velocity is rebuilt as v' = α'·x̂1 + σ'·ε̂/λ. The wrapper returns v' expressed in the transport's
/// prediction type (converted back at the same x, t), so every sampler uses it unchanged. λ = 1 is the identity.
/// </summary>
public sealed class EpsilonScaling : IFlowModel
{
    /// <summary>Wraps a model.</summary>
    /// <param name="model">The network.</param>
    /// <param name="transport">The transport the network was trained with.</param>
    /// <param name="lambda">λ ≥ 1 (typical 1.001–1.01).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ &lt; 1 or not finite.</exception>
    /// <exception cref="ArgumentNullException">model or transport is null.</exception>
    public EpsilonScaling(IFlowModel model, FlowTransport transport, double lambda)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model), "EpsilonScaling: a model is required");
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "EpsilonScaling: a transport is required");
        if (!(lambda >= 1) || double.IsInfinity(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), $"EpsilonScaling: lambda must be a finite value ≥ 1, got {lambda}");
        Lambda = lambda;
    }

    /// <summary>The wrapped network.</summary>
    public IFlowModel Model { get; }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <inheritdoc/>
    public int NumClasses => Model.NumClasses;

    /// <inheritdoc/>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        var output = Model.Forward(x, t, labels);
        var x1 = Transport.Convert(x, t, output, FlowQuantity.Data);
        var eps = Transport.Convert(x, t, output, FlowQuantity.Noise);
        var path = Transport.Path;
        var v = path.DAlpha(t, x.Rank) * x1 + path.DSigma(t, x.Rank) * eps * (float)(1 / Lambda);
        return PredictionConversions.Convert(path, x, t, v, FlowQuantity.Velocity, Transport.Prediction.ToQuantity());
    }
}
