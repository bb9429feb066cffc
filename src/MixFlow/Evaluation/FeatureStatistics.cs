namespace MixFlow.Evaluation;

/// <summary>
/// Mean and covariance (unbiased, divisor N − 1) of a set of feature vectors, accumulated in float64:
/// the sufficient statistics of the Fréchet distance.
/// </summary>
/// <param name="Count">Number of vectors N.</param>
/// <param name="Dim">Dimension D.</param>
/// <param name="Mean">μ, D values.</param>
/// <param name="Covariance">Σ, D×D row-major (symmetric).</param>
public sealed record FeatureStatistics(int Count, int Dim, double[] Mean, double[] Covariance)
{
    /// <summary>Statistics of N row vectors of dimension D (row-major floats).</summary>
    /// <param name="features">N·D values.</param>
    /// <param name="dim">D ≥ 1.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of D, or fewer than 2 vectors.</exception>
    public static FeatureStatistics FromFeatures(ReadOnlySpan<float> features, int dim)
    {
        if (dim < 1) throw new ArgumentException($"FeatureStatistics.FromFeatures: dim must be >= 1 (got {dim})");
        if (features.Length % dim != 0) throw new ArgumentException($"FeatureStatistics.FromFeatures: {features.Length} values are not a whole number of {dim}-d vectors");
        int n = features.Length / dim;
        var x = new double[(long)n * dim];
        for (int i = 0; i < x.Length; i++) x[i] = features[i];
        return FromFeatures(x, n, dim);
    }

    /// <summary>Statistics of N row vectors of dimension D (row-major doubles).</summary>
    /// <param name="features">N·D values (not modified).</param>
    /// <param name="n">N ≥ 2.</param>
    /// <param name="dim">D ≥ 1.</param>
    /// <exception cref="ArgumentException">Sizes disagree, or N &lt; 2.</exception>
    public static FeatureStatistics FromFeatures(double[] features, int n, int dim)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (dim < 1 || n < 2) throw new ArgumentException($"FeatureStatistics.FromFeatures: need at least 2 vectors of dimension >= 1 (got N = {n}, D = {dim})");
        if (features.LongLength != (long)n * dim) throw new ArgumentException($"FeatureStatistics.FromFeatures: {features.LongLength} values for N = {n}, D = {dim} (expected {(long)n * dim})");
        var mean = new double[dim];
        for (int i = 0; i < n; i++)
        {
            var row = features.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++) mean[j] += row[j];
        }
        for (int j = 0; j < dim; j++) mean[j] /= n;
        var centred = new double[(long)n * dim];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dim; j++) centred[(long)i * dim + j] = features[(long)i * dim + j] - mean[j];
        var cov = new double[dim * dim];
        // Σ[a, b] = Σ_i c[i, a]·c[i, b] / (N − 1): each task owns rows a of Σ (upper triangle), sums in a fixed order.
        EvalParallel.For(dim, 1, (start, len) =>
        {
            for (int a = start; a < start + len; a++)
            {
                var acc = new double[dim - a];
                for (int i = 0; i < n; i++)
                {
                    long r = (long)i * dim;
                    double ca = centred[r + a];
                    if (ca == 0) continue;
                    var src = centred.AsSpan((int)(r + a), dim - a);
                    for (int b = 0; b < acc.Length; b++) acc[b] += ca * src[b];
                }
                for (int b = 0; b < acc.Length; b++) cov[a * dim + a + b] = acc[b] / (n - 1);
            }
        });
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
        return new FeatureStatistics(n, dim, mean, cov);
    }
}
