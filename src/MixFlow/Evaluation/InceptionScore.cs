namespace MixFlow.Evaluation;

/// <summary>
/// The Inception-Score analogue of the feature classifier: IS = exp(E_x KL(p(y|x) ‖ p(y))), with p(y|x) the softmax
/// of the logits (float64, max-subtracted) and p(y) the mean of p(y|x) over the split. The images are cut into
/// <c>splits</c> contiguous, nearly equal parts (part k = [⌊kN/S⌋, ⌊(k+1)N/S⌋)), the score is computed per part and the
/// mean over parts is returned (the classic protocol uses 10 splits; 1 split scores the whole set at once).
/// IS lies in [1, C]: 1 when every prediction equals the marginal (e.g. uniform), C for confident one-hot
/// predictions spread evenly over the C classes.
/// </summary>
public static class InceptionScore
{
    /// <summary>Default number of splits (10).</summary>
    public const int DefaultSplits = 10;

    /// <summary>Computes the score from logits.</summary>
    /// <param name="logits">N·C logits, row-major.</param>
    /// <param name="numClasses">C ≥ 1.</param>
    /// <param name="splits">Number of parts S, 1 ≤ S ≤ N (default 10).</param>
    /// <returns>The mean over the parts.</returns>
    /// <exception cref="ArgumentException">Length not a multiple of C, no rows, S out of range, or a non-finite logit.</exception>
    public static double Compute(ReadOnlySpan<float> logits, int numClasses, int splits = DefaultSplits)
    {
        if (numClasses < 1) throw new ArgumentException($"InceptionScore: numClasses must be >= 1 (got {numClasses})");
        if (logits.Length == 0 || logits.Length % numClasses != 0) throw new ArgumentException($"InceptionScore: {logits.Length} logits are not a positive whole number of rows of {numClasses}");
        int n = logits.Length / numClasses, c = numClasses;
        if (splits < 1 || splits > n) throw new ArgumentException($"InceptionScore: splits must be in [1, N = {n}] (got {splits})");
        var p = new double[(long)n * c];
        for (int i = 0; i < n; i++)
        {
            var row = logits.Slice(i * c, c);
            double mx = double.NegativeInfinity;
            for (int j = 0; j < c; j++)
            {
                if (!float.IsFinite(row[j])) throw new ArgumentException($"InceptionScore: logit ({i}, {j}) is {row[j]}");
                mx = Math.Max(mx, row[j]);
            }
            double z = 0;
            for (int j = 0; j < c; j++) z += Math.Exp(row[j] - mx);
            for (int j = 0; j < c; j++) p[(long)i * c + j] = Math.Exp(row[j] - mx) / z;
        }
        return FromProbabilities(p, c, splits);
    }

    /// <summary>Computes the score from class probabilities (rows summing to 1).</summary>
    /// <param name="probabilities">N·C probabilities, row-major.</param>
    /// <param name="numClasses">C ≥ 1.</param>
    /// <param name="splits">Number of parts S, 1 ≤ S ≤ N.</param>
    /// <exception cref="ArgumentException">Length not a multiple of C, no rows, S out of range, or a negative/non-finite probability.</exception>
    public static double FromProbabilities(ReadOnlySpan<double> probabilities, int numClasses, int splits = DefaultSplits)
    {
        if (numClasses < 1) throw new ArgumentException($"InceptionScore: numClasses must be >= 1 (got {numClasses})");
        if (probabilities.Length == 0 || probabilities.Length % numClasses != 0) throw new ArgumentException($"InceptionScore: {probabilities.Length} probabilities are not a positive whole number of rows of {numClasses}");
        int n = probabilities.Length / numClasses, c = numClasses;
        if (splits < 1 || splits > n) throw new ArgumentException($"InceptionScore: splits must be in [1, N = {n}] (got {splits})");
        foreach (double v in probabilities)
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"InceptionScore: probabilities must be finite and >= 0 (got {v})");
        double total = 0;
        var marginal = new double[c];
        for (int k = 0; k < splits; k++)
        {
            int s = (int)((long)k * n / splits), e = (int)((long)(k + 1) * n / splits);
            Array.Clear(marginal);
            for (int i = s; i < e; i++)
                for (int j = 0; j < c; j++) marginal[j] += probabilities[i * c + j];
            for (int j = 0; j < c; j++) marginal[j] /= e - s;
            double kl = 0;
            for (int i = s; i < e; i++)
                for (int j = 0; j < c; j++)
                {
                    double q = probabilities[i * c + j];
                    if (q > 0) kl += q * (Math.Log(q) - Math.Log(marginal[j]));
                }
            total += Math.Exp(kl / (e - s));
        }
        return total / splits;
    }
}
