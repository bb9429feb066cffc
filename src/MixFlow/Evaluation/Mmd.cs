namespace MixFlow.Evaluation;

/// <summary>
/// Unbiased squared maximum mean discrepancy with a Gaussian (RBF) kernel mixture, in float64:
/// MMD² = 1/(N(N−1))·Σ_{i≠j} k(x_i, x_j) + 1/(M(M−1))·Σ_{i≠j} k(y_i, y_j) − 2/(NM)·Σ_{i,j} k(x_i, y_j),
/// k(a, b) = (1/|B|)·Σ_{ℓ∈B} exp(−‖a − b‖² / (2ℓ²)).
/// </summary>
/// <remarks>
/// Bandwidth rule (when none are given): the median heuristic — h = the median Euclidean distance between pairs of
/// the pooled sample (computed on at most 2 000 evenly strided pooled points, so it is deterministic) — and the
/// mixture B = {h/2, h, 2h}. The unbiased estimate can be slightly negative when both sets come from one distribution.
/// </remarks>
public static class Mmd
{
    /// <summary>Multipliers of the median distance forming the default bandwidth set.</summary>
    public static IReadOnlyList<double> MedianMultipliers { get; } = [0.5, 1.0, 2.0];

    /// <summary>Computes MMD².</summary>
    /// <param name="x">N·D values (N ≥ 2).</param>
    /// <param name="y">M·D values (M ≥ 2).</param>
    /// <param name="dim">D ≥ 1.</param>
    /// <param name="bandwidths">Kernel bandwidths ℓ &gt; 0, or null for the median heuristic (see remarks).</param>
    /// <exception cref="ArgumentException">Sizes wrong, fewer than 2 points in a set, a non-finite value, or a non-positive bandwidth.</exception>
    public static double Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dim, IReadOnlyList<double>? bandwidths = null)
    {
        if (dim < 1) throw new ArgumentException($"Mmd: dim must be >= 1 (got {dim})");
        if (x.Length % dim != 0 || x.Length / dim < 2) throw new ArgumentException($"Mmd: first set has {x.Length} values; need at least 2 whole {dim}-d points");
        if (y.Length % dim != 0 || y.Length / dim < 2) throw new ArgumentException($"Mmd: second set has {y.Length} values; need at least 2 whole {dim}-d points");
        var xa = ToDouble(x, "first");
        var ya = ToDouble(y, "second");
        int n = x.Length / dim, m = y.Length / dim;
        var bw = bandwidths?.ToArray() ?? MedianBandwidths(xa, ya, dim);
        if (bw.Length == 0) throw new ArgumentException("Mmd: at least one bandwidth is needed");
        foreach (double l in bw) if (!(l > 0) || double.IsInfinity(l)) throw new ArgumentException($"Mmd: bandwidths must be finite and > 0 (got {l})");
        var gam = bw.Select(l => 1 / (2 * l * l)).ToArray();
        double kxx = KernelSum(xa, n, xa, n, dim, gam, excludeDiagonal: true) / ((double)n * (n - 1));
        double kyy = KernelSum(ya, m, ya, m, dim, gam, excludeDiagonal: true) / ((double)m * (m - 1));
        double kxy = KernelSum(xa, n, ya, m, dim, gam, excludeDiagonal: false) / ((double)n * m);
        return kxx + kyy - 2 * kxy;
    }

    /// <summary>The median-heuristic bandwidths {h/2, h, 2h} of two sets (see the class remarks).</summary>
    /// <exception cref="ArgumentException">All pooled points coincide (the median distance is 0).</exception>
    public static double[] MedianBandwidths(double[] x, double[] y, int dim)
    {
        int n = x.Length / dim, m = y.Length / dim, total = n + m;
        int take = Math.Min(total, 2000);
        var pts = new double[take * dim];
        for (int t = 0; t < take; t++)
        {
            int src = (int)((long)t * total / take);
            var from = src < n ? x.AsSpan(src * dim, dim) : y.AsSpan((src - n) * dim, dim);
            from.CopyTo(pts.AsSpan(t * dim, dim));
        }
        var d = new double[(long)take * (take - 1) / 2];
        long k = 0;
        for (int i = 0; i < take; i++)
            for (int j = i + 1; j < take; j++)
            {
                double s = 0;
                for (int c = 0; c < dim; c++) { double e = pts[i * dim + c] - pts[j * dim + c]; s += e * e; }
                d[k++] = s;
            }
        Array.Sort(d);
        double med2 = d.Length % 2 == 1 ? d[d.Length / 2] : 0.5 * (d[d.Length / 2 - 1] + d[d.Length / 2]);
        double h = Math.Sqrt(med2);
        if (!(h > 0)) throw new ArgumentException("Mmd: the median pairwise distance of the pooled points is 0; give explicit bandwidths");
        return MedianMultipliers.Select(f => f * h).ToArray();
    }

    private static double KernelSum(double[] a, int na, double[] b, int nb, int dim, double[] gam, bool excludeDiagonal)
    {
        var partial = new double[na];
        EvalParallel.For(na, 64, (s, len) =>
        {
            for (int i = s; i < s + len; i++)
            {
                double acc = 0;
                for (int j = 0; j < nb; j++)
                {
                    if (excludeDiagonal && i == j) continue;
                    double d2 = 0;
                    for (int c = 0; c < dim; c++) { double e = a[i * dim + c] - b[j * dim + c]; d2 += e * e; }
                    double kv = 0;
                    for (int g = 0; g < gam.Length; g++) kv += Math.Exp(-gam[g] * d2);
                    acc += kv;
                }
                partial[i] = acc / gam.Length;
            }
        });
        double sum = 0;
        foreach (double p in partial) sum += p;
        return sum;
    }

    private static double[] ToDouble(ReadOnlySpan<float> v, string which)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (!float.IsFinite(v[i])) throw new ArgumentException($"Mmd: {which} set contains {v[i]}");
            r[i] = v[i];
        }
        return r;
    }
}
