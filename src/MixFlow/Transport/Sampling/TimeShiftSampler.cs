using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Transport;

/// <summary>
/// Time-shift sampling (Li et al., 2024, "Alleviating exposure bias in diffusion models through sampling with shifted
/// time steps"), adapted to flows: a sampling-time rival of MixFlow. Euler steps on the grid t_0 &lt; … &lt; t_N, but
/// at each step after the first the network's time input is re-estimated from the state.
/// </summary>
/// <remarks>
/// Estimator: the noise level of the batch is measured as v̂ = mean over element positions of the variance across
/// the batch (needs B ≥ 2). For data of per-element variance D (<see cref="TimeShiftOptions.DataVariance"/>) and
/// independent unit noise, a state at time t has Var[x_t] = α_t²·D + σ_t². The signal part is taken as right, and the
/// excess is attributed to the noise: σ̂ = sqrt(max(v̂ − α_t²·D, 0)). Among <see cref="TimeShiftOptions.WindowPoints"/>
/// evenly spaced candidates τ ∈ [max(t_0, t − w), t] the one whose σ_τ is closest to σ̂ is used (σ is monotone on every
/// path, so this is σ⁻¹(σ̂) clamped to the window; ties go to the larger τ); the step is x ← x + (t_{i+1} − t_i)·v(x, τ).
/// A state noisier than t says is thus treated as the earlier τ; a state that is less noisy keeps t (τ ≤ t).
/// The nominal t is also kept whenever |α_t²·D + σ_t² − v̂| is within <see cref="TimeShiftOptions.Significance"/>
/// standard errors of v̂ (SE ≈ v̂·sqrt(2 / ((B − 1)·n)), n the elements per sample, treating elements as independent),
/// so that sampling noise of the estimate does not move the time. The first step uses t_0 (pure noise by construction).
/// </remarks>
public sealed class TimeShiftSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    public TimeShiftSampler(FlowTransport transport, TimeShiftOptions? options = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "TimeShiftSampler: a transport is required");
        Options = options ?? new TimeShiftOptions();
        Options.Validate();
        var iv = transport.OdeSampleInterval;
        Grid = TimeGrid.Shifted(Options.Steps, Options.Shift, iv.T0, iv.T1);
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>The options.</summary>
    public TimeShiftOptions Options { get; }

    /// <summary>The nominal time grid.</summary>
    public TimeGrid Grid { get; }

    /// <summary>The expected per-element variance α_τ²·D + σ_τ² of a state at time τ.</summary>
    public double ExpectedVariance(double tau)
    {
        double a = Transport.Path.Alpha(tau), s = Transport.Path.Sigma(tau);
        return a * a * Options.DataVariance + s * s;
    }

    /// <summary>The batch noise-level estimate v̂: mean over element positions of the variance across the batch (divisor B − 1).</summary>
    /// <exception cref="ArgumentException">The batch has fewer than 2 samples.</exception>
    public static double EstimateVariance(Tensor x)
    {
        if (x.Rank < 1 || x.Size(0) < 2) throw new ArgumentException($"TimeShiftSampler: the noise-level estimate needs a batch of at least 2 samples, got {TensorShape.Format(x.Shape)}");
        int b = x.Size(0);
        var mean = x.Mean(0, keepDim: true);
        return (x - mean).Square().Sum(0).Mean().Item() / (b - 1);
    }

    /// <summary>The network time chosen for a state of measured variance <paramref name="variance"/> at nominal time t.</summary>
    /// <param name="t">The nominal time.</param>
    /// <param name="variance">The measured v̂.</param>
    /// <param name="tolerance">Mismatch |α_t²D + σ_t² − v̂| up to which t is kept (default 0).</param>
    public double SelectTime(double t, double variance, double tolerance = 0)
    {
        if (Math.Abs(ExpectedVariance(t) - variance) <= tolerance) return t;
        double a = Transport.Path.Alpha(t);
        double sigmaHat = Math.Sqrt(Math.Max(variance - a * a * Options.DataVariance, 0));
        double lo = Math.Max(Grid[0], t - Options.Window);
        double best = t, bestGap = Math.Abs(Transport.Path.Sigma(t) - sigmaHat);
        int k = Options.WindowPoints;
        for (int j = k - 2; j >= 0; j--)
        {
            double tau = lo + (t - lo) * j / (k - 1);
            double gap = Math.Abs(Transport.Path.Sigma(tau) - sigmaHat);
            if (gap < bestGap) { best = tau; bestGap = gap; }
        }
        return best;
    }

    /// <inheritdoc/>
    public SampleResult Sample(IFlowModel model, Tensor x0, int[]? labels = null, Generator? gen = null, bool recordTrajectory = false)
    {
        var loop = new SamplingLoop(x0, labels, recordTrajectory, Grid[0], "TimeShiftSampler.Sample");
        if (x0.Size(0) < 2) throw new ArgumentException($"TimeShiftSampler.Sample: the noise-level estimate needs a batch of at least 2 samples, got {TensorShape.Format(x0.Shape)}");
        using var noGrad = GradMode.NoGrad();
        var used = new List<double>(Grid.Steps);
        for (int i = 0; i < Grid.Steps; i++)
        {
            double t = Grid[i];
            using var scope = new TensorScope();
            var x = loop.X;
            double tau = t;
            if (i > 0)
            {
                double vhat = EstimateVariance(x);
                double se = vhat * Math.Sqrt(2.0 / ((x.Size(0) - 1.0) * (x.Numel / x.Size(0))));
                tau = SelectTime(t, vhat, Options.Significance * se);
            }
            used.Add(tau);
            loop.Nfe++;
            var v = Transport.Velocity(model, x, tau, labels);
            loop.Advance(x + v * (float)(Grid[i + 1] - t), Grid[i + 1]);
        }
        return loop.Result(used);
    }
}
