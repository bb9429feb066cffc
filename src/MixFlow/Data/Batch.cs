using MixFlow.Tensors;

namespace MixFlow.Data;

/// <summary>One batch from a <see cref="DataLoader"/>. The caller owns <see cref="X"/>: dispose the batch to return its
/// buffer to the pool. With prefetching it was made on the loader's thread, so no <see cref="TensorScope"/> of the caller
/// tracks it; with <c>Prefetch = 0</c> it is made on the caller's thread and so also belongs to the caller's current
/// scope, if one is open (disposing twice is harmless).</summary>
/// <param name="X">The samples, [B, ...sample].</param>
/// <param name="Labels">The labels (length B), or null for an unlabelled set.</param>
/// <param name="Epoch">The epoch it belongs to.</param>
/// <param name="Index">Its index within the epoch.</param>
public sealed record Batch(Tensor X, int[]? Labels, int Epoch, int Index) : IDisposable
{
    /// <summary>Releases <see cref="X"/>.</summary>
    public void Dispose() => X.Dispose();
}
