using System.Runtime.Intrinsics.X86;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Tensors.Tests;

/// <summary>A theory that is skipped when libopenblas cannot be loaded.</summary>
public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute() { if (!Gemm.OpenBlasAvailable) Skip = "libopenblas.so.0 not found"; }
}

/// <summary>A fact that is skipped when libopenblas cannot be loaded.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute() { if (!Gemm.OpenBlasAvailable) Skip = "libopenblas.so.0 not found"; }
}

public class GemmTests
{
    // (m, n, k): edges of the 8×32 / 6×16 / 4×4 register tiles, of MC = 192 rows, KC = 256 and NC = 2048 blocks.
    private static readonly int[][] Sizes =
    [
        [0, 5, 3], [5, 0, 3], [4, 5, 0], [1, 1, 1], [2, 3, 1], [3, 2, 7], [7, 16, 17], [16, 17, 31], [17, 33, 64],
        [31, 7, 65], [33, 65, 127], [64, 1, 257], [65, 127, 2], [127, 31, 33], [257, 17, 16], [1, 257, 65],
        [200, 70, 300], [3, 2085, 5], [13, 64, 513],
    ];

    private static readonly (float Alpha, float Beta)[] Scalars = [(1f, 0f), (-0.75f, 1f), (2f, 0.5f), (1f, 1f), (0.5f, -1.25f), (0f, 0.5f)];

    /// <summary>Cases: every size × every transpose combination, cycling alpha/beta, offsets and leading-dimension padding.</summary>
    public static IEnumerable<object[]> Cases()
    {
        int idx = 0;
        foreach (var s in Sizes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    var (alpha, beta) = Scalars[idx % Scalars.Length];
                    int pad = idx % 3 == 0 ? 0 : idx % 3 == 1 ? 1 : 5;
                    int off = idx % 2 == 0 ? 0 : 3 + idx % 7;
                    yield return new object[] { s[0], s[1], s[2], ta, tb, alpha, beta, pad, off };
                    idx++;
                }
    }

    public static IEnumerable<object[]> CasesPerIsa() =>
        from c in Cases() from isa in new[] { "Vector512", "Vector256", "Scalar" }
        select c.Append(isa).ToArray();

    /// <summary>Operands with random contents, ld = minimal + pad, all matrices starting at offset off.</summary>
    private sealed record Problem(bool TransA, bool TransB, int M, int N, int K, float Alpha, float Beta,
        float[] A, int AOff, int Lda, float[] B, int BOff, int Ldb, float[] C, int COff, int Ldc);

    private static Problem Make(int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad, int off, ulong seed = 7)
    {
        var g = new Generator(seed + (ulong)(m * 1000003 + n * 1009 + k));
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        lda = Math.Max(lda, 1); ldb = Math.Max(ldb, 1); ldc = Math.Max(ldc, 1);
        int aRows = ta ? k : m, bRows = tb ? n : k;
        var a = new float[off + aRows * lda + 4];
        var b = new float[off + bRows * ldb + 4];
        var c = new float[off + m * ldc + 4];
        g.FillNormal(a); g.FillNormal(b); g.FillNormal(c);
        return new Problem(ta, tb, m, n, k, alpha, beta, a, off, lda, b, off, ldb, c, off, ldc);
    }

    /// <summary>Double-precision reference of the whole C buffer, and a per-element error bound.</summary>
    private static (double[] Ref, double[] Tol) Oracle(Problem p)
    {
        var r = p.C.Select(v => (double)v).ToArray();
        var tol = new double[r.Length];
        for (int i = 0; i < p.M; i++)
            for (int j = 0; j < p.N; j++)
            {
                double acc = 0, mag = 0;
                for (int q = 0; q < p.K; q++)
                {
                    double av = p.TransA ? p.A[p.AOff + q * p.Lda + i] : p.A[p.AOff + i * p.Lda + q];
                    double bv = p.TransB ? p.B[p.BOff + j * p.Ldb + q] : p.B[p.BOff + q * p.Ldb + j];
                    acc += av * bv; mag += Math.Abs(av * bv);
                }
                int ci = p.COff + i * p.Ldc + j;
                double c0 = p.Beta == 0 ? 0 : p.Beta * (double)p.C[ci];
                r[ci] = p.Alpha * acc + c0;
                tol[ci] = 2e-7 * (p.K + 4) * (Math.Abs(p.Alpha) * mag + Math.Abs(c0)) + 1e-30;
            }
        return (r, tol);
    }

    private static void AssertMatches(Problem p, double[] expected, double[] tol, string what)
    {
        for (int i = 0; i < p.C.Length; i++)
        {
            double err = Math.Abs(p.C[i] - expected[i]);
            if (!(err <= tol[i]))
                Assert.Fail($"{what}: C[{i}] = {p.C[i]} but expected {expected[i]} (err {err:G3} > tol {tol[i]:G3})");
        }
    }

    private static void Check(GemmBackend backend, int threads, GemmIsa? isa, int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad, int off)
    {
        var p = Make(m, n, k, ta, tb, alpha, beta, pad, off);
        var (expected, tol) = Oracle(p);
        Gemm.SgemmWith(backend, threads, ta, tb, m, n, k, alpha, p.A, p.AOff, p.Lda, p.B, p.BOff, p.Ldb, beta, p.C, p.COff, p.Ldc, isa);
        AssertMatches(p, expected, tol, $"{backend} {isa} m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta}");
    }

    [Theory]
    [MemberData(nameof(CasesPerIsa))]
    public void ManagedMatchesDoubleOracle(int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad, int off, string isa)
        => Check(GemmBackend.Managed, 2, Enum.Parse<GemmIsa>(isa), m, n, k, ta, tb, alpha, beta, pad, off);

    [OpenBlasTheory]
    [MemberData(nameof(Cases))]
    public void OpenBlasMatchesDoubleOracle(int m, int n, int k, bool ta, bool tb, float alpha, float beta, int pad, int off)
        => Check(GemmBackend.OpenBlas, 2, null, m, n, k, ta, tb, alpha, beta, pad, off);

    [Fact]
    public void PublicSgemmMatchesOracle()
    {
        var p = Make(37, 41, 43, true, false, 1.5f, 0.25f, 2, 1);
        var (expected, tol) = Oracle(p);
        Gemm.Sgemm(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.AOff, p.Lda, p.B, p.BOff, p.Ldb, p.Beta, p.C, p.COff, p.Ldc);
        AssertMatches(p, expected, tol, Gemm.Describe());
    }

    public static IEnumerable<object[]> Backends()
    {
        yield return new object[] { GemmBackend.Managed };
        if (Gemm.OpenBlasAvailable) yield return new object[] { GemmBackend.OpenBlas };
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BetaZeroIgnoresNaNInC(GemmBackend backend)
    {
        foreach (var (m, n, k, alpha) in new[] { (9, 35, 20, 1f), (40, 70, 300, -2f), (5, 6, 0, 1f), (5, 6, 7, 0f) })
        {
            var p = Make(m, n, k, false, true, alpha, 0f, 1, 2);
            Array.Fill(p.C, float.NaN);
            var (expected, tol) = Oracle(p);
            Gemm.SgemmWith(backend, 2, false, true, m, n, k, alpha, p.A, p.AOff, p.Lda, p.B, p.BOff, p.Ldb, 0f, p.C, p.COff, p.Ldc);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    int ci = p.COff + i * p.Ldc + j;
                    Assert.False(float.IsNaN(p.C[ci]), $"{backend} m={m} n={n} k={k} alpha={alpha}: C[{i},{j}] is NaN");
                    Assert.True(Math.Abs(p.C[ci] - expected[ci]) <= tol[ci], $"{backend}: C[{i},{j}] = {p.C[ci]} vs {expected[ci]}");
                }
            // Padding between rows (ld > n) is never written.
            Assert.True(float.IsNaN(p.C[p.COff + n]));
            Assert.True(float.IsNaN(p.C[0]));
        }
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Scalar")]
    public void ManagedIsBitwiseIndependentOfThreadCount(string isaName)
    {
        var isa = Enum.Parse<GemmIsa>(isaName);
        foreach (var (m, n, k, ta, tb) in new[] { (301, 517, 299, false, false), (130, 2100, 40, true, true), (1000, 33, 260, false, true) })
        {
            var p = Make(m, n, k, ta, tb, 0.75f, 0.5f, 3, 1);
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                var c = (float[])p.C.Clone();
                Gemm.SgemmWith(GemmBackend.Managed, threads, ta, tb, m, n, k, p.Alpha, p.A, p.AOff, p.Lda, p.B, p.BOff, p.Ldb, p.Beta, c, p.COff, p.Ldc, isa);
                if (first is null) first = c;
                else Assert.True(first.AsSpan().SequenceEqual(c), $"{isa} m={m} n={n} k={k}: {threads} threads differ from 1 thread");
            }
        }
    }

    public static IEnumerable<object[]> BatchedCases()
    {
        foreach (var backend in new[] { GemmBackend.Managed, GemmBackend.OpenBlas })
            foreach (var strategy in new[] { GemmBatchStrategy.PerMatrixThreaded, GemmBatchStrategy.ParallelOverBatch, GemmBatchStrategy.Auto })
                yield return new object[] { backend, strategy.ToString() };
    }

    [Theory]
    [MemberData(nameof(BatchedCases))]
    public void StridedBatchedMatchesOracle(GemmBackend backend, string strategyName)
    {
        var strategy = Enum.Parse<GemmBatchStrategy>(strategyName);
        if (backend == GemmBackend.OpenBlas && !Gemm.OpenBlasAvailable) return; // covered by the managed rows
        foreach (var (m, n, k, ta, tb, batch, shareB) in new[]
                 { (19, 23, 17, false, true, 7, false), (33, 8, 65, true, false, 5, true), (1, 40, 3, true, true, 3, false), (50, 50, 50, false, false, 1, false) })
        {
            int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
            long sa = (long)(ta ? k : m) * lda + 5, sb = shareB ? 0 : (long)(tb ? n : k) * ldb + 1, sc = (long)m * ldc + 2;
            int aOff = 3, bOff = 1, cOff = 4;
            var g = new Generator(99);
            var a = new float[aOff + sa * batch]; var b = new float[bOff + (shareB ? (tb ? n : k) * ldb : sb * batch)]; var c = new float[cOff + sc * batch];
            g.FillNormal(a); g.FillNormal(b); g.FillNormal(c);
            var c0 = (float[])c.Clone();
            Gemm.SgemmStridedBatchedWith(backend, strategy, 2, ta, tb, m, n, k, 1.25f, a, aOff, lda, sa, b, bOff, ldb, sb, -0.5f, c, cOff, ldc, sc, batch);
            for (int t = 0; t < batch; t++)
            {
                var p = new Problem(ta, tb, m, n, k, 1.25f, -0.5f, a, (int)(aOff + t * sa), lda, b, (int)(bOff + t * sb), ldb, c0, (int)(cOff + t * sc), ldc);
                var (expected, tol) = Oracle(p);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        int ci = (int)(cOff + t * sc) + i * ldc + j;
                        Assert.True(Math.Abs(c[ci] - expected[ci]) <= tol[ci], $"{backend} {strategy} batch {t} C[{i},{j}] = {c[ci]} vs {expected[ci]}");
                    }
            }
            // Gaps between the C matrices stay untouched.
            Assert.Equal(c0[cOff + (m - 1) * ldc + n], c[cOff + (m - 1) * ldc + n]);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ConcurrentCallersGetCorrectResults(GemmBackend backend)
    {
        // Plain calls racing with batched calls (which switch OpenBLAS to one thread for their duration).
        var problems = Enumerable.Range(0, 8).Select(i => Make(60 + 7 * i, 90 - 5 * i, 150, i % 2 == 0, i % 3 == 0, 1f, i % 2 == 0 ? 0.5f : 0f, 1, i)).ToArray();
        var expected = problems.Select(Oracle).ToArray();
        var batched = new float[problems.Length][];
        Parallel.For(0, problems.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var p = problems[i];
            if (i % 2 == 0)
                Gemm.SgemmWith(backend, 2, p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.AOff, p.Lda, p.B, p.BOff, p.Ldb, p.Beta, p.C, p.COff, p.Ldc);
            else
            {
                // Three copies of the same product (A and B broadcast with stride 0).
                long sc = (long)p.M * p.Ldc;
                batched[i] = new float[p.COff + 3 * sc];
                for (int rep = 0; rep < 20; rep++)
                    Gemm.SgemmStridedBatchedWith(backend, GemmBatchStrategy.ParallelOverBatch, 2, p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha,
                        p.A, p.AOff, p.Lda, 0, p.B, p.BOff, p.Ldb, 0, 0f, batched[i], p.COff, p.Ldc, sc, 3);
            }
        });
        for (int i = 0; i < problems.Length; i++)
        {
            var p = problems[i];
            if (i % 2 == 0) { AssertMatches(p, expected[i].Ref, expected[i].Tol, $"{backend} caller {i}"); continue; }
            for (int t = 0; t < 3; t++)
                for (int r = 0; r < p.M; r++)
                    for (int q = 0; q < p.N; q++)
                    {
                        int ci = p.COff + r * p.Ldc + q;
                        double got = batched[i][ci + t * p.M * p.Ldc];
                        Assert.True(Math.Abs(got - expected[i].Ref[ci]) <= expected[i].Tol[ci], $"{backend} batched caller {i}, matrix {t}, C[{r},{q}] = {got} vs {expected[i].Ref[ci]}");
                    }
        }
        if (backend == GemmBackend.OpenBlas) Assert.Equal(Engine.Threads, Gemm.OpenBlasThreadsWhenIdle); // restored after the batched calls
    }

    [Fact]
    public void ManagedBatchStrategiesAreBitwiseEqual()
    {
        int m = 45, n = 77, k = 70, batch = 9;
        var g = new Generator(5);
        var a = new float[m * k * batch]; var b = new float[k * n * batch];
        g.FillNormal(a); g.FillNormal(b);
        float[] Run(GemmBatchStrategy s, int threads)
        {
            var c = new float[m * n * batch];
            Gemm.SgemmStridedBatchedWith(GemmBackend.Managed, s, threads, false, true, m, n, k, 1f, a, 0, k, m * k, b, 0, k, k * n, 0f, c, 0, n, m * n, batch);
            return c;
        }
        var r1 = Run(GemmBatchStrategy.PerMatrixThreaded, 1);
        Assert.True(r1.AsSpan().SequenceEqual(Run(GemmBatchStrategy.PerMatrixThreaded, 2)));
        Assert.True(r1.AsSpan().SequenceEqual(Run(GemmBatchStrategy.ParallelOverBatch, 2)));
        Assert.True(r1.AsSpan().SequenceEqual(Run(GemmBatchStrategy.ParallelOverBatch, 3)));
    }

    [Fact]
    public void BatchRuleParallelizesManySmallMatricesOnly()
    {
        Assert.Equal(GemmBatchStrategy.ParallelOverBatch, Gemm.ChooseBatchStrategy(196, 196, 64, 256, 2));
        Assert.Equal(GemmBatchStrategy.PerMatrixThreaded, Gemm.ChooseBatchStrategy(196, 196, 64, 256, 1));
        Assert.Equal(GemmBatchStrategy.PerMatrixThreaded, Gemm.ChooseBatchStrategy(2048, 2048, 512, 8, 2));
        Assert.Equal(GemmBatchStrategy.PerMatrixThreaded, Gemm.ChooseBatchStrategy(196, 196, 64, 1, 2));
    }

    private static ArgumentException Fails(GemmBackend backend, bool ta, bool tb, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc)
        => Assert.ThrowsAny<ArgumentException>(() => Gemm.SgemmWith(backend, 2, ta, tb, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc));

    [Theory]
    [MemberData(nameof(Backends))]
    public void ValidationNamesSgemmParameterAndValues(GemmBackend backend)
    {
        var a = new float[6 * 4]; var b = new float[4 * 5]; var c = new float[6 * 5];
        var e = Fails(backend, false, false, -1, 5, 4, a, 0, 4, b, 0, 5, c, 0, 5);
        Assert.Contains("Sgemm", e.Message); Assert.Equal("m", e.ParamName); Assert.Contains("-1", e.Message);
        e = Fails(backend, false, false, 6, -2, 4, a, 0, 4, b, 0, 5, c, 0, 5); Assert.Equal("n", e.ParamName);
        e = Fails(backend, false, false, 6, 5, -3, a, 0, 4, b, 0, 5, c, 0, 5); Assert.Equal("k", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, 0, 3, b, 0, 5, c, 0, 5);
        Assert.Equal("lda", e.ParamName); Assert.Contains("lda = 3", e.Message); Assert.Contains("Sgemm", e.Message);
        e = Fails(backend, true, false, 6, 5, 4, a, 0, 4, b, 0, 5, c, 0, 5); // transA: A is 4×6, lda must be >= 6
        Assert.Equal("lda", e.ParamName); Assert.Contains("transA", e.Message);
        e = Fails(backend, false, true, 6, 5, 4, a, 0, 4, b, 0, 3, c, 0, 5); Assert.Equal("ldb", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, 0, 4, b, 0, 5, c, 0, 4); Assert.Equal("ldc", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, 1, 4, b, 0, 5, c, 0, 5);
        Assert.Equal("a", e.ParamName); Assert.Contains("24", e.Message); Assert.Contains("25", e.Message);
        e = Fails(backend, false, false, 6, 5, 4, a, 0, 4, b, 0, 6, c, 0, 5); Assert.Equal("b", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, 0, 4, b, 0, 5, c, 0, 6); Assert.Equal("c", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, -1, 4, b, 0, 5, c, 0, 5); Assert.Equal("aOffset", e.ParamName);
        e = Fails(backend, false, false, 6, 5, 4, a, 0, 4, b, 0, 5, c, 1000000, 5); Assert.Equal("c", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => Gemm.SgemmWith(backend, 2, false, false, 6, 5, 4, 1f, null!, 0, 4, b, 0, 5, 0f, c, 0, 5));
        // Nothing was written by the failed calls.
        Assert.All(c, v => Assert.Equal(0f, v));
        // Empty problems with empty buffers are valid.
        Gemm.SgemmWith(backend, 2, false, false, 0, 0, 0, 1f, [], 0, 1, [], 0, 1, 0f, [], 0, 1);
    }

    [Fact]
    public void PublicSgemmValidates()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 0, 2, new float[4], 0, 2, 0f, new float[4], 0, 2));
        Assert.Contains("Sgemm", e.Message); Assert.Equal("a", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BatchedValidation(GemmBackend backend)
    {
        int m = 3, n = 4, k = 5, batch = 4;
        var a = new float[m * k * batch]; var b = new float[k * n * batch]; var c = new float[m * n * batch];
        ArgumentException Bad(long sa, long sb, long sc, int nb, float[]? aa = null) => Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.SgemmStridedBatchedWith(backend, GemmBatchStrategy.ParallelOverBatch, 2, false, false, m, n, k, 1f, aa ?? a, 0, k, sa, b, 0, n, sb, 0f, c, 0, n, sc, nb));
        var e = Bad(m * k, k * n, m * n, -1); Assert.Equal("batch", e.ParamName); Assert.Contains("SgemmStridedBatched", e.Message);
        e = Bad(-1, k * n, m * n, batch); Assert.Equal("strideA", e.ParamName);
        e = Bad(m * k, k * n, 0, batch); Assert.Equal("strideC", e.ParamName); Assert.Contains("overlap", e.Message);
        e = Bad(m * k + 1, k * n, m * n, batch); Assert.Equal("a", e.ParamName); Assert.Contains("4 matrices", e.Message);
        e = Bad(m * k, k * n, m * n, batch, new float[m * k * batch - 1]); Assert.Equal("a", e.ParamName);
        e = Bad(m * k, k * n, m * n + 1, batch); Assert.Equal("c", e.ParamName);
        // Stride 0 on an input (broadcast) is valid.
        Gemm.SgemmStridedBatchedWith(backend, GemmBatchStrategy.ParallelOverBatch, 2, false, false, m, n, k, 1f, a, 0, k, 0, b, 0, n, k * n, 0f, c, 0, n, m * n, batch);
    }

    [Fact]
    public void DescribeNamesBackendAndThreads()
    {
        string d = Gemm.Describe();
        Assert.StartsWith("gemm: ", d);
        Assert.Contains("threads", d);
        Assert.Contains(Gemm.Backend == GemmBackend.OpenBlas ? "OpenBLAS" : "managed SIMD", d);
        Assert.Contains(d, Engine.Describe());
    }

    [OpenBlasFact]
    public void OpenBlasRunsAvx512KernelsOnAvx512Cpus()
    {
        // Holds whether or not the environment forces OPENBLAS_CORETYPE=Haswell (the override must win).
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Gemm.CoreTypeVariable))) return;
        string core = OpenBlas.CoreName;
        Assert.False(string.IsNullOrEmpty(core));
        if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported)
            Assert.Contains(core, new[] { "SkylakeX", "Cooperlake", "SapphireRapids" });
        // The user's value is restored after loading (child processes see the environment as it was).
        Assert.Equal(Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"), NativeEnv.Get("OPENBLAS_CORETYPE"));
        Assert.StartsWith("OpenBLAS ", OpenBlas.Version);
        Assert.True(OpenBlas.Threads >= 1);
    }

    [Fact]
    public void NativeEnvironmentRoundTrip()
    {
        const string name = "MIXFLOW_GEMM_TEST_VARIABLE";
        Assert.True(NativeEnv.Set(name, "x1"));
        Assert.Equal("x1", NativeEnv.Get(name));
        Assert.True(NativeEnv.Set(name, null));
        Assert.Null(NativeEnv.Get(name));
    }

    [Fact]
    public void BackendCannotBeSetOutsideTheEnum()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Backend = (GemmBackend)42);
}
