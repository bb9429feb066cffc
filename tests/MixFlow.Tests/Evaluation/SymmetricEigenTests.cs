using MixFlow.Evaluation;
using MixFlow.Tensors;

namespace MixFlow.Tests.Evaluation;

public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1, 1UL)]
    [InlineData(2, 2UL)]
    [InlineData(7, 3UL)]
    [InlineData(40, 4UL)]
    [InlineData(128, 5UL)]
    public void ReconstructsRandomSpdMatrices(int n, ulong seed)
    {
        var g = new Generator(seed);
        var q = EvalTestUtil.RandomOrthogonal(g, n);
        var lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = 0.01 + 5 * g.NextDouble();
        var a = EvalTestUtil.Compose(q, lambda);
        var e = SymmetricEigen.Decompose(a, n);
        double scale = lambda.Max();
        Assert.True(EvalTestUtil.MaxAbsDiff(e.Reconstruct(), a) <= 1e-10 * scale, "reconstruction");
        var sorted = lambda.OrderBy(v => v).ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(sorted[i], e.Values[i], 1e-10 * scale);
        // orthonormal eigenvectors, and A·v = λ·v
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int r = 0; r < n; r++) dot += e.Vectors[r * n + i] * e.Vectors[r * n + j];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-10);
            }
        for (int j = 0; j < Math.Min(n, 5); j++)
            for (int r = 0; r < n; r++)
            {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[r * n + k] * e.Vectors[k * n + j];
                Assert.Equal(e.Values[j] * e.Vectors[r * n + j], av, 1e-10 * scale);
            }
    }

    [Fact]
    public void HandlesRepeatedEigenvaluesAndZeros()
    {
        int n = 30;
        var g = new Generator(11);
        var q = EvalTestUtil.RandomOrthogonal(g, n);
        var lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = i < 10 ? 2.0 : i < 20 ? 0.5 : i < 25 ? 0.0 : 7.0;
        var a = EvalTestUtil.Compose(q, lambda);
        var e = SymmetricEigen.Decompose(a, n);
        Assert.True(EvalTestUtil.MaxAbsDiff(e.Reconstruct(), a) <= 1e-10 * 7);
        var sorted = lambda.OrderBy(v => v).ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(sorted[i], e.Values[i], 1e-10 * 7);
        // identity: already diagonal, all equal
        var id = new double[n * n];
        for (int i = 0; i < n; i++) id[i * n + i] = 3;
        var ei = SymmetricEigen.Decompose(id, n);
        Assert.All(ei.Values, v => Assert.Equal(3.0, v));
        Assert.True(EvalTestUtil.MaxAbsDiff(ei.Reconstruct(), id) == 0);
    }

    [Fact]
    public void SquareRootSquaresBack()
    {
        int n = 20;
        var g = new Generator(5);
        var q = EvalTestUtil.RandomOrthogonal(g, n);
        var lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = 0.1 + g.NextDouble() * 3;
        var a = EvalTestUtil.Compose(q, lambda);
        var r = SymmetricEigen.Sqrt(a, n);
        var rr = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) rr[i * n + j] += r[i * n + k] * r[k * n + j];
        Assert.True(EvalTestUtil.MaxAbsDiff(rr, a) <= 1e-10 * 3.1);
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(new double[5], 2));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, 2, 3, 4], 2));          // not symmetric
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([], 0));
    }
}
