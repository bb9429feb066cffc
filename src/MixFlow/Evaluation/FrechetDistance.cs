namespace MixFlow.Evaluation;

/// <summary>
/// The Fréchet (2-Wasserstein) distance between the Gaussians N(μ1, Σ1) and N(μ2, Σ2) fitted to two feature sets:
/// FD = ‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2·(Σ1^{1/2}·Σ2·Σ1^{1/2})^{1/2}), all in float64. The inner square roots come from
/// <see cref="SymmetricEigen"/>: tr((Σ1^{1/2}Σ2Σ1^{1/2})^{1/2}) = Σ_j √max(λ_j, 0) over the eigenvalues of the
/// symmetric PSD matrix Σ1^{1/2}Σ2Σ1^{1/2} (which has the same trace-root as the non-symmetric Σ1Σ2).
/// </summary>
public static class FrechetDistance
{
    /// <summary>FD between two sets of statistics.</summary>
    /// <returns>The distance (clamped at 0: rounding may otherwise give a tiny negative value for equal statistics).</returns>
    /// <exception cref="ArgumentException">The dimensions differ or a covariance is not a symmetric D×D matrix.</exception>
    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dim != b.Dim) throw new ArgumentException($"FrechetDistance: feature dimensions differ ({a.Dim} vs {b.Dim})");
        return Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);
    }

    /// <summary>FD between N(μ1, Σ1) and N(μ2, Σ2) given directly (Σ row-major D×D).</summary>
    /// <exception cref="ArgumentException">Lengths disagree, an entry is not finite, or a covariance is not symmetric.</exception>
    public static double Compute(ReadOnlySpan<double> mu1, ReadOnlySpan<double> sigma1, ReadOnlySpan<double> mu2, ReadOnlySpan<double> sigma2)
    {
        int d = mu1.Length;
        if (d < 1 || mu2.Length != d) throw new ArgumentException($"FrechetDistance: mean lengths {mu1.Length} and {mu2.Length} must be equal and positive");
        if (sigma1.Length != d * d || sigma2.Length != d * d) throw new ArgumentException($"FrechetDistance: covariances have {sigma1.Length} and {sigma2.Length} entries, expected {d}x{d} = {d * d}");
        double meanTerm = 0;
        for (int i = 0; i < d; i++) { double e = mu1[i] - mu2[i]; meanTerm += e * e; }
        double tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++) { tr1 += sigma1[i * d + i]; tr2 += sigma2[i * d + i]; }
        var s1h = SymmetricEigen.Sqrt(sigma1, d);
        var tmp = Multiply(s1h, sigma2.ToArray(), d);
        var inner = Multiply(tmp, s1h, d);
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++)
            {
                double avg = 0.5 * (inner[i * d + j] + inner[j * d + i]);
                inner[i * d + j] = inner[j * d + i] = avg;
            }
        var eig = SymmetricEigen.Decompose(inner, d);
        double trRoot = 0;
        foreach (double l in eig.Values) trRoot += Math.Sqrt(Math.Max(0, l));
        double fd = meanTerm + tr1 + tr2 - 2 * trRoot;
        return Math.Max(0, fd);
    }

    private static double[] Multiply(double[] x, double[] y, int d)
    {
        var r = new double[d * d];
        EvalParallel.For(d, 8, (s, len) =>
        {
            for (int i = s; i < s + len; i++)
                for (int k = 0; k < d; k++)
                {
                    double xik = x[i * d + k];
                    if (xik == 0) continue;
                    for (int j = 0; j < d; j++) r[i * d + j] += xik * y[k * d + j];
                }
        });
        return r;
    }
}
