namespace MixFlow.Data;

/// <summary>Options of a <see cref="DataLoader"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Global batch size (all ranks together); each rank gets <c>BatchSize / WorldSize</c>. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the per-epoch permutations and of the flips. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Shuffle each epoch (permutation seeded by (Seed, epoch)); false keeps data-set order. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop the last incomplete batch of each epoch. Default true (required when <see cref="WorldSize"/> &gt; 1).</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>Batches prepared ahead on a background thread; 0 prepares each batch on the caller's thread. Default 2.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Randomly mirror images (samples [C, H, W]) left–right with probability ½, decided by (Seed, epoch,
    /// position in the epoch). Default false.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>This process's rank in [0, WorldSize). Default 0.</summary>
    public int Rank { get; init; }

    /// <summary>Number of ranks sharing each global batch; rank r takes the r-th contiguous slice. Default 1.</summary>
    public int WorldSize { get; init; } = 1;
}
