using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Input perturbation (Ning et al., 2023), a training-time rival of MixFlow: the network input is built from a
/// perturbed noise x0' = x0 + λ·ξ (ξ ~ N(0, I)), x_t = α_t·x1 + σ_t·x0', while the target u_t = α'_t·x1 + σ'_t·x0
/// (or x0 for noise/score prediction) uses the unperturbed x0. Random draws, in order: B times, x0, ξ.
/// </summary>
public sealed class InputPerturbationObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="transport">Path, prediction type, weighting, epsilons.</param>
    /// <param name="lambda">Perturbation scale λ ≥ 0 (default 0.1).</param>
    /// <param name="timeSampler">Time distribution (default <see cref="UniformTimeSampler"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ negative or not finite.</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public InputPerturbationObjective(FlowTransport transport, double lambda = 0.1, ITimeSampler? timeSampler = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "InputPerturbationObjective: a transport is required");
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), $"InputPerturbationObjective: lambda must be a finite value ≥ 0, got {lambda}");
        Lambda = lambda;
        TimeSampler = timeSampler ?? new UniformTimeSampler();
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <summary>The time distribution.</summary>
    public ITimeSampler TimeSampler { get; }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
    {
        ObjectiveMath.CheckBatch(x1, labels, "InputPerturbationObjective.Loss");
        int b = x1.Size(0);
        var tv = ObjectiveMath.DrawTimes(TimeSampler, Transport, gen, b);
        var x0 = Tensor.RandN(gen, x1.Shape);
        var xi = Tensor.RandN(gen, x1.Shape);
        var t = Tensor.FromArray(tv, b);
        var clean = Transport.Path.Sample(x0, x1, t);
        var perturbed = Transport.Path.Sample(x0 + xi * (float)Lambda, x1, t);
        var f = model.Forward(perturbed.Xt, t, labels);
        var (loss, per) = ObjectiveMath.PredictionLoss(Transport, f, clean.Ut, x0, tv);
        double mt = ObjectiveMath.Mean(tv);
        return new ObjectiveLoss(loss, per, mt, mt);
    }
}
