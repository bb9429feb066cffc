namespace MixFlow.Tensors.Kernels;

/// <summary>How <see cref="Gemm.SgemmStridedBatched"/> spreads a batch over threads.</summary>
internal enum GemmBatchStrategy
{
    /// <summary>Pick by the rule in <see cref="Gemm.ChooseBatchStrategy"/>.</summary>
    Auto,

    /// <summary>One matrix after another, each GEMM using all threads (the backend's own threading).</summary>
    PerMatrixThreaded,

    /// <summary>Contiguous chunks of the batch run in parallel, each matrix a single-threaded GEMM.</summary>
    ParallelOverBatch,
}
