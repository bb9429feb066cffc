namespace MixFlow.Tensors.Kernels;

/// <summary>
/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ.
/// <para>Backends (<see cref="GemmBackend"/>): OpenBLAS (<c>libopenblas.so.0</c>, loaded lazily at first use, used when
/// present) and a packed SIMD GEMM in C# (used otherwise). Environment variables, read once at first use:</para>
/// <list type="bullet">
/// <item><c>MIXFLOW_GEMM=managed|openblas</c> forces a backend (<c>openblas</c> when the library cannot be loaded is an
/// error). Unset: OpenBLAS when available, else managed. <see cref="Backend"/> can also be set in code.</item>
/// <item><c>MIXFLOW_OPENBLAS_CORETYPE=NAME</c> is passed to OpenBLAS as <c>OPENBLAS_CORETYPE</c> (e.g. <c>SkylakeX</c>,
/// <c>Haswell</c>); <c>auto</c> removes it so that OpenBLAS detects the CPU. When it is not set and the CPU has
/// AVX-512 (F, BW, DQ, VL) while <c>OPENBLAS_CORETYPE</c> is unset or names a core without AVX-512 kernels (e.g.
/// <c>Haswell</c>, which halves the speed; OpenBLAS 0.3.21's own detection falls back to Prescott on some AVX-512
/// CPUs), <c>OPENBLAS_CORETYPE=SkylakeX</c> is put in the native environment for the load and the original value
/// restored afterwards, so child processes see the environment unchanged.</item>
/// <item><c>MIXFLOW_OPENBLAS_LIB=PATH</c> loads OpenBLAS from PATH instead of the default library names.</item>
/// </list>
/// <para>Threads: <see cref="Engine.Threads"/> (applied to OpenBLAS through <c>openblas_set_num_threads</c>). The managed
/// backend splits work over output blocks only (never over k), so its results are bitwise independent of the thread
/// count. Batched calls of many small matrices run the batch in parallel with single-threaded GEMMs (see
/// <see cref="SgemmStridedBatched"/>).</para>
/// </summary>
public static class Gemm
{
    /// <summary>Name of the environment variable that forces the backend (<c>managed</c> or <c>openblas</c>).</summary>
    public const string BackendVariable = "MIXFLOW_GEMM";

    /// <summary>Name of the environment variable whose value is passed to OpenBLAS as <c>OPENBLAS_CORETYPE</c> (<c>auto</c>: detect).</summary>
    public const string CoreTypeVariable = OpenBlas.CoreTypeVariable;

    private static readonly object ResolveLock = new();
    private static readonly object BlasThreadLock = new();
    private static volatile int _backend = -1; // a GemmBackend, or -1 until resolved

    /// <summary>The backend used by <see cref="Sgemm"/> and <see cref="SgemmStridedBatched"/>. Resolved at first use from
    /// <c>MIXFLOW_GEMM</c> and the availability of OpenBLAS.</summary>
    /// <exception cref="InvalidOperationException">Set (or forced through <c>MIXFLOW_GEMM</c>) to <see cref="GemmBackend.OpenBlas"/>
    /// while the library cannot be loaded, or <c>MIXFLOW_GEMM</c> has a value other than <c>managed</c>/<c>openblas</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value outside the enum.</exception>
    public static GemmBackend Backend
    {
        get
        {
            int b = _backend;
            if (b >= 0) return (GemmBackend)b;
            lock (ResolveLock)
            {
                if (_backend < 0) _backend = (int)Resolve();
                return (GemmBackend)_backend;
            }
        }
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), $"Gemm.Backend: unknown backend {(int)value}");
            if (value == GemmBackend.OpenBlas && !OpenBlas.Available)
                throw new InvalidOperationException($"Gemm.Backend: OpenBLAS cannot be used: {OpenBlas.LoadError}");
            lock (ResolveLock) _backend = (int)value;
        }
    }

    /// <summary>True when OpenBLAS could be loaded (loads it on first call).</summary>
    public static bool OpenBlasAvailable => OpenBlas.Available;

    internal static int Threads => Engine.Threads;

    private static GemmBackend Resolve()
    {
        string? forced = Environment.GetEnvironmentVariable(BackendVariable)?.Trim();
        if (string.IsNullOrEmpty(forced)) return OpenBlas.Available ? GemmBackend.OpenBlas : GemmBackend.Managed;
        if (forced.Equals("managed", StringComparison.OrdinalIgnoreCase)) return GemmBackend.Managed;
        if (forced.Equals("openblas", StringComparison.OrdinalIgnoreCase))
        {
            if (!OpenBlas.Available)
                throw new InvalidOperationException($"Gemm: {BackendVariable}=openblas but OpenBLAS cannot be loaded: {OpenBlas.LoadError}");
            return GemmBackend.OpenBlas;
        }
        throw new InvalidOperationException($"Gemm: {BackendVariable}='{forced}' is not a backend; expected 'managed' or 'openblas'");
    }

    /// <summary>One line naming the backend, e.g. <c>"gemm: OpenBLAS 0.3.21 (core SkylakeX, 2 threads; OPENBLAS_CORETYPE=Haswell overridden)"</c>
    /// or <c>"gemm: managed SIMD (Vector512, 2 threads)"</c>.</summary>
    /// <exception cref="InvalidOperationException">As for <see cref="Backend"/>.</exception>
    public static string Describe()
    {
        if (Backend == GemmBackend.OpenBlas)
        {
            string note = OpenBlas.CoreTypeNote is { } n ? $"; {n}" : "";
            return $"gemm: {OpenBlas.Version} (core {OpenBlas.CoreName}, {OpenBlas.Threads} threads{note})";
        }
        string why = OpenBlas.LoadFailed ? $"; OpenBLAS unavailable: {OpenBlas.LoadError}" : "";
        return $"gemm: managed SIMD ({GemmManaged.IsaName(GemmManaged.BestIsa)}, {Threads} threads{why})";
    }

    /// <summary>OpenBLAS's thread count read while no batched call has it switched to one thread (0 when not loaded).</summary>
    internal static int OpenBlasThreadsWhenIdle { get { lock (BlasThreadLock) return OpenBlas.IsLoaded ? OpenBlas.Threads : 0; } }

    /// <summary>Called by <see cref="Engine.Threads"/>: applies the thread count to OpenBLAS if it is loaded.</summary>
    internal static void OnThreadsChanged(int threads)
    {
        if (!OpenBlas.IsLoaded) return;
        lock (BlasThreadLock) OpenBlas.Threads = threads;
    }

    /// <summary>C[m×n] = alpha·op(A)·op(B) + beta·C, row-major. A is m×k (k×m when <paramref name="transA"/>) with row
    /// stride <paramref name="lda"/> starting at <paramref name="aOffset"/>; B is k×n (n×k when <paramref name="transB"/>);
    /// C is m×n with row stride <paramref name="ldc"/>. With beta = 0 the prior contents of C are ignored (NaN included).</summary>
    /// <exception cref="ArgumentNullException">A buffer is null.</exception>
    /// <exception cref="ArgumentException">A negative dimension or offset, a leading dimension smaller than the row
    /// length of its matrix as stored, or a buffer too short for the matrix at its offset.</exception>
    /// <exception cref="InvalidOperationException"><c>MIXFLOW_GEMM</c> is invalid or forces an OpenBLAS that cannot be loaded (first call).</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
        => SgemmWith(Backend, Threads, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);

    /// <summary><see cref="Sgemm"/> on a chosen backend; <paramref name="threads"/> applies to the managed backend
    /// (OpenBLAS uses its global thread count).</summary>
    internal static void SgemmWith(GemmBackend backend, int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
        GemmIsa? isa = null)
    {
        Validate("Sgemm", transA, transB, m, n, k, a, aOffset, lda, 0, b, bOffset, ldb, 0, c, cOffset, ldc, 0, 1);
        if (m == 0 || n == 0) return;
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                if (backend == GemmBackend.OpenBlas && threads > 1 && k > 0 && alpha != 0 && SplitEnabled
                    && 2L * m * n * k >= SplitMinFlops && Math.Max(m, n) >= 2 * SplitAlign && OpenBlas.Available)
                    SplitOpenBlas(threads, transA, transB, m, n, k, alpha, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
                else
                    Run(backend, threads, isa ?? GemmManaged.BestIsa, transA, transB, m, n, k, alpha,
                        pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, start, count) over [0, <paramref name="count"/>) items in
    /// <paramref name="chunks"/> contiguous chunks on the engine's threads, with OpenBLAS switched to one thread for the
    /// duration, so that the body can issue many small GEMMs through <see cref="SgemmWith"/> with threads = 1 (each
    /// item computed the same way on any thread: results do not depend on the chunking).
    /// </summary>
    internal static void ForEachSingleThreaded(int count, int chunks, Action<int, int, int> body)
    {
        chunks = Math.Max(1, Math.Min(chunks, count));
        if (count == 0) return;
        void Chunk(int c)
        {
            int s = (int)((long)count * c / chunks), e = (int)((long)count * (c + 1) / chunks);
            if (e > s) body(c, s, e - s);
        }
        if (chunks == 1 || Threads <= 1) { for (int c = 0; c < chunks; c++) Chunk(c); return; }
        if (!(Backend == GemmBackend.OpenBlas && OpenBlas.Available)) { Parallel.For(0, chunks, Engine.ParallelOptions, Chunk); return; }
        lock (BlasThreadLock)
        {
            OpenBlas.Threads = 1;
            try { Parallel.For(0, chunks, Engine.ParallelOptions, Chunk); }
            finally { OpenBlas.Threads = Threads; }
        }
    }

    /// <summary>True unless the environment variable <c>MIXFLOW_GEMM_SPLIT=0</c> (read once) turns <see cref="SplitOpenBlas"/>
    /// off, leaving large calls to OpenBLAS's own threading (for comparisons).</summary>
    internal static readonly bool SplitEnabled = Environment.GetEnvironmentVariable("MIXFLOW_GEMM_SPLIT") != "0";

    /// <summary>
    /// FLOPs (2·m·n·k) from which one OpenBLAS call is split by us over the threads (see <see cref="SplitOpenBlas"/>):
    /// 2^30 ≈ 1.07 GFLOP. Measured on the quiet 2-core machine (1 Dec 2026, bench <c>dit 2 5 0</c> / <c>mlp 2 40</c>):
    /// the split makes the DiT step (linear GEMMs of 1.6–6.6 GFLOP) faster (2 950 vs 3 230 ms without it) but the MLP
    /// step (GEMMs of 0.5 GFLOP) slower (67.8 ms with it; 49.9, 57.8 and 60.4 ms in three runs without it — the MLP
    /// figure is noisy by ±10 ms), so calls below this size keep OpenBLAS's own threading.
    /// </summary>
    internal const long SplitMinFlops = 1L << 30;

    /// <summary>Row/column alignment of the split blocks (a multiple of the SIMD kernels' register tiles).</summary>
    private const int SplitAlign = 64;

    /// <summary>
    /// <see cref="SplitOpenBlas"/> on arrays, whatever the size (for tests of the split at small sizes; the dispatch in
    /// <see cref="SgemmWith"/> takes it only from <see cref="SplitMinFlops"/>). Requires OpenBLAS.
    /// </summary>
    internal static unsafe void SgemmSplitForTests(int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        if (!OpenBlas.Available) throw new InvalidOperationException("Gemm.SgemmSplitForTests: OpenBLAS is not available");
        fixed (float* pa = a, pb = b, pc = c)
            SplitOpenBlas(threads, transA, transB, m, n, k, alpha, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
    }

    /// <summary>
    /// One large GEMM as <paramref name="threads"/> independent single-threaded OpenBLAS calls on disjoint blocks of C
    /// (rows of C when m ≥ n, else columns), run on the engine's threads. Each element of C is still one dot product
    /// over the whole k in OpenBLAS's order, so the split changes no reduction. OpenBLAS's own threading busy-waits for
    /// its workers at every call, which burns CPU time (and stalls) when the cores are shared with other processes.
    /// </summary>
    private static unsafe void SplitOpenBlas(int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        bool rows = m >= n;
        int extent = rows ? m : n;
        int blocks = (extent + SplitAlign - 1) / SplitAlign;
        int chunks = Math.Min(threads, blocks);
        nint ia = (nint)a, ib = (nint)b, ic = (nint)c;
        var options = threads == Engine.Threads ? Engine.ParallelOptions : new ParallelOptions { MaxDegreeOfParallelism = threads };
        void Body(int t)
        {
            int s = (int)((long)blocks * t / chunks) * SplitAlign, e = Math.Min(extent, (int)((long)blocks * (t + 1) / chunks) * SplitAlign);
            if (e <= s) return;
            float* pa = (float*)ia, pb = (float*)ib, pc = (float*)ic;
            if (rows)
                OpenBlas.Sgemm(transA, transB, e - s, n, k, alpha, transA ? pa + s : pa + (long)s * lda, lda, pb, ldb, beta, pc + (long)s * ldc, ldc);
            else
                OpenBlas.Sgemm(transA, transB, m, e - s, k, alpha, pa, lda, transB ? pb + (long)s * ldb : pb + s, ldb, beta, pc + s, ldc);
        }
        lock (BlasThreadLock)
        {
            OpenBlas.Threads = 1;
            try { Parallel.For(0, chunks, options, Body); }
            finally { OpenBlas.Threads = Threads; }
        }
    }

    /// <summary>One validated GEMM with m, n &gt; 0 on raw (offset) pointers.</summary>
    private static unsafe void Run(GemmBackend backend, int threads, GemmIsa isa, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (k == 0 || alpha == 0) { ScaleC(m, n, beta, c, ldc); return; }
        if (backend == GemmBackend.OpenBlas && OpenBlas.Available)
            OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            GemmManaged.Sgemm(isa, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>C = beta·C (beta = 0 writes zeros without reading C).</summary>
    private static unsafe void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>A batch of GEMMs with fixed strides between consecutive A, B and C matrices (matrix i of A starts at
    /// <c>aOffset + i·strideA</c>, and so on); a stride of 0 reuses one A or B for the whole batch. Many small matrices
    /// (fewer than <see cref="ParallelBatchMaxFlops"/> FLOPs each, at least as many as threads) run in parallel over
    /// the batch, each single-threaded; larger ones one after another with all threads each.</summary>
    /// <exception cref="ArgumentNullException">A buffer is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Sgemm"/> for any matrix of the batch; a negative batch or
    /// stride; or a C stride so small that the batch's C matrices overlap.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Sgemm"/>.</exception>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, long strideA, float[] b, int bOffset, int ldb, long strideB,
        float beta, float[] c, int cOffset, int ldc, long strideC, int batch)
        => SgemmStridedBatchedWith(Backend, GemmBatchStrategy.Auto, Threads, transA, transB, m, n, k, alpha,
            a, aOffset, lda, strideA, b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch);

    /// <summary>Per-matrix FLOPs (2·m·n·k) below which a batch runs in parallel over its matrices (see the measurements
    /// in <see cref="ChooseBatchStrategy"/>).</summary>
    internal const long ParallelBatchMaxFlops = 64L << 20;

    // Measured on the 2-core AVX-512 (Sapphire Rapids) dev machine, OpenBLAS 0.3.21 SkylakeX kernels vs the managed
    // Vector512 kernel, 2 threads, GFLOP/s (median of 5 after warm-up, GemmBench). The machine is shared with other
    // jobs; the second set was taken at load average ≈ 30 on 2 cores:
    //                                      OpenBLAS              managed
    //   batch × m×n×k                      per-matrix | par.     per-matrix | par.
    //   quiet-ish (load ≈ 8):
    //   256 × 196×196×64 NT (attn Q·Kᵀ)    31.0 | 31.7           31.4 | 25.7
    //   256 × 196×64×196 NN (attn P·V)     25.9 | 24.2           17.4 | 17.5
    //   loaded (load ≈ 30):
    //   256 × 196×196×64 NT                 2.0 | 16.6           13.2 | 18.3
    //   256 × 196×64×196 NN                 3.4 | 17.1           18.0 | 14.2
    //   32 × 256×256×256 NN (best of 21)   53   | 59             51   | 53
    //   8 × 512×512×512 NN (best of 21)    65   | 57             56   | 57
    // OpenBLAS's own threading on a small matrix costs a thread hand-off per call (its worker busy-waits), which
    // collapses when the cores are shared; single-threaded calls spread over the batch never lose much and win big
    // under contention. From ≈ 256³ per matrix on, the two are within noise, so the threshold sits at 64 MFLOP.
    /// <summary>The rule: parallel over the batch when there are at least as many matrices as threads and each is small.</summary>
    internal static GemmBatchStrategy ChooseBatchStrategy(int m, int n, int k, int batch, int threads)
    {
        if (threads <= 1 || batch < 2) return GemmBatchStrategy.PerMatrixThreaded;
        long flops = 2L * m * n * k;
        return batch >= threads && flops < ParallelBatchMaxFlops ? GemmBatchStrategy.ParallelOverBatch : GemmBatchStrategy.PerMatrixThreaded;
    }

    /// <summary><see cref="SgemmStridedBatched"/> on a chosen backend and strategy.</summary>
    internal static void SgemmStridedBatchedWith(GemmBackend backend, GemmBatchStrategy strategy, int threads,
        bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, long strideA, float[] b, int bOffset, int ldb, long strideB,
        float beta, float[] c, int cOffset, int ldc, long strideC, int batch, GemmIsa? isa = null)
    {
        const string op = "SgemmStridedBatched";
        if (batch < 0) throw new ArgumentException($"{op}: batch = {batch} must be >= 0", nameof(batch));
        if (strideA < 0) throw new ArgumentException($"{op}: strideA = {strideA} must be >= 0", nameof(strideA));
        if (strideB < 0) throw new ArgumentException($"{op}: strideB = {strideB} must be >= 0", nameof(strideB));
        if (strideC < 0) throw new ArgumentException($"{op}: strideC = {strideC} must be >= 0", nameof(strideC));
        Validate(op, transA, transB, m, n, k, a, aOffset, lda, strideA, b, bOffset, ldb, strideB, c, cOffset, ldc, strideC, batch);
        if (batch > 1 && m > 0 && n > 0 && strideC < (long)(m - 1) * ldc + n)
            throw new ArgumentException($"{op}: strideC = {strideC} makes the {m}×{n} C matrices (ldc {ldc}) overlap; needs >= {(long)(m - 1) * ldc + n}", nameof(strideC));
        if (batch == 0 || m == 0 || n == 0) return;
        var gemmIsa = isa ?? GemmManaged.BestIsa;
        if (strategy == GemmBatchStrategy.Auto) strategy = ChooseBatchStrategy(m, n, k, batch, threads);
        bool blas = backend == GemmBackend.OpenBlas && OpenBlas.Available;
        unsafe
        {
            fixed (float* pa0 = a, pb0 = b, pc0 = c)
            {
                float* pa = pa0 + aOffset, pb = pb0 + bOffset, pc = pc0 + cOffset;
                if (strategy == GemmBatchStrategy.PerMatrixThreaded || threads <= 1 || batch == 1)
                {
                    for (int i = 0; i < batch; i++)
                        Run(backend, threads, gemmIsa, transA, transB, m, n, k, alpha, pa + i * strideA, lda, pb + i * strideB, ldb, beta, pc + i * strideC, ldc);
                    return;
                }
                nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc;
                // Matrices are independent and each is computed the same way on any thread, so finer chunks than
                // threads (better balance when cores are shared) cannot change results.
                int chunks = (int)Math.Min(batch, 4L * threads);
                var options = threads == Engine.Threads ? Engine.ParallelOptions : new ParallelOptions { MaxDegreeOfParallelism = threads };
                void Body(int t)
                {
                    int s = (int)((long)batch * t / chunks), e = (int)((long)batch * (t + 1) / chunks);
                    for (int i = s; i < e; i++)
                        Run(backend, 1, gemmIsa, transA, transB, m, n, k, alpha, (float*)ia + i * strideA, lda, (float*)ib + i * strideB, ldb, beta, (float*)ic + i * strideC, ldc);
                }
                if (!blas) { Parallel.For(0, chunks, options, Body); return; }
                // openblas_set_num_threads is global: single-threaded OpenBLAS runs each call on the calling thread.
                // Hold the lock for the loop so that concurrent batched callers and Engine.Threads changes do not race.
                lock (BlasThreadLock)
                {
                    OpenBlas.Threads = 1;
                    try { Parallel.For(0, chunks, options, Body); }
                    finally { OpenBlas.Threads = Threads; }
                }
            }
        }
    }

    /// <summary>Checks dimensions, leading dimensions and buffer extents of all matrices before any kernel (above all
    /// native code, which would read out of bounds) runs.</summary>
    private static void Validate(string op, bool transA, bool transB, int m, int n, int k,
        float[] a, int aOffset, int lda, long strideA, float[] b, int bOffset, int ldb, long strideB,
        float[] c, int cOffset, int ldc, long strideC, int batch)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (m < 0) throw new ArgumentException($"{op}: m = {m} must be >= 0", nameof(m));
        if (n < 0) throw new ArgumentException($"{op}: n = {n} must be >= 0", nameof(n));
        if (k < 0) throw new ArgumentException($"{op}: k = {k} must be >= 0", nameof(k));
        CheckMatrix(op, "A", "a", "aOffset", "lda", a, aOffset, lda, transA ? k : m, transA ? m : k, strideA, batch,
            transA ? "transA: A is stored k×m" : "A is stored m×k");
        CheckMatrix(op, "B", "b", "bOffset", "ldb", b, bOffset, ldb, transB ? n : k, transB ? k : n, strideB, batch,
            transB ? "transB: B is stored n×k" : "B is stored k×n");
        CheckMatrix(op, "C", "c", "cOffset", "ldc", c, cOffset, ldc, m, n, strideC, batch, "C is m×n");
    }

    private static void CheckMatrix(string op, string mat, string bufName, string offName, string ldName,
        float[] buf, int offset, int ld, int rows, int cols, long stride, int batch, string layout)
    {
        if (offset < 0) throw new ArgumentException($"{op}: {offName} = {offset} must be >= 0", offName);
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"{op}: {ldName} = {ld} is smaller than max(1, {cols}), the row length of {mat} ({layout}, {rows}×{cols})", ldName);
        if (rows == 0 || cols == 0 || batch == 0) return;
        long need = offset + (long)(batch - 1) * stride + (long)(rows - 1) * ld + cols;
        if (need > buf.Length)
        {
            string batchText = batch > 1 ? $", {batch} matrices {stride} apart" : "";
            throw new ArgumentException($"{op}: buffer {bufName} has {buf.Length} elements but {mat} ({layout}, {rows}×{cols}, {ldName} {ld}, {offName} {offset}{batchText}) needs {need}", bufName);
        }
    }
}
