using MixFlow.Data;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Representation;

/// <summary>
/// Per-dimension statistics of an encoder's tokens over a data set: the RAE latent is the normalised token
/// (token − <see cref="Mean"/>) / <see cref="Std"/>, per feature dimension d (shared by all token positions).
/// </summary>
/// <param name="Mean">Mean of each of the D feature dimensions over all tokens of all images.</param>
/// <param name="Std">Standard deviation (population, floored at <see cref="MinStd"/>) of each dimension.</param>
public sealed record TokenNormalization(float[] Mean, float[] Std)
{
    /// <summary>Floor applied to the standard deviations (dead feature dimensions would otherwise divide by 0).</summary>
    public const float MinStd = 1e-4f;

    /// <summary>Number of dimensions D.</summary>
    public int Dim => Mean.Length;

    /// <summary>The identity normalisation (mean 0, std 1) of D dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dim &lt; 1.</exception>
    public static TokenNormalization Identity(int dim)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), $"TokenNormalization.Identity: dim must be >= 1 (got {dim})");
        var s = new float[dim];
        Array.Fill(s, 1f);
        return new TokenNormalization(new float[dim], s);
    }

    /// <summary>Checks that the arrays have one finite value per dimension and positive deviations.</summary>
    /// <exception cref="ArgumentException">Lengths differ, are zero, or a value is not finite / a deviation not positive.</exception>
    public void Validate()
    {
        if (Mean is null || Std is null || Mean.Length == 0 || Mean.Length != Std.Length)
            throw new ArgumentException($"TokenNormalization: Mean and Std must be non-empty and of equal length (got {Mean?.Length.ToString() ?? "null"} and {Std?.Length.ToString() ?? "null"})");
        for (int i = 0; i < Mean.Length; i++)
        {
            if (!float.IsFinite(Mean[i])) throw new ArgumentException($"TokenNormalization: Mean[{i}] = {Mean[i]} is not finite");
            if (!(Std[i] > 0) || !float.IsFinite(Std[i])) throw new ArgumentException($"TokenNormalization: Std[{i}] = {Std[i]} must be a finite value > 0");
        }
    }

    /// <summary>
    /// Measures the statistics of <paramref name="encoder"/>'s tokens over the first <paramref name="maxSamples"/>
    /// images of <paramref name="data"/> (in index order, so the result is deterministic), accumulating in double.
    /// </summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="data">Images of the encoder's input shape.</param>
    /// <param name="maxSamples">How many images to use (all when larger than the set; default 10 000).</param>
    /// <param name="batchSize">Images per encoder call (default 256).</param>
    /// <exception cref="ArgumentException">The data's sample shape does not fit the encoder, or the counts are not positive.</exception>
    public static TokenNormalization Compute(IRepresentationEncoder encoder, IDataset data, int maxSamples = 10_000, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        if (maxSamples < 1) throw new ArgumentException($"TokenNormalization.Compute: maxSamples must be >= 1 (got {maxSamples})");
        if (batchSize < 1) throw new ArgumentException($"TokenNormalization.Compute: batchSize must be >= 1 (got {batchSize})");
        EncoderData.CheckShape(encoder, data, "TokenNormalization.Compute");
        int n = Math.Min(maxSamples, data.Count), d = encoder.TokenDim;
        if (n < 1) throw new ArgumentException("TokenNormalization.Compute: the data set is empty");
        var sum = new double[d]; var sq = new double[d];
        long count = 0;
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = new TensorScope();
            int b = Math.Min(batchSize, n - start);
            var x = EncoderData.Images(data, start, b);
            var tok = encoder.Encode(x).Contiguous();                           // [b, T, D]
            var s = tok.AsSpan();
            int rows = s.Length / d;
            for (int r = 0; r < rows; r++)
            {
                var row = s.Slice(r * d, d);
                for (int k = 0; k < d; k++) { double v = row[k]; sum[k] += v; sq[k] += v * v; }
            }
            count += rows;
        }
        var mean = new float[d]; var std = new float[d];
        for (int k = 0; k < d; k++)
        {
            double m = sum[k] / count;
            mean[k] = (float)m;
            std[k] = (float)Math.Max(Math.Sqrt(Math.Max(sq[k] / count - m * m, 0)), MinStd);
        }
        return new TokenNormalization(mean, std);
    }
}
