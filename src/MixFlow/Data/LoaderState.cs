namespace MixFlow.Data;

/// <summary>Position of a <see cref="DataLoader"/>: the next batch it yields is batch <paramref name="Position"/> of
/// epoch <paramref name="Epoch"/>. Saving it with a checkpoint and passing it back resumes the exact batch sequence.</summary>
/// <param name="Epoch">The epoch (≥ 0).</param>
/// <param name="Position">The batch index within the epoch (≥ 0, below the batches per epoch).</param>
public sealed record LoaderState(int Epoch, int Position);
