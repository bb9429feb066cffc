using System.Numerics.Tensors;

namespace MixFlow.Tensors.Kernels;

/// <summary>
/// Splits element-wise work over the cores when it pays (large buffers); below <see cref="MinParallel"/> elements a
/// single thread is faster than the hand-off. Work is split into contiguous chunks so results never depend on the
/// thread count (no reduction order changes: reductions do not use this helper).
/// </summary>
internal static class Par
{
    /// <summary>Element count below which element-wise kernels stay on the calling thread.</summary>
    internal const int MinParallel = 1 << 15;

    internal static int ChunkCount(long work, long minPerChunk)
    {
        int threads = Engine.Threads;
        if (threads <= 1 || work < 2 * minPerChunk) return 1;
        return (int)Math.Min(threads, work / minPerChunk);
    }

    /// <summary>Runs <paramref name="body"/>(start, length) over [0, n) in at most <see cref="Engine.Threads"/> chunks.</summary>
    internal static void For(int n, int minPerChunk, Action<int, int> body)
    {
        int chunks = ChunkCount(n, minPerChunk);
        if (chunks <= 1) { if (n > 0) body(0, n); return; }
        Parallel.For(0, chunks, Engine.ParallelOptions, c =>
        {
            long s = (long)n * c / chunks, e = (long)n * (c + 1) / chunks;
            body((int)s, (int)(e - s));
        });
    }

    /// <summary>dst = a + b, parallel for large buffers.</summary>
    internal static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        if (a.Length < MinParallel) { TensorPrimitives.Add(a, b, dst); return; }
        unsafe
        {
            fixed (float* pa = a, pb = b, pd = dst)
            {
                nint ia = (nint)pa, ib = (nint)pb, id = (nint)pd;
                For(a.Length, MinParallel / 2, (s, n) =>
                    TensorPrimitives.Add(new ReadOnlySpan<float>((float*)ia + s, n), new ReadOnlySpan<float>((float*)ib + s, n), new Span<float>((float*)id + s, n)));
            }
        }
    }
}
