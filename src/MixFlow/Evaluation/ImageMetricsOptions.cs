namespace MixFlow.Evaluation;

/// <summary>Options of the image metrics.</summary>
public sealed record ImageMetricsOptions
{
    /// <summary>k of the k-NN manifolds of precision/recall, ≥ 1 and below both set sizes. Default 3.</summary>
    public int K { get; init; } = PrecisionRecall.DefaultK;

    /// <summary>Splits of the Inception-Score analogue, ≥ 1 (reduced to the sample count when there are fewer samples). Default 10.</summary>
    public int InceptionSplits { get; init; } = InceptionScore.DefaultSplits;

    /// <summary>Rows per pairwise-distance block of precision/recall (memory ≈ BlockRows × 10 000 floats), ≥ 1. Default 1024.</summary>
    public int BlockRows { get; init; } = PrecisionRecall.DefaultBlockRows;

    /// <summary>Images per classifier forward pass, ≥ 1. Default 500.</summary>
    public int EmbedBatchSize { get; init; } = 500;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (K < 1) throw new ArgumentException($"ImageMetricsOptions.K must be >= 1 (got {K})");
        if (InceptionSplits < 1) throw new ArgumentException($"ImageMetricsOptions.InceptionSplits must be >= 1 (got {InceptionSplits})");
        if (BlockRows < 1) throw new ArgumentException($"ImageMetricsOptions.BlockRows must be >= 1 (got {BlockRows})");
        if (EmbedBatchSize < 1) throw new ArgumentException($"ImageMetricsOptions.EmbedBatchSize must be >= 1 (got {EmbedBatchSize})");
    }
}
