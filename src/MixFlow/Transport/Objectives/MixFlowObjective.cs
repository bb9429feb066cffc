using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// MixFlow post-training (arXiv 2512.19311): the network is shown a state that is noisier than its time input says,
/// and learns to move it along the path — which makes it robust to the exposure bias of its own samples.
/// </summary>
/// <remarks>
/// Per sample: t ~ sampler (default Beta(2, 1), mapped into the training interval); u ~ U[0, 1);
/// m = t·(1 − γ·u) ∈ [(1 − γ)·t, t] (clamped to the training interval); x_m = α_m·x1 + σ_m·x0 with the same x0, x1;
/// the network gets (x_m, t) — time input t, not m — and regresses u*(x_m, m) = α'_m·x1 + σ'_m·x0
/// (<see cref="MixFlowTarget.SlowedVelocity"/>) or u_t (<see cref="MixFlowTarget.OriginalVelocity"/>).
/// Convention: the official code uses τ = 1 − t (τ = 0 data) and draws m_τ = τ + r·γ·(1 − τ); with τ = 1 − t this is
/// 1 − m = 1 − t + r·γ·t, i.e. m = t·(1 − γ·r), the same interval [(1 − γ)·t, t].
/// Random draws, in order: B times, x0, then B uniforms for m (drawn even when γ = 0, so that γ = 0 reproduces
/// <see cref="FlowMatchingObjective"/> bit for bit on the same generator and time sampler).
/// For noise/score prediction the target is the noise x0 (both targets coincide) with σ and weights at m.
/// </remarks>
public sealed class MixFlowObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="transport">Path, prediction type, weighting, epsilons.</param>
    /// <param name="options">γ and target (default γ = 0.8, slowed velocity).</param>
    /// <param name="timeSampler">Distribution of t (default <see cref="BetaTimeSampler"/> Beta(2, 1)).</param>
    /// <exception cref="ArgumentOutOfRangeException">γ outside [0, 1].</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public MixFlowObjective(FlowTransport transport, MixFlowOptions? options = null, ITimeSampler? timeSampler = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "MixFlowObjective: a transport is required");
        Options = options ?? new MixFlowOptions();
        Options.Validate();
        TimeSampler = timeSampler ?? new BetaTimeSampler(2, 1);
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>γ and the target.</summary>
    public MixFlowOptions Options { get; }

    /// <summary>The distribution of t.</summary>
    public ITimeSampler TimeSampler { get; }

    /// <summary>The times (t, m) of the last call, for diagnostics and tests (not synchronised: one objective per training thread).</summary>
    public MixFlowTimes? LastTimes { get; private set; }

    /// <inheritdoc/>
    public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
    {
        ObjectiveMath.CheckBatch(x1, labels, "MixFlowObjective.Loss");
        int b = x1.Size(0);
        var tv = ObjectiveMath.DrawTimes(TimeSampler, Transport, gen, b);
        var x0 = Tensor.RandN(gen, x1.Shape);
        var iv = Transport.TrainInterval;
        double gamma = Options.Gamma;
        var mv = new float[b];
        for (int i = 0; i < b; i++)
        {
            double u = gen.NextDouble();
            double m = tv[i] * (1 - gamma * u);
            mv[i] = (float)iv.Clamp(m);
            if (mv[i] > tv[i]) mv[i] = tv[i]; // float rounding must not move m past t
        }
        var t = Tensor.FromArray(tv, b);
        var mt = Tensor.FromArray(mv, b);
        var ps = Transport.Path.Sample(x0, x1, mt);
        var f = model.Forward(ps.Xt, t, labels);
        var target = Options.Target == MixFlowTarget.SlowedVelocity ? ps.Ut : Transport.Path.Sample(x0, x1, t).Ut;
        var (loss, per) = ObjectiveMath.PredictionLoss(Transport, f, target, x0, mv);
        LastTimes = new MixFlowTimes(tv, mv);
        return new ObjectiveLoss(loss, per, ObjectiveMath.Mean(tv), ObjectiveMath.Mean(mv));
    }
}

/// <summary>The per-sample times of one <see cref="MixFlowObjective"/> batch.</summary>
/// <param name="T">The network's time input t.</param>
/// <param name="M">The time m of the state x_m.</param>
public sealed record MixFlowTimes(float[] T, float[] M);
