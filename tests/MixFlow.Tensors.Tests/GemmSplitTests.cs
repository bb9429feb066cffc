using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors.Tests;

/// <summary>
/// The split of one large OpenBLAS call over the engine threads (row blocks when m ≥ n, else column blocks), called
/// directly at small sizes (the dispatch uses it from <see cref="Gemm.SplitMinFlops"/> ≈ 1 GFLOP on).
/// </summary>
public class GemmSplitTests
{
    [OpenBlasTheory]
    [InlineData(300, 70, 200, false, false)]
    [InlineData(300, 70, 200, true, true)]
    [InlineData(70, 300, 200, false, false)]
    [InlineData(70, 300, 200, false, true)]
    [InlineData(70, 300, 200, true, false)]
    [InlineData(130, 129, 600, true, true)]
    public void SplitCallMatchesDoubleReference(int m, int n, int k, bool ta, bool tb)
    {
        var g = new Generator((ulong)(m * 7 + n * 13 + k));
        int pad = 3, off = 5;
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = new float[off + (ta ? k : m) * lda]; var b = new float[off + (tb ? n : k) * ldb]; var c = new float[off + m * ldc];
        g.FillNormal(a); g.FillNormal(b); g.FillNormal(c);
        var c0 = (float[])c.Clone();
        const float alpha = 0.75f, beta = 0.5f;
        Gemm.SgemmSplitForTests(2, ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
        for (int i = 0; i < c.Length; i++)
        {
            int row = (i - off) / ldc, col = (i - off) % ldc;
            if (i < off || col >= n) { Assert.Equal(c0[i], c[i]); continue; }   // padding untouched
            double acc = 0, mag = 0;
            for (int q = 0; q < k; q++)
            {
                double av = ta ? a[off + q * lda + row] : a[off + row * lda + q];
                double bv = tb ? b[off + col * ldb + q] : b[off + q * ldb + col];
                acc += av * bv; mag += Math.Abs(av * bv);
            }
            double expect = alpha * acc + beta * (double)c0[i];
            double tol = 2e-7 * (k + 4) * (alpha * mag + Math.Abs(beta * c0[i]));
            Assert.True(Math.Abs(c[i] - expect) <= tol, $"m={m} n={n} k={k} ta={ta} tb={tb}: C[{row},{col}] = {c[i]}, expected {expect}");
        }
    }
}
