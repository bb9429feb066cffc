using MixFlow.Tensors;

namespace MixFlow.Training;

/// <summary>
/// Simple two-sample distances for low-dimensional point sets (used to compare 2-D samples against fresh true
/// samples): sliced Wasserstein-2 and the RBF-kernel maximum mean discrepancy. Computed in double precision.
/// </summary>
public static class PointMetrics
{
    /// <summary>
    /// Sliced Wasserstein-2 distance: sqrt of the mean over <paramref name="projections"/> random unit directions θ of
    /// W2²(θ·X, θ·Y), each 1-D W2² computed exactly from the sorted projections (equal sample counts required).
    /// </summary>
    /// <param name="x">Points [N, D].</param>
    /// <param name="y">Points [N, D].</param>
    /// <param name="projections">Number of directions (≥ 1).</param>
    /// <param name="gen">Random directions.</param>
    /// <exception cref="ArgumentException">Shapes differ or are not rank 2, or <paramref name="projections"/> &lt; 1.</exception>
    public static double SlicedWasserstein2(Tensor x, Tensor y, int projections, Generator gen)
    {
        var (n, d) = CheckPair(x, y, "SlicedWasserstein2", requireSameCount: true);
        if (projections < 1) throw new ArgumentException($"SlicedWasserstein2: projections must be >= 1 (got {projections})");
        var xs = x.Contiguous().ToArray(); var ys = y.Contiguous().ToArray();
        var px = new double[n]; var py = new double[n]; var dir = new double[d];
        double acc = 0;
        for (int p = 0; p < projections; p++)
        {
            double norm = 0;
            for (int k = 0; k < d; k++) { dir[k] = gen.NextNormal(); norm += dir[k] * dir[k]; }
            norm = Math.Sqrt(norm);
            for (int k = 0; k < d; k++) dir[k] /= norm;
            for (int i = 0; i < n; i++)
            {
                double a = 0, b = 0;
                for (int k = 0; k < d; k++) { a += xs[i * d + k] * dir[k]; b += ys[i * d + k] * dir[k]; }
                px[i] = a; py[i] = b;
            }
            Array.Sort(px); Array.Sort(py);
            double s = 0;
            for (int i = 0; i < n; i++) { double e = px[i] - py[i]; s += e * e; }
            acc += s / n;
        }
        return Math.Sqrt(acc / projections);
    }

    /// <summary>
    /// Unbiased estimate of MMD² with the Gaussian kernel k(a, b) = exp(−|a − b|² / (2h²)).
    /// </summary>
    /// <param name="x">Points [N, D], N ≥ 2.</param>
    /// <param name="y">Points [M, D], M ≥ 2.</param>
    /// <param name="bandwidth">Kernel width h &gt; 0; null uses the median pairwise distance of the pooled sample.</param>
    /// <exception cref="ArgumentException">Bad shapes, fewer than 2 points, or a non-positive bandwidth.</exception>
    public static double RbfMmd2(Tensor x, Tensor y, double? bandwidth = null)
    {
        var (n, d) = CheckPair(x, y, "RbfMmd2", requireSameCount: false);
        int m = y.Size(0);
        if (n < 2 || m < 2) throw new ArgumentException($"RbfMmd2: need at least 2 points per set (got {n} and {m})");
        var xs = x.Contiguous().ToArray(); var ys = y.Contiguous().ToArray();
        double h = bandwidth ?? MedianDistance(xs, ys, d);
        if (!(h > 0) || !double.IsFinite(h)) throw new ArgumentException($"RbfMmd2: bandwidth must be a finite number > 0 (got {h})");
        double inv = 1.0 / (2 * h * h);
        double kxx = SumKernel(xs, n, xs, n, d, inv, excludeDiagonal: true) / ((double)n * (n - 1));
        double kyy = SumKernel(ys, m, ys, m, d, inv, excludeDiagonal: true) / ((double)m * (m - 1));
        double kxy = SumKernel(xs, n, ys, m, d, inv, excludeDiagonal: false) / ((double)n * m);
        return kxx + kyy - 2 * kxy;
    }

    private static double SumKernel(float[] a, int na, float[] b, int nb, int d, double inv, bool excludeDiagonal)
    {
        double s = 0;
        for (int i = 0; i < na; i++)
            for (int j = 0; j < nb; j++)
            {
                if (excludeDiagonal && i == j) continue;
                double r = 0;
                for (int k = 0; k < d; k++) { double e = a[i * d + k] - b[j * d + k]; r += e * e; }
                s += Math.Exp(-r * inv);
            }
        return s;
    }

    private static double MedianDistance(float[] xs, float[] ys, int d)
    {
        // Median over a bounded, deterministic subset of pooled pairs.
        var pool = new float[xs.Length + ys.Length];
        xs.CopyTo(pool, 0); ys.CopyTo(pool, xs.Length);
        int n = pool.Length / d, stride = Math.Max(1, n / 500);
        var dist = new List<double>();
        for (int i = 0; i < n; i += stride)
            for (int j = i + stride; j < n; j += stride)
            {
                double r = 0;
                for (int k = 0; k < d; k++) { double e = pool[i * d + k] - pool[j * d + k]; r += e * e; }
                dist.Add(Math.Sqrt(r));
            }
        if (dist.Count == 0) return 1;
        dist.Sort();
        return dist[dist.Count / 2];
    }

    private static (int N, int D) CheckPair(Tensor x, Tensor y, string op, bool requireSameCount)
    {
        if (x.Rank != 2 || y.Rank != 2)
            throw new ArgumentException($"{op}: expected two [N, D] point sets (got ranks {x.Rank} and {y.Rank})");
        if (x.Size(1) != y.Size(1))
            throw new ArgumentException($"{op}: dimensions differ ({x.Size(1)} vs {y.Size(1)})");
        if (requireSameCount && x.Size(0) != y.Size(0))
            throw new ArgumentException($"{op}: sample counts differ ({x.Size(0)} vs {y.Size(0)}); pass equally many points");
        if (x.Size(0) < 1) throw new ArgumentException($"{op}: empty point set");
        return (x.Size(0), x.Size(1));
    }
}
