namespace MixFlow.Evaluation;

/// <summary>
/// The image metrics of generated images against a <see cref="ReferenceSet"/>, all in the feature space of one
/// <see cref="FeatureNetwork"/>: Fréchet distance (<see cref="FrechetDistance"/>), k-NN precision/recall
/// (<see cref="PrecisionRecall"/>), class-consistency accuracy (<see cref="ClassConsistency"/>) and the
/// Inception-Score analogue (<see cref="InceptionScore"/>).
/// </summary>
public static class ImageMetrics
{
    /// <summary>Computes the metrics of an embedding of generated images.</summary>
    /// <param name="generated">Features and logits of the generated images (same network as the reference).</param>
    /// <param name="reference">The real images.</param>
    /// <param name="requestedLabels">The labels the images were generated for (class-conditional sampling), or null.</param>
    /// <param name="options">Options (null = defaults).</param>
    /// <exception cref="ArgumentException">Fewer than K + 1 generated images, feature sizes differ, label count differs, or invalid options.</exception>
    public static ImageMetricsResult Compute(ImageEmbedding generated, ReferenceSet reference, IReadOnlyList<int>? requestedLabels = null, ImageMetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new ImageMetricsOptions();
        options.Validate();
        generated.Validate();
        int n = generated.Count;
        if (generated.FeatureDim != reference.Embedding.FeatureDim || generated.NumClasses != reference.Embedding.NumClasses)
            throw new ArgumentException($"ImageMetrics: generated embedding has {generated.FeatureDim} features / {generated.NumClasses} classes, the reference {reference.Embedding.FeatureDim} / {reference.Embedding.NumClasses}");
        if (n <= options.K || reference.Count <= options.K)
            throw new ArgumentException($"ImageMetrics: at least K + 1 = {options.K + 1} generated and real images are needed (got {n} generated, {reference.Count} real)");
        if (requestedLabels is not null && requestedLabels.Count != n)
            throw new ArgumentException($"ImageMetrics: {requestedLabels.Count} requested labels for {n} generated images");
        var stats = FeatureStatistics.FromFeatures(generated.Features, generated.FeatureDim);
        double fd = FrechetDistance.Compute(stats, reference.Statistics);
        var pr = PrecisionRecall.Compute(reference.Embedding.Features, generated.Features, generated.FeatureDim, options.K, options.BlockRows, reference.Radii(options.K, options.BlockRows));
        double? acc = requestedLabels is null ? null : ClassConsistency.Compute(generated.Logits, generated.NumClasses, requestedLabels);
        double isc = InceptionScore.Compute(generated.Logits, generated.NumClasses, Math.Min(options.InceptionSplits, n));
        return new ImageMetricsResult(n, fd, pr.Precision, pr.Recall, acc, isc);
    }
}
