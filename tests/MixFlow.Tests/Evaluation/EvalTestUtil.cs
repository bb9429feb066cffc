using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Tests.Evaluation;

/// <summary>
/// Exact velocity field of the flow whose data are x1 ~ N(μ, s²I): x_t = α·x1 + σ·x0 is N(αμ, vI) with
/// v = α²s² + σ², so E[u | x_t = x] = α'μ + (α'αs² + σ'σ)/v · (x − αμ).
/// </summary>
internal sealed class GaussianVelocityOracle(IInterpolationPath path, double[] mu, double s) : IFlowModel
{
    public int NumClasses => 0;

    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        int b = x.Size(0), d = mu.Length;
        Assert.Equal(d, x.Numel / b);
        var tv = t.ToArray();
        var k = new float[b];
        var c = new float[b * d];
        for (int i = 0; i < b; i++)
        {
            var p = path.Coefficients(tv[i]);
            double v = p.Alpha * p.Alpha * s * s + p.Sigma * p.Sigma;
            double kk = (p.DAlpha * p.Alpha * s * s + p.DSigma * p.Sigma) / v;
            k[i] = (float)kk;
            for (int j = 0; j < d; j++) c[i * d + j] = (float)(p.DAlpha * mu[j] - kk * p.Alpha * mu[j]);
        }
        var ks = new int[x.Rank]; Array.Fill(ks, 1); ks[0] = b;
        return x * Tensor.FromArray(k, ks) + Tensor.FromArray(c, x.Shape);
    }
}

internal static class EvalTestUtil
{
    /// <summary>N points of N(μ, L·Lᵀ) as row-major floats.</summary>
    public static float[] Gaussian(Generator g, int n, double[] mu, double[] chol)
    {
        int d = mu.Length;
        var r = new float[n * d];
        var z = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) z[j] = g.NextNormal();
            for (int a = 0; a < d; a++)
            {
                double s = mu[a];
                for (int b = 0; b <= a; b++) s += chol[a * d + b] * z[b];
                r[i * d + a] = (float)s;
            }
        }
        return r;
    }

    /// <summary>A random orthogonal matrix (Gram–Schmidt of Gaussian columns), row-major.</summary>
    public static double[] RandomOrthogonal(Generator g, int n)
    {
        var q = new double[n * n];
        for (int i = 0; i < q.Length; i++) q[i] = g.NextNormal();
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int r = 0; r < n; r++) dot += q[r * n + j] * q[r * n + k];
                for (int r = 0; r < n; r++) q[r * n + j] -= dot * q[r * n + k];
            }
            double norm = 0;
            for (int r = 0; r < n; r++) norm += q[r * n + j] * q[r * n + j];
            norm = Math.Sqrt(norm);
            for (int r = 0; r < n; r++) q[r * n + j] /= norm;
        }
        return q;
    }

    /// <summary>Q·diag(λ)·Qᵀ.</summary>
    public static double[] Compose(double[] q, double[] lambda)
    {
        int n = lambda.Length;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
                a[i * n + j] = s;
            }
        return a;
    }

    public static double MaxAbsDiff(double[] a, double[] b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
