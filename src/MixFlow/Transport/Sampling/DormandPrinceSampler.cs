using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Transport;

/// <summary>
/// Adaptive Dormand–Prince 5(4) integration of the probability-flow ODE over the transport's ODE sampling interval:
/// 7 stages with first-same-as-last (6 new evaluations per attempted step after the first), local extrapolation
/// (the 5th-order solution is kept), error norm RMS(err / (atol + rtol·max(|x|, |x_new|))) over all elements, step
/// accepted when it is ≤ 1, new step h·clamp(safety·err^(−1/5), minFactor, maxFactor).
/// </summary>
public sealed class DormandPrinceSampler : ISampler
{
    // Butcher tableau.
    private const double C2 = 1.0 / 5, C3 = 3.0 / 10, C4 = 4.0 / 5, C5 = 8.0 / 9;
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
    // Error weights b − b̂ (b̂ the embedded 4th-order weights).
    private const double E1 = B1 - 5179.0 / 57600, E3 = B3 - 7571.0 / 16695, E4 = B4 - 393.0 / 640,
        E5 = B5 - -92097.0 / 339200, E6 = B6 - 187.0 / 2100, E7 = -1.0 / 40;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    /// <exception cref="ArgumentNullException">transport is null.</exception>
    /// <param name="transport">The transport.</param>
    /// <param name="options">Tolerances and controller settings (default SiT's atol 1e-6, rtol 1e-3).</param>
    /// <param name="interval">Integration interval (default the transport's ODE sampling interval).</param>
    public DormandPrinceSampler(FlowTransport transport, DormandPrinceOptions? options = null, TimeInterval? interval = null)
    {
        Transport = transport ?? throw new ArgumentNullException(nameof(transport), "DormandPrinceSampler: a transport is required");
        Options = options ?? new DormandPrinceOptions();
        Options.Validate();
        Interval = interval ?? transport.OdeSampleInterval;
        if (!(Interval.T0 >= 0 && Interval.T0 < Interval.T1 && Interval.T1 <= 1)) throw new ArgumentOutOfRangeException(nameof(interval), $"DormandPrinceSampler: need 0 ≤ t0 < t1 ≤ 1, got [{Interval.T0}, {Interval.T1}]");
    }

    /// <summary>The transport.</summary>
    public FlowTransport Transport { get; }

    /// <summary>The options.</summary>
    public DormandPrinceOptions Options { get; }

    /// <summary>The integration interval.</summary>
    public TimeInterval Interval { get; }

    /// <summary>Accepted and rejected steps of the last call.</summary>
    public DormandPrinceStats? LastStats { get; private set; }

    /// <summary>x + h·Σ a_i·k_i (or h·Σ a_i·k_i when x is null).</summary>
    private static Tensor Comb(Tensor? x, float h, ReadOnlySpan<double> a, Tensor?[] k)
    {
        Tensor? s = null;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == 0) continue;
            var term = k[i]! * (float)(a[i] * h);
            s = s is null ? term : s + term;
        }
        if (x is null) return s ?? throw new InvalidOperationException("DormandPrinceSampler: empty combination");
        return s is null ? x : x + s;
    }

    private double ErrorNorm(Tensor err, Tensor x, Tensor xn)
    {
        var scale = Tensor.Maximum(x.Abs(), xn.Abs()) * (float)Options.Rtol + (float)Options.Atol;
        return Math.Sqrt((err / scale).Square().Mean().Item());
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The step budget is exhausted or the step size underflows.</exception>
    public SampleResult Sample(IFlowModel model, Tensor x0, int[]? labels = null, Generator? gen = null, bool recordTrajectory = false)
    {
        double t = Interval.T0, tEnd = Interval.T1;
        var loop = new SamplingLoop(x0, labels, recordTrajectory, t, "DormandPrinceSampler.Sample");
        using var noGrad = GradMode.NoGrad();
        Tensor V(Tensor x, double tt) { loop.Nfe++; return Transport.Velocity(model, x, tt, labels); }

        Tensor k1;
        using (var first = new TensorScope()) k1 = V(loop.X, t).Contiguous().MoveToOuterScope();
        double h;
        if (Options.InitialStep is { } h0) h = h0;
        else
        {
            using var scope = new TensorScope();
            var x = loop.X;
            var scale = x.Abs() * (float)Options.Rtol + (float)Options.Atol;
            double d0 = Math.Sqrt((x / scale).Square().Mean().Item()), d1 = Math.Sqrt((k1 / scale).Square().Mean().Item());
            double hh = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
            hh = Math.Min(hh, tEnd - t);
            var f1 = V(x + k1 * (float)hh, t + hh);
            double d2 = Math.Sqrt(((f1 - k1) / scale).Square().Mean().Item()) / hh;
            double hh1 = Math.Max(d1, d2) <= 1e-15 ? Math.Max(1e-6, hh * 1e-3) : Math.Pow(0.01 / Math.Max(d1, d2), 1.0 / 5);
            h = Math.Min(100 * hh, hh1);
        }

        int accepted = 0, rejected = 0, attempts = 0;
        var k = new Tensor?[7];
        while (t < tEnd)
        {
            if (++attempts > Options.MaxSteps)
                throw new InvalidOperationException($"DormandPrinceSampler: MaxSteps ({Options.MaxSteps}) attempted steps reached at t = {t} (atol {Options.Atol}, rtol {Options.Rtol}); raise MaxSteps or loosen the tolerances");
            bool last = t + h >= tEnd || tEnd - (t + h) < 1e-12;
            if (last) h = tEnd - t;
            if (h < 1e-12 * Math.Max(1, Math.Abs(t)))
                throw new InvalidOperationException($"DormandPrinceSampler: step size underflow ({h}) at t = {t}");
            float hf = (float)h;
            var scope = new TensorScope();
            bool accept;
            try
            {
                var x = loop.X;
                k[0] = k1;
                k[1] = V(Comb(x, hf, [A21], k), t + C2 * h);
                k[2] = V(Comb(x, hf, [A31, A32], k), t + C3 * h);
                k[3] = V(Comb(x, hf, [A41, A42, A43], k), t + C4 * h);
                k[4] = V(Comb(x, hf, [A51, A52, A53, A54], k), t + C5 * h);
                k[5] = V(Comb(x, hf, [A61, A62, A63, A64, A65], k), t + h);
                var xn = Comb(x, hf, [B1, 0, B3, B4, B5, B6], k);
                double tn = last ? tEnd : t + h;
                k[6] = V(xn, tn);
                var err = Comb(null, hf, [E1, 0, E3, E4, E5, E6, E7], k);
                double en = ErrorNorm(err, x, xn);
                if (double.IsNaN(en)) throw new InvalidOperationException($"DormandPrinceSampler: non-finite error estimate at t = {t} (h = {h}); the velocity field is not finite there");
                accept = en <= 1;
                double factor = en == 0 ? Options.MaxFactor : Math.Clamp(Options.Safety * Math.Pow(en, -0.2), Options.MinFactor, Options.MaxFactor);
                if (!accept) factor = Math.Min(factor, 1);
                if (accept)
                {
                    var newK1 = k[6]!.Contiguous().MoveToOuterScope();
                    loop.Advance(xn, tn);
                    k1.Dispose();
                    k1 = newK1;
                    t = tn;
                    accepted++;
                }
                else rejected++;
                h *= factor;
            }
            finally { scope.Dispose(); Array.Clear(k); }
        }
        k1.Dispose();
        LastStats = new DormandPrinceStats(accepted, rejected);
        return loop.Result();
    }
}

/// <summary>Step statistics of one <see cref="DormandPrinceSampler"/> call.</summary>
/// <param name="Accepted">Accepted steps.</param>
/// <param name="Rejected">Rejected steps.</param>
public sealed record DormandPrinceStats(int Accepted, int Rejected);
