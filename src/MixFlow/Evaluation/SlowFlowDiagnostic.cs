using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>
/// The Slow-Flow diagnostic (docs/slowflow.md): run an ODE sampler from known noise x0, keep every state x̂_t of the
/// trajectory, take the final state as x̂1, and estimate per sample and state the time m_t that the state "looks
/// like" on the path between x0 and x̂1 — with the least-squares and the x0-share estimators
/// (<see cref="SlowFlowEstimators"/>). A sampler without exposure bias gives m_t ≈ t; a slowed one m_t &lt; t.
/// </summary>
public sealed class SlowFlowDiagnostic
{
    /// <summary>Creates the diagnostic with the built-in fixed-step ODE sampler (<see cref="SlowFlowOptions.Method"/>, Steps, Shift).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public SlowFlowDiagnostic(FlowTransport transport, SlowFlowOptions? options = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "SlowFlowDiagnostic: a transport is required");
        Options = options ?? new SlowFlowOptions();
        Options.Validate();
        Sampler = new FixedStepOdeSampler(transport, new OdeSamplerOptions(Options.Method, Options.Steps, Options.Shift));
    }

    /// <summary>Creates the diagnostic around any sampler that can record trajectories (Method/Steps/Shift are then ignored).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public SlowFlowDiagnostic(FlowTransport transport, ISampler sampler, SlowFlowOptions? options = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "SlowFlowDiagnostic: a transport is required");
        Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler), "SlowFlowDiagnostic: a sampler is required");
        Options = options ?? new SlowFlowOptions();
        Options.Validate();
    }

    /// <summary>The transport (its path defines α_s, σ_s of the estimators).</summary>
    public FlowTransport Transport { get; }

    /// <summary>The sampler.</summary>
    public ISampler Sampler { get; }

    /// <summary>The options.</summary>
    public SlowFlowOptions Options { get; }

    /// <summary>
    /// Runs the diagnostic on <see cref="SlowFlowOptions.Samples"/> trajectories from noise of shape
    /// [Samples, ...<paramref name="sampleShape"/>] drawn from <c>new Generator(Seed)</c>.
    /// </summary>
    /// <param name="model">The flow model.</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [1, 28, 28] or [2].</param>
    /// <param name="label">Checkpoint label for the results.</param>
    /// <exception cref="ArgumentException">Empty or non-positive sample shape.</exception>
    public SlowFlowReport Run(IFlowModel model, int[] sampleShape, string label)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d < 1)) throw new ArgumentException($"SlowFlowDiagnostic.Run: sample shape [{string.Join(", ", sampleShape)}] must have positive dimensions");
        var labels = model.NumClasses > 0
            ? Evaluator.MakeLabels(Options.Labels == SampleLabelMode.None ? SampleLabelMode.Balanced : Options.Labels, Options.Samples, model.NumClasses, Options.Seed)
            : null;
        var shape = new int[sampleShape.Length + 1];
        shape[0] = Options.Samples;
        sampleShape.CopyTo(shape, 1);
        using var scope = new TensorScope();
        var x0 = Tensor.RandN(new Generator(Options.Seed), shape);
        return Run(model, x0, labels, label);
    }

    /// <summary>Runs the diagnostic from given noise x0 [B, …] (in batches of <see cref="SlowFlowOptions.BatchSize"/>).</summary>
    /// <param name="model">The flow model.</param>
    /// <param name="x0">Initial noise (not modified).</param>
    /// <param name="labels">Labels (length B) or null.</param>
    /// <param name="label">Checkpoint label for the results.</param>
    /// <exception cref="ArgumentException">x0 has no batch dimension, labels do not match, or the sampler recorded no trajectory.</exception>
    public SlowFlowReport Run(IFlowModel model, Tensor x0, int[]? labels, string label)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(label);
        if (x0.Rank < 1 || x0.Size(0) == 0) throw new ArgumentException($"SlowFlowDiagnostic.Run: noise must be [B, …] with B > 0, got {TensorShape.Format(x0.Shape)}");
        int b = x0.Size(0);
        if (labels is not null && labels.Length != b) throw new ArgumentException($"SlowFlowDiagnostic.Run: {labels.Length} labels for {b} samples");
        double[]? t = null;
        double[][]? ls = null, ns = null;
        var gen = new Generator(Options.Seed ^ 0xC0FFEEUL);
        for (int s = 0; s < b; s += Options.BatchSize)
        {
            int e = Math.Min(b, s + Options.BatchSize);
            using var scope = new TensorScope();
            var xb = x0.Slice(0, s, e).Contiguous();
            var res = Sampler.Sample(model, xb, labels?[s..e], gen, recordTrajectory: true);
            if (res.Trajectory is null || res.Trajectory.Count < 2)
                throw new ArgumentException("SlowFlowDiagnostic.Run: the sampler returned no trajectory (it must honour recordTrajectory)");
            var part = EstimateTimes(Transport.Path, res.Trajectory, xb, res.X);
            foreach (var p in res.Trajectory) if (!ReferenceEquals(p.X, xb) && !ReferenceEquals(p.X, res.X)) p.X.Dispose();
            if (t is null)
            {
                t = part.T;
                ls = new double[t.Length][]; ns = new double[t.Length][];
                for (int i = 0; i < t.Length; i++) { ls[i] = new double[b]; ns[i] = new double[b]; }
            }
            else if (part.T.Length != t.Length) throw new ArgumentException($"SlowFlowDiagnostic.Run: the sampler's trajectories have different lengths ({t.Length} and {part.T.Length})");
            for (int i = 0; i < t.Length; i++)
            {
                part.LeastSquares[i].CopyTo(ls![i], s);
                part.NoiseShare[i].CopyTo(ns![i], s);
            }
        }
        return new SlowFlowReport(Summarize(label, SlowFlowEstimator.LeastSquares, t!, ls!), Summarize(label, SlowFlowEstimator.NoiseShare, t!, ns!));
    }

    /// <summary>Both estimates for every state of a recorded trajectory and every sample of its batch.</summary>
    /// <param name="path">The interpolation path.</param>
    /// <param name="trajectory">States (t, x̂_t) [B, …] from start to end.</param>
    /// <param name="x0">The initial noise [B, …].</param>
    /// <param name="x1">The final samples x̂1 [B, …] (normally the trajectory's last state).</param>
    /// <exception cref="ArgumentException">Shapes differ or the trajectory is empty.</exception>
    public static SlowFlowSampleTimes EstimateTimes(IInterpolationPath path, IReadOnlyList<TrajectoryPoint> trajectory, Tensor x0, Tensor x1)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(x1);
        if (trajectory.Count == 0) throw new ArgumentException("SlowFlowDiagnostic.EstimateTimes: empty trajectory");
        if (!TensorShape.Equal(x0.Shape, x1.Shape) || x0.Rank < 1)
            throw new ArgumentException($"SlowFlowDiagnostic.EstimateTimes: x0 {TensorShape.Format(x0.Shape)} and x1 {TensorShape.Format(x1.Shape)} must have the same shape [B, …]");
        int b = x0.Size(0), d = x0.Numel / Math.Max(1, b);
        var a0 = x0.Contiguous().ToArray();
        var a1 = x1.Contiguous().ToArray();
        var t = new double[trajectory.Count];
        var ls = new double[trajectory.Count][];
        var ns = new double[trajectory.Count][];
        for (int i = 0; i < trajectory.Count; i++)
        {
            var p = trajectory[i];
            if (!TensorShape.Equal(p.X.Shape, x0.Shape))
                throw new ArgumentException($"SlowFlowDiagnostic.EstimateTimes: state {i} has shape {TensorShape.Format(p.X.Shape)}, expected {TensorShape.Format(x0.Shape)}");
            t[i] = p.T;
            var at = p.X.Contiguous().ToArray();
            var l = ls[i] = new double[b];
            var n = ns[i] = new double[b];
            EvalParallel.For(b, 8, (s, len) =>
            {
                for (int j = s; j < s + len; j++)
                {
                    var ip = TrajectoryInnerProducts.Of(at.AsSpan(j * d, d), a1.AsSpan(j * d, d), a0.AsSpan(j * d, d));
                    l[j] = SlowFlowEstimators.LeastSquares(path, ip);
                    n[j] = SlowFlowEstimators.NoiseShare(path, ip);
                }
            });
        }
        return new SlowFlowSampleTimes(t, ls, ns);
    }

    /// <summary>Median and 10 %/90 % quantiles (linear interpolation between order statistics; NaN estimates skipped) per state.</summary>
    /// <param name="label">Checkpoint label.</param>
    /// <param name="estimator">The estimator the values come from.</param>
    /// <param name="t">Times of the states.</param>
    /// <param name="m">Estimates [states][samples].</param>
    /// <exception cref="ArgumentException">t and m have different lengths.</exception>
    public static SlowFlowResult Summarize(string label, SlowFlowEstimator estimator, double[] t, double[][] m)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(m);
        if (t.Length != m.Length) throw new ArgumentException($"SlowFlowDiagnostic.Summarize: {t.Length} times but {m.Length} rows of estimates");
        var med = new double[t.Length]; var p10 = new double[t.Length]; var p90 = new double[t.Length];
        int samples = m.Length > 0 ? m[0].Length : 0;
        for (int i = 0; i < t.Length; i++)
        {
            var v = m[i].Where(double.IsFinite).ToArray();
            Array.Sort(v);
            med[i] = Quantile(v, 0.5); p10[i] = Quantile(v, 0.1); p90[i] = Quantile(v, 0.9);
        }
        return new SlowFlowResult(label, estimator, samples, (double[])t.Clone(), med, p10, p90);
    }

    /// <summary>The q-quantile of sorted values with linear interpolation (NumPy's default); NaN when empty.</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double h = (sorted.Length - 1) * Math.Clamp(q, 0, 1);
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
