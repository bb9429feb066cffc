namespace MixFlow.Evaluation;

/// <summary>The classifier's view of a set of images: pooled features and logits, row-major per image.</summary>
/// <param name="Count">Number of images N.</param>
/// <param name="FeatureDim">Feature size D (128 for the default classifier).</param>
/// <param name="NumClasses">Number of logits C per image.</param>
/// <param name="Features">Features, N·D floats.</param>
/// <param name="Logits">Logits, N·C floats.</param>
public sealed record ImageEmbedding(int Count, int FeatureDim, int NumClasses, float[] Features, float[] Logits)
{
    /// <summary>Argmax of each image's logits (ties: the lowest class).</summary>
    public int[] PredictedLabels()
    {
        var r = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            int best = 0;
            float bv = Logits[i * NumClasses];
            for (int c = 1; c < NumClasses; c++)
                if (Logits[i * NumClasses + c] > bv) { bv = Logits[i * NumClasses + c]; best = c; }
            r[i] = best;
        }
        return r;
    }

    /// <summary>Checks that the arrays match the sizes.</summary>
    /// <exception cref="ArgumentException">A size is negative or an array length disagrees with it.</exception>
    public void Validate()
    {
        if (Count < 0 || FeatureDim < 1 || NumClasses < 1)
            throw new ArgumentException($"ImageEmbedding: invalid sizes Count={Count}, FeatureDim={FeatureDim}, NumClasses={NumClasses}");
        if (Features is null || Features.LongLength != (long)Count * FeatureDim)
            throw new ArgumentException($"ImageEmbedding: Features has {Features?.LongLength ?? 0} values, expected Count·FeatureDim = {(long)Count * FeatureDim}");
        if (Logits is null || Logits.LongLength != (long)Count * NumClasses)
            throw new ArgumentException($"ImageEmbedding: Logits has {Logits?.LongLength ?? 0} values, expected Count·NumClasses = {(long)Count * NumClasses}");
    }
}
