namespace MixFlow.Evaluation;

/// <summary>
/// Eigendecomposition of real symmetric matrices in float64 by the cyclic Jacobi method: sweeps of plane rotations
/// over all pairs (p, q), each zeroing the off-diagonal entry a_pq, until the off-diagonal mass is negligible.
/// Jacobi is slower than tridiagonal QL (≈ 6–10 sweeps of 3N³ flops) but has excellent relative accuracy and
/// handles repeated eigenvalues without special cases; for the 128×128 feature covariances it takes milliseconds.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Maximum number of sweeps before giving up.</summary>
    public const int MaxSweeps = 100;

    /// <summary>Decomposes a symmetric matrix.</summary>
    /// <param name="a">N×N row-major entries (not modified). The matrix is symmetrised as (A + Aᵀ)/2.</param>
    /// <param name="n">The order N ≥ 1.</param>
    /// <returns>Ascending eigenvalues and orthonormal eigenvectors.</returns>
    /// <exception cref="ArgumentException">The length is not N², an entry is not finite, or A is not symmetric
    /// (|a_ij − a_ji| above 1e-8·max|a|).</exception>
    /// <exception cref="InvalidOperationException">No convergence within <see cref="MaxSweeps"/> sweeps (does not happen for finite input).</exception>
    public static EigenDecomposition Decompose(ReadOnlySpan<double> a, int n)
    {
        if (n < 1) throw new ArgumentException($"SymmetricEigen.Decompose: order must be >= 1 (got {n})");
        if (a.Length != (long)n * n) throw new ArgumentException($"SymmetricEigen.Decompose: {a.Length} entries for a {n}x{n} matrix (expected {(long)n * n})");
        double scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsFinite(a[i])) throw new ArgumentException($"SymmetricEigen.Decompose: entry ({i / n}, {i % n}) is {a[i]}; all entries must be finite");
            scale = Math.Max(scale, Math.Abs(a[i]));
        }
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double x = a[i * n + j], y = a[j * n + i];
                if (Math.Abs(x - y) > 1e-8 * scale)
                    throw new ArgumentException($"SymmetricEigen.Decompose: the matrix is not symmetric: a[{i},{j}] = {x} but a[{j},{i}] = {y}");
                m[i * n + j] = 0.5 * (x + y);
            }
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;

        for (int sweep = 0; ; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += m[i * n + i] * m[i * n + i];
                for (int j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
            }
            if (off == 0 || off <= 1e-32 * (diag + 2 * off)) break;
            if (sweep >= MaxSweeps) throw new InvalidOperationException($"SymmetricEigen.Decompose: no convergence after {MaxSweeps} sweeps (off-diagonal mass {off})");
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = m[p * n + q];
                    if (apq == 0) continue;
                    double app = m[p * n + p], aqq = m[q * n + q];
                    // Negligible next to both diagonal entries: drop it (after the first sweeps, as in Rutishauser's scheme).
                    double g = 100 * Math.Abs(apq);
                    if (sweep > 3 && Math.Abs(app) + g == Math.Abs(app) && Math.Abs(aqq) + g == Math.Abs(aqq))
                    {
                        m[p * n + q] = m[q * n + p] = 0;
                        continue;
                    }
                    double theta = (aqq - app) / (2 * apq);
                    double t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (double.IsInfinity(theta * theta)) t = 1 / (2 * theta);
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int r = 0; r < n; r++)
                    {
                        if (r == p || r == q) continue;
                        double arp = m[r * n + p], arq = m[r * n + q];
                        double nrp = c * arp - s * arq, nrq = s * arp + c * arq;
                        m[r * n + p] = m[p * n + r] = nrp;
                        m[r * n + q] = m[q * n + r] = nrq;
                    }
                    m[p * n + p] = app - t * apq;
                    m[q * n + q] = aqq + t * apq;
                    m[p * n + q] = m[q * n + p] = 0;
                    for (int r = 0; r < n; r++)
                    {
                        double vrp = v[r * n + p], vrq = v[r * n + q];
                        v[r * n + p] = c * vrp - s * vrq;
                        v[r * n + q] = s * vrp + c * vrq;
                    }
                }
        }

        // Sort ascending (stable on ties, so the output is deterministic).
        var order = new int[n];
        var diagv = new double[n];
        for (int i = 0; i < n; i++) { order[i] = i; diagv[i] = m[i * n + i]; }
        Array.Sort(order, (x, y) => diagv[x] != diagv[y] ? diagv[x].CompareTo(diagv[y]) : x.CompareTo(y));
        var values = new double[n];
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            values[j] = diagv[order[j]];
            for (int r = 0; r < n; r++) vectors[r * n + j] = v[r * n + order[j]];
        }
        return new EigenDecomposition(n, values, vectors);
    }

    /// <summary>
    /// The symmetric positive semi-definite square root of a symmetric matrix: V·diag(√max(λ, 0))·Vᵀ (eigenvalues
    /// below zero — rounding residues of a PSD matrix — are clamped to 0).
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Decompose"/>.</exception>
    public static double[] Sqrt(ReadOnlySpan<double> a, int n) => Decompose(a, n).Apply(static x => Math.Sqrt(Math.Max(0, x)));
}
