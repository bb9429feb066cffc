namespace MixFlow.Evaluation;

/// <summary>
/// The eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric N×N matrix (<see cref="SymmetricEigen.Decompose"/>).
/// </summary>
/// <param name="N">The order.</param>
/// <param name="Values">Eigenvalues λ in ascending order.</param>
/// <param name="Vectors">Orthonormal eigenvectors as the columns of an N×N row-major matrix: column j belongs to λ_j.</param>
public sealed record EigenDecomposition(int N, double[] Values, double[] Vectors)
{
    /// <summary>V·diag(f(λ))·Vᵀ, row-major N×N (exactly symmetric).</summary>
    /// <param name="f">The function applied to each eigenvalue.</param>
    public double[] Apply(Func<double, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        int n = N;
        var fv = new double[n];
        for (int j = 0; j < n; j++) fv[j] = f(Values[j]);
        var r = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += Vectors[a * n + j] * fv[j] * Vectors[b * n + j];
                r[a * n + b] = s;
                r[b * n + a] = s;
            }
        return r;
    }

    /// <summary>V·diag(λ)·Vᵀ, the matrix that was decomposed (up to rounding).</summary>
    public double[] Reconstruct() => Apply(static v => v);
}
