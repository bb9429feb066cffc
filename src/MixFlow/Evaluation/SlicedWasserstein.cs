using MixFlow.Tensors;

namespace MixFlow.Evaluation;

/// <summary>
/// Sliced Wasserstein-2 distance between two point clouds in R^D:
/// SW2 = ( (1/L)·Σ_l W2²(θ_l·X, θ_l·Y) )^{1/2} over L random unit directions θ_l (Gaussian vectors normalised, drawn
/// from <c>new Generator(seed)</c>), where W2 between the two projected 1-D empirical distributions is the L2
/// distance of their quantile functions (exact for different sample counts: the integral over u ∈ [0, 1] of the
/// squared difference of the two step quantile functions). All in float64.
/// </summary>
/// <remarks>For a pure shift δ of one cloud, W2(θ) = |θ·δ| and E_θ(θ·δ)² = ‖δ‖²/D, so SW2 → ‖δ‖/√D (‖δ‖/√2 in 2-D).</remarks>
public static class SlicedWasserstein
{
    /// <summary>Default number of projections (256).</summary>
    public const int DefaultProjections = 256;

    /// <summary>Computes SW2.</summary>
    /// <param name="x">N·D values (row-major).</param>
    /// <param name="y">M·D values.</param>
    /// <param name="dim">D ≥ 1.</param>
    /// <param name="projections">L ≥ 1 (default 256).</param>
    /// <param name="seed">Seed of the directions (default 0).</param>
    /// <exception cref="ArgumentException">Lengths are not positive multiples of D, L &lt; 1, or a value is not finite.</exception>
    public static double Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dim, int projections = DefaultProjections, ulong seed = 0)
    {
        if (dim < 1) throw new ArgumentException($"SlicedWasserstein: dim must be >= 1 (got {dim})");
        if (x.Length == 0 || x.Length % dim != 0) throw new ArgumentException($"SlicedWasserstein: first set has {x.Length} values, not a positive whole number of {dim}-d points");
        if (y.Length == 0 || y.Length % dim != 0) throw new ArgumentException($"SlicedWasserstein: second set has {y.Length} values, not a positive whole number of {dim}-d points");
        if (projections < 1) throw new ArgumentException($"SlicedWasserstein: projections must be >= 1 (got {projections})");
        foreach (float v in x) if (!float.IsFinite(v)) throw new ArgumentException($"SlicedWasserstein: first set contains {v}");
        foreach (float v in y) if (!float.IsFinite(v)) throw new ArgumentException($"SlicedWasserstein: second set contains {v}");
        int n = x.Length / dim, m = y.Length / dim;
        var gen = new Generator(seed);
        var dirs = new double[projections * dim];
        for (int l = 0; l < projections; l++)
        {
            double norm;
            do
            {
                norm = 0;
                for (int j = 0; j < dim; j++) { double g = gen.NextNormal(); dirs[l * dim + j] = g; norm += g * g; }
            } while (norm < 1e-24);
            norm = Math.Sqrt(norm);
            for (int j = 0; j < dim; j++) dirs[l * dim + j] /= norm;
        }
        var xa = new double[x.Length]; for (int i = 0; i < xa.Length; i++) xa[i] = x[i];
        var ya = new double[y.Length]; for (int i = 0; i < ya.Length; i++) ya[i] = y[i];
        var w2 = new double[projections];
        EvalParallel.For(projections, 4, (s, len) =>
        {
            var px = new double[n];
            var py = new double[m];
            for (int l = s; l < s + len; l++)
            {
                Project(xa, n, dim, dirs, l, px);
                Project(ya, m, dim, dirs, l, py);
                Array.Sort(px);
                Array.Sort(py);
                w2[l] = QuantileW2Squared(px, py);
            }
        });
        double mean = 0;
        foreach (double v in w2) mean += v;
        return Math.Sqrt(mean / projections);
    }

    /// <summary>W2² between two sorted 1-D samples: ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du with step quantile functions.</summary>
    /// <exception cref="ArgumentException">A sample is empty.</exception>
    public static double QuantileW2Squared(ReadOnlySpan<double> sortedA, ReadOnlySpan<double> sortedB)
    {
        int n = sortedA.Length, m = sortedB.Length;
        if (n == 0 || m == 0) throw new ArgumentException("SlicedWasserstein.QuantileW2Squared: both samples must be non-empty");
        double sum = 0, u = 0;
        int i = 0, j = 0;
        while (i < n && j < m)
        {
            double ua = (double)(i + 1) / n, ub = (double)(j + 1) / m;
            double next = Math.Min(ua, ub);
            double d = sortedA[i] - sortedB[j];
            sum += d * d * (next - u);
            u = next;
            if (ua <= next) i++;
            if (ub <= next) j++;
        }
        return sum;
    }

    private static void Project(double[] pts, int count, int dim, double[] dirs, int l, double[] dst)
    {
        for (int i = 0; i < count; i++)
        {
            double s = 0;
            for (int j = 0; j < dim; j++) s += pts[i * dim + j] * dirs[l * dim + j];
            dst[i] = s;
        }
    }
}
