namespace MixFlow.Tensors;

/// <summary>Process-wide engine settings and a description of the kernels in use.</summary>
public static class Engine
{
    private static int _threads = Environment.ProcessorCount;
    private static ParallelOptions _options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <summary>Threads used by parallel kernels (default: the number of processors). Results do not depend on it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Value below 1.</exception>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"Engine.Threads must be >= 1 (got {value})");
            _threads = value;
            _options = new ParallelOptions { MaxDegreeOfParallelism = value };
            Kernels.Gemm.OnThreadsChanged(value);
        }
    }

    internal static ParallelOptions ParallelOptions => _options;

    /// <summary>One line naming the GEMM backend, its core type and thread count, e.g. for logs and benchmarks.</summary>
    public static string Describe() => $"{Kernels.Gemm.Describe()}, engine threads {Threads}";
}
