using MixFlow.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Evaluation;

/// <summary>
/// Improved precision and recall with k-NN manifolds (Kynkäänniemi et al. 2019). The manifold of a set of feature
/// vectors is the union of the balls around each vector whose radius is the distance to its k-th nearest neighbour in
/// the same set (the vector itself excluded). Precision = fraction of generated vectors that fall inside the real
/// manifold (‖g − r_j‖ ≤ radius_j for some real j); recall = fraction of real vectors inside the generated manifold.
/// </summary>
/// <remarks>
/// Squared distances are computed blockwise as ‖a‖² + ‖b‖² − 2·a·b with the engine's float32 GEMM (<see cref="Gemm.Sgemm"/>, the kernel of <see cref="Tensor.MatMul(Tensor, Tensor)"/>)
/// on blocks of <c>blockRows</c> query rows against all vectors of the other set, so memory stays at
/// blockRows·N floats; squared norms are accumulated in float64 and negative rounding residues clamped to 0.
/// </remarks>
public static class PrecisionRecall
{
    /// <summary>Default rows per distance block (1024 rows × 10 000 columns = 40 MB).</summary>
    public const int DefaultBlockRows = 1024;

    /// <summary>Default k (3, as in the paper).</summary>
    public const int DefaultK = 3;

    /// <summary>Precision and recall of generated features against real ones.</summary>
    /// <param name="real">Real features, N·D (row-major).</param>
    /// <param name="fake">Generated features, M·D.</param>
    /// <param name="dim">D.</param>
    /// <param name="k">Neighbour count, 1 ≤ k &lt; min(N, M) (default 3).</param>
    /// <param name="blockRows">Rows per distance block, ≥ 1.</param>
    /// <param name="realRadii">Precomputed k-NN radii of the real set (e.g. <see cref="ReferenceSet.Radii"/>), or null.</param>
    /// <exception cref="ArgumentException">Lengths are not multiples of D, k out of range, bad block size or radii length.</exception>
    public static PrecisionRecallResult Compute(float[] real, float[] fake, int dim, int k = DefaultK, int blockRows = DefaultBlockRows, float[]? realRadii = null)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        int n = Rows(real, dim, "real"), m = Rows(fake, dim, "generated");
        if (k < 1 || k >= n || k >= m) throw new ArgumentException($"PrecisionRecall: k must satisfy 1 <= k < min(N_real = {n}, N_generated = {m}) (got {k})");
        if (blockRows < 1) throw new ArgumentException($"PrecisionRecall: blockRows must be >= 1 (got {blockRows})");
        if (realRadii is not null && realRadii.Length != n) throw new ArgumentException($"PrecisionRecall: {realRadii.Length} real radii for {n} real vectors");
        var rr = realRadii ?? KnnRadii(real, n, dim, k, blockRows);
        var fr = KnnRadii(fake, m, dim, k, blockRows);
        var rr2 = Squares(rr);
        var fr2 = Squares(fr);
        var realIn = new bool[n];   // real j inside the generated manifold
        var fakeIn = new bool[m];   // generated i inside the real manifold
        var realNorm = SquaredNorms(real, n, dim);
        var fakeNorm = SquaredNorms(fake, m, dim);
        var dd = new float[(long)Math.Min(blockRows, m) * n];
        const int off = 0;
        for (int s = 0; s < m; s += blockRows)
        {
            int e = Math.Min(m, s + blockRows), rows = e - s;
            Gemm.Sgemm(false, true, rows, n, dim, 1f, fake, s * dim, dim, real, 0, dim, 0f, dd, 0, n);
            // precision: rows of this block
            EvalParallel.For(rows, 16, (rs, rl) =>
            {
                for (int i = rs; i < rs + rl; i++)
                {
                    double ni = fakeNorm[s + i];
                    int b = off + i * n;
                    for (int j = 0; j < n; j++)
                        if (ni + realNorm[j] - 2.0 * dd[b + j] <= rr2[j]) { fakeIn[s + i] = true; break; }
                }
            });
            // recall: columns, against the generated radii of this block's rows
            EvalParallel.For(n, 256, (cs, cl) =>
            {
                for (int j = cs; j < cs + cl; j++)
                {
                    if (realIn[j]) continue;
                    double nj = realNorm[j];
                    for (int i = 0; i < rows; i++)
                        if (fakeNorm[s + i] + nj - 2.0 * dd[off + i * n + j] <= fr2[s + i]) { realIn[j] = true; break; }
                }
            });
        }
        return new PrecisionRecallResult(Fraction(fakeIn), Fraction(realIn), k);
    }

    /// <summary>Distance of each of N vectors to its k-th nearest other vector of the same set.</summary>
    /// <param name="x">N·D features.</param>
    /// <param name="n">N.</param>
    /// <param name="dim">D.</param>
    /// <param name="k">1 ≤ k &lt; N.</param>
    /// <param name="blockRows">Rows per distance block, ≥ 1.</param>
    /// <exception cref="ArgumentException">Sizes disagree or k/blockRows out of range.</exception>
    public static float[] KnnRadii(float[] x, int n, int dim, int k, int blockRows = DefaultBlockRows)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (dim < 1 || n < 0 || x.LongLength != (long)n * dim) throw new ArgumentException($"PrecisionRecall.KnnRadii: {x.LongLength} values for N = {n}, D = {dim}");
        if (k < 1 || k >= n) throw new ArgumentException($"PrecisionRecall.KnnRadii: k must satisfy 1 <= k < N = {n} (got {k})");
        if (blockRows < 1) throw new ArgumentException($"PrecisionRecall.KnnRadii: blockRows must be >= 1 (got {blockRows})");
        var norm = SquaredNorms(x, n, dim);
        var radii = new float[n];
        var dd = new float[(long)Math.Min(blockRows, n) * n];
        const int off = 0;
        for (int s = 0; s < n; s += blockRows)
        {
            int e = Math.Min(n, s + blockRows), rows = e - s;
            Gemm.Sgemm(false, true, rows, n, dim, 1f, x, s * dim, dim, x, 0, dim, 0f, dd, 0, n);
            EvalParallel.For(rows, 16, (rs, rl) =>
            {
                Span<double> best = stackalloc double[k];
                for (int i = rs; i < rs + rl; i++)
                {
                    best.Fill(double.PositiveInfinity);
                    double ni = norm[s + i];
                    int b = off + i * n;
                    for (int j = 0; j < n; j++)
                    {
                        if (j == s + i) continue;
                        double d2 = ni + norm[j] - 2.0 * dd[b + j];
                        if (d2 >= best[k - 1]) continue;
                        int p = k - 1;
                        while (p > 0 && best[p - 1] > d2) { best[p] = best[p - 1]; p--; }
                        best[p] = d2;
                    }
                    radii[s + i] = (float)Math.Sqrt(Math.Max(0, best[k - 1]));
                }
            });
        }
        return radii;
    }

    private static int Rows(float[] x, int dim, string what)
    {
        if (dim < 1) throw new ArgumentException($"PrecisionRecall: dim must be >= 1 (got {dim})");
        if (x.Length % dim != 0) throw new ArgumentException($"PrecisionRecall: {what} features have {x.Length} values, not a whole number of {dim}-d vectors");
        return x.Length / dim;
    }

    private static double[] SquaredNorms(float[] x, int n, int dim)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            var row = x.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++) s += (double)row[j] * row[j];
            r[i] = s;
        }
        return r;
    }

    private static double[] Squares(float[] r)
    {
        var s = new double[r.Length];
        for (int i = 0; i < r.Length; i++) s[i] = (double)r[i] * r[i];
        return s;
    }

    private static double Fraction(bool[] f)
    {
        int c = 0;
        foreach (bool b in f) if (b) c++;
        return f.Length == 0 ? 0 : (double)c / f.Length;
    }
}
