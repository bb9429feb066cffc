using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>
/// The two per-sample estimators of the Slow-Flow diagnostic, on the inner products of (x̂_t, x̂1, x0).
/// Both return a time in [0, 1], or NaN when the sample is degenerate (x̂1 = x0).
/// </summary>
public static class SlowFlowEstimators
{
    /// <summary>Grid points of the 1-D search of <see cref="LeastSquaresSearch"/> (before golden-section refinement).</summary>
    public const int SearchGrid = 256;

    /// <summary>The estimate of <paramref name="estimator"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown estimator.</exception>
    public static double Estimate(SlowFlowEstimator estimator, IInterpolationPath path, in TrajectoryInnerProducts ip) => estimator switch
    {
        SlowFlowEstimator.LeastSquares => LeastSquares(path, ip),
        SlowFlowEstimator.NoiseShare => NoiseShare(path, ip),
        _ => throw new ArgumentOutOfRangeException(nameof(estimator), $"SlowFlowEstimators: unknown estimator {estimator}"),
    };

    /// <summary>
    /// m = argmin_{s∈[0,1]} ‖x̂_t − (α_s·x̂1 + σ_s·x0)‖². On the linear path (α = s, σ = 1 − s) the objective is
    /// ‖(x̂_t − x0) − s·(x̂1 − x0)‖², minimised by the projection s* = ⟨x̂_t − x0, x̂1 − x0⟩ / ‖x̂1 − x0‖² clamped to
    /// [0, 1]; other paths use <see cref="LeastSquaresSearch"/>.
    /// </summary>
    public static double LeastSquares(IInterpolationPath path, in TrajectoryInnerProducts ip)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Kind != PathKind.Linear) return LeastSquaresSearch(path, ip);
        double num = ip.XtX1 - ip.XtX0 - ip.X1X0 + ip.X0X0;    // ⟨x̂_t − x0, x̂1 − x0⟩
        double den = ip.X1X1 - 2 * ip.X1X0 + ip.X0X0;           // ‖x̂1 − x0‖²
        if (!(den > 1e-30 * Math.Max(ip.X1X1 + ip.X0X0, 1e-300))) return double.NaN;
        return Math.Clamp(num / den, 0, 1);
    }

    /// <summary>
    /// The least-squares time by search, for any path: the objective f(s) = ‖x̂_t − α_s·x̂1 − σ_s·x0‖² (expanded in
    /// the inner products) is evaluated on s = i/<see cref="SearchGrid"/>, and the best grid point's neighbourhood
    /// [s_{i−1}, s_{i+1}] is refined by golden-section search (the result is accurate to about 1e-7: near the minimum the
    /// float64 objective is flat to rounding).
    /// </summary>
    public static double LeastSquaresSearch(IInterpolationPath path, in TrajectoryInnerProducts ip)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = ip;
        double F(double s) => p.Residual(path.Alpha(s), path.Sigma(s));
        if (!(ip.X1X1 - 2 * ip.X1X0 + ip.X0X0 > 1e-30 * Math.Max(ip.X1X1 + ip.X0X0, 1e-300))) return double.NaN;
        int best = 0;
        double bestF = double.PositiveInfinity;
        for (int i = 0; i <= SearchGrid; i++)
        {
            double f = F((double)i / SearchGrid);
            if (f < bestF) { bestF = f; best = i; }
        }
        double lo = Math.Max(0, (best - 1.0) / SearchGrid), hi = Math.Min(1, (best + 1.0) / SearchGrid);
        const double invPhi = 0.6180339887498949;
        double a = lo, b = hi;
        double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
        double fc = F(c), fd = F(d);
        while (b - a > 1e-12)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - invPhi * (b - a); fc = F(c); }
            else { a = c; c = d; fc = fd; d = a + invPhi * (b - a); fd = F(d); }
        }
        double s = 0.5 * (a + b);
        double fs = F(s);
        if (F(lo) < fs) { s = lo; fs = F(lo); }
        if (F(hi) < fs) s = hi;
        return s;
    }

    /// <summary>
    /// The x0-share time: the least-squares coefficients of x̂_t ≈ a·x̂1 + c·x0 (2×2 normal equations; when x̂1 and x0
    /// are collinear, the one-coefficient share c = ⟨x̂_t, x0⟩/⟨x0, x0⟩), mapped to a time by solving σ_s = c
    /// (<see cref="InvertSigma"/>).
    /// </summary>
    public static double NoiseShare(IInterpolationPath path, in TrajectoryInnerProducts ip)
    {
        ArgumentNullException.ThrowIfNull(path);
        return InvertSigma(path, NoiseCoefficient(ip));
    }

    /// <summary>The coefficient c of x0 in the least-squares fit x̂_t ≈ a·x̂1 + c·x0 (see <see cref="NoiseShare"/>); NaN when x0 = 0.</summary>
    public static double NoiseCoefficient(in TrajectoryInnerProducts ip)
    {
        double det = ip.X1X1 * ip.X0X0 - ip.X1X0 * ip.X1X0;
        if (det > 1e-10 * ip.X1X1 * ip.X0X0)
            return (ip.X1X1 * ip.XtX0 - ip.X1X0 * ip.XtX1) / det;
        return ip.X0X0 > 0 ? ip.XtX0 / ip.X0X0 : double.NaN;
    }

    /// <summary>
    /// The time s ∈ [0, 1] with σ_s = c, for a path whose σ decreases: 0 when c ≥ σ_0, 1 when c ≤ σ_1, else found by
    /// bisection to 1e-13 (closed form 1 − c on the linear path). NaN stays NaN.
    /// </summary>
    public static double InvertSigma(IInterpolationPath path, double c)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (double.IsNaN(c)) return double.NaN;
        if (path.Kind == PathKind.Linear) return Math.Clamp(1 - c, 0, 1);
        if (c >= path.Sigma(0)) return 0;
        if (c <= path.Sigma(1)) return 1;
        double lo = 0, hi = 1;
        while (hi - lo > 1e-13)
        {
            double mid = 0.5 * (lo + hi);
            if (path.Sigma(mid) > c) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
