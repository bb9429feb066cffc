using System.Diagnostics;
using MixFlow.Tensors;
using MixFlow.Tensors.Kernels;

namespace MixFlow.Bench;

/// <summary>One GEMM benchmark measurement.</summary>
/// <param name="Backend">Backend and strategy, e.g. "OpenBLAS" or "managed Vector512, parallel over batch".</param>
/// <param name="Shape">The problem, e.g. "fwd m=8192 n=1536 k=384 NN, 2 threads".</param>
/// <param name="Gflops">Median GFLOP/s (2·m·n·k·batch per second) over the timed repetitions.</param>
public sealed record GemmBenchResult(string Backend, string Shape, double Gflops);

/// <summary>
/// GFLOP/s of the GEMM backends on the shapes of a 384→1536 linear layer over 8192 rows (forward and both backward
/// products) and on attention-shaped batches (256 heads×images of 196 tokens, head size 64), for OpenBLAS (when
/// available) and the managed kernel, at <see cref="Engine.Threads"/> threads and at 1 thread. Median of
/// <see cref="Reps"/> timed runs after one warm-up run.
/// </summary>
public static class GemmBench
{
    /// <summary>Timed repetitions per case (after one warm-up).</summary>
    public const int Reps = 5;

    private sealed record Case(string Name, bool TransA, bool TransB, int M, int N, int K, int Batch);

    private static readonly Case[] Single =
    [
        new("fwd Y=X·W", false, false, 8192, 1536, 384, 1),
        new("dX=dY·Wᵀ", false, true, 8192, 384, 1536, 1),
        new("dW=Xᵀ·dY", true, false, 384, 1536, 8192, 1),
    ];

    private static readonly Case[] Batched =
    [
        new("attn S=Q·Kᵀ", false, true, 196, 196, 64, 256),
        new("attn O=P·V", false, false, 196, 64, 196, 256),
    ];

    /// <summary>Runs all cases, writing one line per result to <paramref name="log"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="log"/> is null.</exception>
    public static IReadOnlyList<GemmBenchResult> Run(TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var results = new List<GemmBenchResult>();
        var backends = new List<GemmBackend> { GemmBackend.Managed };
        if (Gemm.OpenBlasAvailable) backends.Insert(0, GemmBackend.OpenBlas);
        log.WriteLine($"# GEMM bench: {Engine.Describe()}");
        int threads = Engine.Threads;
        var threadCounts = threads > 1 ? new[] { threads, 1 } : new[] { 1 };
        try
        {
            foreach (int t in threadCounts)
            {
                Engine.Threads = t;
                foreach (var c in Single)
                    foreach (var be in backends)
                        Add(results, log, Label(be, null), c, t, Measure(c, be, GemmBatchStrategy.PerMatrixThreaded, t));
            }
            Engine.Threads = threads;
            foreach (var c in Batched)
                foreach (var be in backends)
                    foreach (var s in new[] { GemmBatchStrategy.PerMatrixThreaded, GemmBatchStrategy.ParallelOverBatch })
                        Add(results, log, Label(be, s), c, threads, Measure(c, be, s, threads));
        }
        finally { Engine.Threads = threads; }
        return results;
    }

    private static string Label(GemmBackend backend, GemmBatchStrategy? strategy)
    {
        string name = backend == GemmBackend.OpenBlas ? "OpenBLAS" : $"managed {GemmManaged.BestIsa}";
        return strategy switch
        {
            GemmBatchStrategy.PerMatrixThreaded => name + ", per-matrix threaded",
            GemmBatchStrategy.ParallelOverBatch => name + ", parallel over batch",
            _ => name,
        };
    }

    private static void Add(List<GemmBenchResult> results, TextWriter log, string backend, Case c, int threads, (double Median, double Best) gflops)
    {
        string batch = c.Batch > 1 ? $"{c.Batch}× " : "";
        string shape = $"{c.Name} {batch}m={c.M} n={c.N} k={c.K} {(c.TransA ? 'T' : 'N')}{(c.TransB ? 'T' : 'N')}, {threads} thread{(threads > 1 ? "s" : "")}";
        var r = new GemmBenchResult(backend, shape, gflops.Median);
        results.Add(r);
        log.WriteLine($"{r.Backend,-42} {r.Shape,-58} {r.Gflops,8:F1} GFLOP/s (best {gflops.Best:F1})");
    }

    /// <summary>Median and best GFLOP/s of <see cref="Reps"/> timed runs after one warm-up.</summary>
    private static (double Median, double Best) Measure(Case c, GemmBackend backend, GemmBatchStrategy strategy, int threads)
    {
        int lda = c.TransA ? c.M : c.K, ldb = c.TransB ? c.K : c.N, ldc = c.N;
        long sa = (long)c.M * c.K, sb = (long)c.K * c.N, sc = (long)c.M * c.N;
        var gen = new Generator(1234);
        var a = new float[sa * c.Batch];
        var b = new float[sb * c.Batch];
        var cc = new float[sc * c.Batch];
        gen.FillNormal(a);
        gen.FillNormal(b);
        void Once()
        {
            if (c.Batch == 1)
                Gemm.SgemmWith(backend, threads, c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, 0, lda, b, 0, ldb, 0f, cc, 0, ldc);
            else
                Gemm.SgemmStridedBatchedWith(backend, strategy, threads, c.TransA, c.TransB, c.M, c.N, c.K, 1f,
                    a, 0, lda, sa, b, 0, ldb, sb, 0f, cc, 0, ldc, sc, c.Batch);
        }
        Once();
        var times = new double[Reps];
        for (int r = 0; r < Reps; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Once();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        double flop = 2.0 * c.M * c.N * c.K * c.Batch;
        return (flop / times[Reps / 2] / 1e9, flop / times[0] / 1e9);
    }
}
