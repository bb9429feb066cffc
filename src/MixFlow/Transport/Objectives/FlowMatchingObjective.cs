using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Conditional flow matching: t ~ sampler (mapped into the transport's training interval), x0 ~ N(0, I),
/// x_t = α_t·x1 + σ_t·x0 and loss mean‖f(x_t, t) − u_t‖² with u_t = α'_t·x1 + σ'_t·x0 (or the noise/score form
/// of the transport's prediction type and weighting). Random draws, in order: B times, then x0.
/// </summary>
public sealed class FlowMatchingObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="transport">Path, prediction type, weighting, epsilons.</param>
    /// <param name="timeSampler">Time distribution (default <see cref="UniformTimeSampler"/>).</param>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public FlowMatchingObjective(FlowTransport transport, ITimeSampler? timeSampler = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "FlowMatchingObjective: a transport is required");
        TimeSampler = timeSampler ?? new UniformTimeSampler();
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>The time distribution.</summary>
    public ITimeSampler TimeSampler { get; }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
    {
        ObjectiveMath.CheckBatch(x1, labels, "FlowMatchingObjective.Loss");
        int b = x1.Size(0);
        var tv = ObjectiveMath.DrawTimes(TimeSampler, Transport, gen, b);
        var x0 = Tensor.RandN(gen, x1.Shape);
        var t = Tensor.FromArray(tv, b);
        var ps = Transport.Path.Sample(x0, x1, t);
        var f = model.Forward(ps.Xt, t, labels);
        var (loss, per) = ObjectiveMath.PredictionLoss(Transport, f, ps.Ut, x0, tv);
        double mt = ObjectiveMath.Mean(tv);
        return new ObjectiveLoss(loss, per, mt, mt);
    }
}
