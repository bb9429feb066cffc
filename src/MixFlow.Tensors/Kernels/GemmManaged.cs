using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixFlow.Tensors.Kernels;

/// <summary>Micro-kernel instruction set of the managed GEMM.</summary>
internal enum GemmIsa
{
    /// <summary>8×32 register tile of 16 <see cref="Vector512{T}"/> accumulators.</summary>
    Vector512,
    /// <summary>6×16 register tile of 12 <see cref="Vector256{T}"/> accumulators.</summary>
    Vector256,
    /// <summary>4×4 scalar tile (no SIMD); same fused multiply-add arithmetic as the vector kernels.</summary>
    Scalar,
}

/// <summary>
/// Packed, register-blocked SGEMM in C# (GotoBLAS loop structure). op(B) is packed in KC×NR slivers (KC×NC blocks),
/// op(A) in MR×KC slivers (MC×KC blocks), zero-padded at the edges; a micro-kernel keeps an MR×NR tile of C in
/// registers over one KC block. Work is split over output regions only (never over k), and every element of C is
/// computed with the same sequence of fused multiply-adds wherever its tile lies, so results are bitwise identical
/// for any thread count. Packing buffers are pinned, per thread and reused.
/// </summary>
internal static unsafe class GemmManaged
{
    internal const int KC = 256, MC = 192, NC = 2048;

    /// <summary>Below this many FLOPs per task a task is not worth a thread hand-off.</summary>
    private const long MinFlopsPerTask = 4_000_000;

    /// <summary>The widest micro-kernel this CPU runs natively.</summary>
    internal static readonly GemmIsa BestIsa =
        (Avx512F.IsSupported || Vector512.IsHardwareAccelerated) ? GemmIsa.Vector512
        : Vector256.IsHardwareAccelerated ? GemmIsa.Vector256 : GemmIsa.Scalar;

    internal static string IsaName(GemmIsa isa) => isa.ToString();

    private static int Mr(GemmIsa isa) => isa switch { GemmIsa.Vector512 => 8, GemmIsa.Vector256 => 6, _ => 4 };
    private static int Nr(GemmIsa isa) => isa switch { GemmIsa.Vector512 => 32, GemmIsa.Vector256 => 16, _ => 4 };

    [ThreadStatic] private static float[]? _bufA;
    [ThreadStatic] private static float[]? _bufB;

    private static float* Aligned(float[] buf) => (float*)(((nint)Unsafe.AsPointer(ref buf[0]) + 63) & ~(nint)63);

    /// <summary>Per-thread pinned packing buffers, grown to the largest blocks this thread has needed (at most
    /// MC×KC and KC×NC floats) and then reused.</summary>
    private static void Buffers(int needA, int needB, out float* a, out float* b)
    {
        if (_bufA is null || _bufA.Length < needA + 16) _bufA = GC.AllocateUninitializedArray<float>(needA + 16, pinned: true);
        if (_bufB is null || _bufB.Length < needB + 16) _bufB = GC.AllocateUninitializedArray<float>(needB + 16, pinned: true);
        a = Aligned(_bufA);
        b = Aligned(_bufB);
    }

    private static int RoundUp(int x, int unit) => (x + unit - 1) / unit * unit;

    /// <summary>The operands of one call; pointers already offset. Arguments validated by the caller; m, n, k &gt; 0.</summary>
    private readonly struct Job
    {
        public readonly GemmIsa Isa;
        public readonly bool TransA, TransB;
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly float Alpha, Beta;
        public readonly nint A, B, C;

        public Job(GemmIsa isa, bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        {
            Isa = isa; TransA = transA; TransB = transB; M = m; N = n; K = k; Alpha = alpha; Beta = beta;
            A = (nint)a; B = (nint)b; C = (nint)c; Lda = lda; Ldb = ldb; Ldc = ldc;
        }
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C on up to <paramref name="threads"/> threads. m, n, k &gt; 0, arguments valid.</summary>
    internal static void Sgemm(GemmIsa isa, int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var job = new Job(isa, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        int mr = Mr(isa), nr = Nr(isa);
        int mUnits = (m + mr - 1) / mr, nUnits = (n + nr - 1) / nr;
        long flops = 2L * m * n * k;
        int tasks = (int)Math.Clamp(flops / MinFlopsPerTask, 1, Math.Max(1, threads));
        tasks = Math.Min(tasks, mUnits * nUnits);
        if (tasks <= 1) { RunRegion(in job, 0, m, 0, n); return; }
        // Grid tr × tc = tasks minimizing the per-task packing work (rows + columns of the region), ties to rows.
        int tr = 1, tc = tasks; long best = long.MaxValue;
        for (int r = 1; r <= tasks; r++)
        {
            if (tasks % r != 0) continue;
            int cc = tasks / r;
            if (r > mUnits || cc > nUnits) continue;
            long rows = (long)((mUnits + r - 1) / r) * mr, cols = (long)((nUnits + cc - 1) / cc) * nr;
            long cost = rows * cols * 4 + rows * k + cols * k; // area dominates (balance), then packing
            if (cost < best) { best = cost; tr = r; tc = cc; }
        }
        if (best == long.MaxValue) { tr = Math.Min(tasks, mUnits); tc = 1; }
        int tr2 = tr, tc2 = tc, total = tr * tc;
        var options = threads == Engine.Threads ? Engine.ParallelOptions : new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, total, options, t =>
        {
            int ri = t / tc2, ci = t % tc2;
            int i0 = (int)((long)mUnits * ri / tr2) * mr, i1 = Math.Min(m, (int)((long)mUnits * (ri + 1) / tr2) * mr);
            int j0 = (int)((long)nUnits * ci / tc2) * nr, j1 = Math.Min(n, (int)((long)nUnits * (ci + 1) / tc2) * nr);
            if (i0 < i1 && j0 < j1) RunRegion(in job, i0, i1, j0, j1);
        });
    }

    /// <summary>Single-threaded GEMM over the output region rows [i0, i1) × columns [j0, j1).</summary>
    private static void RunRegion(in Job job, int i0, int i1, int j0, int j1)
    {
        int mr = Mr(job.Isa), nr = Nr(job.Isa);
        int kcMax = Math.Min(KC, job.K);
        Buffers(RoundUp(Math.Min(MC, i1 - i0), mr) * kcMax, RoundUp(Math.Min(NC, j1 - j0), nr) * kcMax, out float* bufA, out float* bufB);
        float* tile = stackalloc float[8 * 32];
        float* a = (float*)job.A, b = (float*)job.B, c = (float*)job.C;
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < job.K; pc += KC)
            {
                int kc = Math.Min(KC, job.K - pc);
                PackB(job.TransB, b, job.Ldb, pc, jc, kc, nc, nr, bufB);
                int mode = pc > 0 ? 2 : job.Beta == 0 ? 0 : 1;
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    PackA(job.TransA, a, job.Lda, ic, pc, mc, kc, mr, bufA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* pb = bufB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* pa = bufA + (long)ir * kc;
                            float* pcp = c + (long)(ic + ir) * job.Ldc + jc + jr;
                            if (rows == mr && cols == nr)
                                Kernel(job.Isa, kc, pa, pb, pcp, job.Ldc, job.Alpha, job.Beta, mode);
                            else
                                EdgeTile(job.Isa, kc, pa, pb, pcp, job.Ldc, job.Alpha, job.Beta, mode, rows, cols, mr, nr, tile);
                        }
                    }
                }
            }
        }
    }

    /// <summary>A partial tile: run the full kernel on a scratch tile holding the valid part of C, copy back.</summary>
    private static void EdgeTile(GemmIsa isa, int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode,
        int rows, int cols, int mr, int nr, float* tile)
    {
        if (mode != 0)
        {
            for (int r = 0; r < rows; r++)
                for (int q = 0; q < cols; q++) tile[r * nr + q] = c[(long)r * ldc + q];
        }
        // A sliver at most 16 wide needs only the left half of the 8×32 tile (same per-element arithmetic).
        if (isa == GemmIsa.Vector512 && cols <= 16) Kernel512Half(kc, pa, pb, tile, nr, alpha, beta, mode);
        else Kernel(isa, kc, pa, pb, tile, nr, alpha, beta, mode);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++) c[(long)r * ldc + q] = tile[r * nr + q];
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into slivers of nr columns: dst[jr·kc + p·nr + q], zero-padded.</summary>
    private static void PackB(bool transB, float* b, int ldb, int pc, int jc, int kc, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* d = dst + (long)jr * kc;
            if (!transB)
            {
                // op(B)(p, j) = b[p·ldb + j]: rows of the sliver are contiguous in B.
                float* s = b + (long)pc * ldb + jc + jr;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++, s += ldb, d += nr) CopyFull(s, d, nr);
                }
                else
                {
                    for (int p = 0; p < kc; p++, s += ldb, d += nr)
                    {
                        int q = 0;
                        for (; q < cols; q++) d[q] = s[q];
                        for (; q < nr; q++) d[q] = 0;
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j·ldb + p]: each column of the sliver is contiguous in B; 8×8 blocks are transposed
                // in registers, the rest element by element.
                int q8 = 0;
                if (Avx.IsSupported)
                {
                    int kc8 = kc & ~7;
                    for (; q8 + 8 <= cols; q8 += 8)
                    {
                        float* s = b + (long)(jc + jr + q8) * ldb + pc;
                        for (int p = 0; p < kc8; p += 8) Transpose8x8(s + p, ldb, d + (long)p * nr + q8, nr);
                        for (int q = q8; q < q8 + 8; q++)
                        {
                            float* sq = b + (long)(jc + jr + q) * ldb + pc;
                            for (int p = kc8; p < kc; p++) d[p * nr + q] = sq[p];
                        }
                    }
                }
                for (int q = q8; q < nr; q++)
                {
                    if (q < cols)
                    {
                        float* s = b + (long)(jc + jr + q) * ldb + pc;
                        for (int p = 0; p < kc; p++) d[p * nr + q] = s[p];
                    }
                    else
                        for (int p = 0; p < kc; p++) d[p * nr + q] = 0;
                }
            }
        }
    }

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] into slivers of mr rows: dst[ir·kc + p·mr + r], zero-padded.</summary>
    private static void PackA(bool transA, float* a, int lda, int ic, int pc, int mc, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* d = dst + (long)ir * kc;
            if (transA)
            {
                // op(A)(i, p) = a[p·lda + i]: each k-step of the sliver is contiguous in A.
                float* s = a + (long)pc * lda + ic + ir;
                if (rows == mr)
                    for (int p = 0; p < kc; p++, s += lda, d += mr) CopyFull(s, d, mr);
                else
                    for (int p = 0; p < kc; p++, s += lda, d += mr)
                    {
                        int r = 0;
                        for (; r < rows; r++) d[r] = s[r];
                        for (; r < mr; r++) d[r] = 0;
                    }
            }
            else if (rows == 8 && mr == 8 && Avx.IsSupported)
            {
                // op(A)(i, p) = a[i·lda + p]: a transpose while packing, 8×8 blocks in registers.
                float* s = a + (long)(ic + ir) * lda + pc;
                int kc8 = kc & ~7;
                for (int p = 0; p < kc8; p += 8) Transpose8x8(s + p, lda, d + p * 8, 8);
                for (int r = 0; r < 8; r++)
                    for (int p = kc8; p < kc; p++) d[p * 8 + r] = s[(long)r * lda + p];
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: each row of the sliver is contiguous in A (a transpose while packing).
                for (int r = 0; r < mr; r++)
                {
                    if (r < rows)
                    {
                        float* s = a + (long)(ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++) d[p * mr + r] = s[p];
                    }
                    else
                        for (int p = 0; p < kc; p++) d[p * mr + r] = 0;
                }
            }
        }
    }

    /// <summary>dst[j·dstStride + i] = src[i·srcStride + j] for an 8×8 block (AVX unpack/shuffle/permute network).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long srcStride, float* dst, long dstStride)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride); var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride); var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride); var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyFull(float* s, float* d, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
        for (; i < count; i++) d[i] = s[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(GemmIsa isa, int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode)
    {
        switch (isa)
        {
            case GemmIsa.Vector512: Kernel512(kc, pa, pb, c, ldc, alpha, beta, mode); break;
            case GemmIsa.Vector256: Kernel256(kc, pa, pb, c, ldc, alpha, beta, mode); break;
            default: KernelScalar(kc, pa, pb, c, ldc, alpha, beta, mode); break;
        }
    }

    // mode 0: C = alpha·acc (first k block, beta = 0: C is never read, so NaN in C is ignored);
    // mode 1: C = alpha·acc + beta·C (first k block); mode 2: C = alpha·acc + C (later k blocks).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* dst, Vector512<float> acc, Vector512<float> va, Vector512<float> vb, int mode)
    {
        if (mode == 0) Vector512.Store(acc * va, dst);
        else if (mode == 1) Vector512.Store(Vector512.FusedMultiplyAdd(acc, va, vb * Vector512.Load(dst)), dst);
        else Vector512.Store(Vector512.FusedMultiplyAdd(acc, va, Vector512.Load(dst)), dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* dst, Vector256<float> acc, Vector256<float> va, Vector256<float> vb, int mode)
    {
        if (mode == 0) Vector256.Store(acc * va, dst);
        else if (mode == 1) Vector256.Store(Vector256.FusedMultiplyAdd(acc, va, vb * Vector256.Load(dst)), dst);
        else Vector256.Store(Vector256.FusedMultiplyAdd(acc, va, Vector256.Load(dst)), dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            var a = Vector512.Create(pa[0]);
            c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[1]);
            c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[2]);
            c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[3]);
            c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[4]);
            c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[5]);
            c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(pa[6]);
            c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(pa[7]);
            c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
            pa += 8; pb += 32;
        }
        var va = Vector512.Create(alpha); var vb = Vector512.Create(beta);
        Update(c, c00, va, vb, mode); Update(c + 16, c01, va, vb, mode); c += ldc;
        Update(c, c10, va, vb, mode); Update(c + 16, c11, va, vb, mode); c += ldc;
        Update(c, c20, va, vb, mode); Update(c + 16, c21, va, vb, mode); c += ldc;
        Update(c, c30, va, vb, mode); Update(c + 16, c31, va, vb, mode); c += ldc;
        Update(c, c40, va, vb, mode); Update(c + 16, c41, va, vb, mode); c += ldc;
        Update(c, c50, va, vb, mode); Update(c + 16, c51, va, vb, mode); c += ldc;
        Update(c, c60, va, vb, mode); Update(c + 16, c61, va, vb, mode); c += ldc;
        Update(c, c70, va, vb, mode); Update(c + 16, c71, va, vb, mode);
    }

    /// <summary>The left 8×16 half of <see cref="Kernel512"/> (B slivers still 32 wide), for narrow edge slivers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512Half(int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[7]), b0, c7);
            pa += 8; pb += 32;
        }
        var va = Vector512.Create(alpha); var vb = Vector512.Create(beta);
        Update(c, c0, va, vb, mode); c += ldc; Update(c, c1, va, vb, mode); c += ldc;
        Update(c, c2, va, vb, mode); c += ldc; Update(c, c3, va, vb, mode); c += ldc;
        Update(c, c4, va, vb, mode); c += ldc; Update(c, c5, va, vb, mode); c += ldc;
        Update(c, c6, va, vb, mode); c += ldc; Update(c, c7, va, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(pb);
            var b1 = Vector256.Load(pb + 8);
            var a = Vector256.Create(pa[0]);
            c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
            a = Vector256.Create(pa[1]);
            c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
            a = Vector256.Create(pa[2]);
            c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
            a = Vector256.Create(pa[3]);
            c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
            a = Vector256.Create(pa[4]);
            c40 = Vector256.FusedMultiplyAdd(a, b0, c40); c41 = Vector256.FusedMultiplyAdd(a, b1, c41);
            a = Vector256.Create(pa[5]);
            c50 = Vector256.FusedMultiplyAdd(a, b0, c50); c51 = Vector256.FusedMultiplyAdd(a, b1, c51);
            pa += 6; pb += 16;
        }
        var va = Vector256.Create(alpha); var vb = Vector256.Create(beta);
        Update(c, c00, va, vb, mode); Update(c + 8, c01, va, vb, mode); c += ldc;
        Update(c, c10, va, vb, mode); Update(c + 8, c11, va, vb, mode); c += ldc;
        Update(c, c20, va, vb, mode); Update(c + 8, c21, va, vb, mode); c += ldc;
        Update(c, c30, va, vb, mode); Update(c + 8, c31, va, vb, mode); c += ldc;
        Update(c, c40, va, vb, mode); Update(c + 8, c41, va, vb, mode); c += ldc;
        Update(c, c50, va, vb, mode); Update(c + 8, c51, va, vb, mode);
    }

    private static void KernelScalar(int kc, float* pa, float* pb, float* c, int ldc, float alpha, float beta, int mode)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 16; i++) acc[i] = 0;
        for (int p = 0; p < kc; p++, pa += 4, pb += 4)
            for (int r = 0; r < 4; r++)
            {
                float av = pa[r];
                for (int q = 0; q < 4; q++) acc[r * 4 + q] = MathF.FusedMultiplyAdd(av, pb[q], acc[r * 4 + q]);
            }
        for (int r = 0; r < 4; r++, c += ldc)
            for (int q = 0; q < 4; q++)
            {
                float v = acc[r * 4 + q];
                c[q] = mode == 0 ? v * alpha : mode == 1 ? MathF.FusedMultiplyAdd(v, alpha, beta * c[q]) : MathF.FusedMultiplyAdd(v, alpha, c[q]);
            }
    }
}
