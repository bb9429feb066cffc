namespace MixFlow.Evaluation;

/// <summary>
/// Class-consistency accuracy of class-conditional samples: the fraction whose classifier argmax (ties: lowest class)
/// equals the label they were generated for.
/// </summary>
public static class ClassConsistency
{
    /// <summary>Computes the accuracy.</summary>
    /// <param name="logits">N·C logits of the samples.</param>
    /// <param name="numClasses">C ≥ 1.</param>
    /// <param name="requested">The N requested labels.</param>
    /// <exception cref="ArgumentException">Sizes disagree, no samples, or a requested label outside [0, C).</exception>
    public static double Compute(ReadOnlySpan<float> logits, int numClasses, IReadOnlyList<int> requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (numClasses < 1) throw new ArgumentException($"ClassConsistency: numClasses must be >= 1 (got {numClasses})");
        if (requested.Count == 0) throw new ArgumentException("ClassConsistency: no samples");
        if (logits.Length != (long)requested.Count * numClasses)
            throw new ArgumentException($"ClassConsistency: {logits.Length} logits for {requested.Count} labels of {numClasses} classes (expected {(long)requested.Count * numClasses})");
        int ok = 0;
        for (int i = 0; i < requested.Count; i++)
        {
            int want = requested[i];
            if ((uint)want >= (uint)numClasses) throw new ArgumentException($"ClassConsistency: requested label {want} at {i} is outside [0, {numClasses})");
            var row = logits.Slice(i * numClasses, numClasses);
            int best = 0;
            for (int j = 1; j < numClasses; j++) if (row[j] > row[best]) best = j;
            if (best == want) ok++;
        }
        return (double)ok / requested.Count;
    }
}
