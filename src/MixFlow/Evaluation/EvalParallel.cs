using MixFlow.Tensors;

namespace MixFlow.Evaluation;

/// <summary>
/// Splits [0, n) into at most <see cref="Engine.Threads"/> contiguous chunks of at least a minimum size and runs them in
/// parallel. Every index is handled by exactly one chunk and callers write only per-index outputs, so results do not
/// depend on the thread count.
/// </summary>
internal static class EvalParallel
{
    internal static void For(int n, int minPerChunk, Action<int, int> body)
    {
        if (n <= 0) return;
        int chunks = (int)Math.Clamp(n / Math.Max(1, minPerChunk), 1, Math.Max(1, Engine.Threads));
        if (chunks == 1) { body(0, n); return; }
        int size = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Engine.Threads }, c =>
        {
            int s = c * size, e = Math.Min(n, s + size);
            if (s < e) body(s, e - s);
        });
    }
}
