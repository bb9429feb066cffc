using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>
/// Metrics of 2-D (or any low-dimensional) samples against the true distribution: sliced W2
/// (<see cref="SlicedWasserstein"/>), unbiased RBF-MMD² (<see cref="Mmd"/>) and — given the model — the test negative
/// log-likelihood of fresh true samples through the transport's <see cref="OdeLikelihood"/>.
/// </summary>
public static class ToyMetrics
{
    /// <summary>Seed offset of the fresh true samples (so they differ from any training draw with the same seed).</summary>
    public const ulong ReferenceSeedSalt = 0x9E3779B97F4A7C15UL;

    /// <summary>Compares samples [N, D] with reference samples [M, D].</summary>
    /// <param name="samples">Generated points.</param>
    /// <param name="reference">True points.</param>
    /// <param name="options">Options (null = defaults).</param>
    /// <param name="testNll">The test NLL to put in the result, if measured separately.</param>
    /// <exception cref="ArgumentException">Not rank-2 tensors of equal width, too few points, or invalid options.</exception>
    public static ToyMetricsResult Compute(Tensor samples, Tensor reference, ToyMetricsOptions? options = null, double? testNll = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new ToyMetricsOptions();
        options.Validate();
        if (samples.Rank != 2 || reference.Rank != 2 || samples.Size(1) != reference.Size(1))
            throw new ArgumentException($"ToyMetrics: expected samples [N, D] and reference [M, D], got {TensorShape.Format(samples.Shape)} and {TensorShape.Format(reference.Shape)}");
        int d = samples.Size(1), n = samples.Size(0), m = reference.Size(0);
        if (n < 2 || m < 2) throw new ArgumentException($"ToyMetrics: at least 2 points per set are needed (got {n} and {m})");
        var x = samples.Contiguous().ToArray();
        var y = reference.Contiguous().ToArray();
        double sw = SlicedWasserstein.Compute(x, y, d, options.Projections, options.Seed);
        int mx = Math.Min(n, options.MmdMaxPoints), my = Math.Min(m, options.MmdMaxPoints);
        double mmd = Mmd.Compute(x.AsSpan(0, mx * d), y.AsSpan(0, my * d), d, options.MmdBandwidths);
        return new ToyMetricsResult(n, sw, mmd, testNll);
    }

    /// <summary>Compares samples [N, 2] with fresh samples of a toy distribution (drawn from <c>new Generator(Seed ^ ReferenceSeedSalt)</c>).</summary>
    /// <exception cref="ArgumentException">Samples are not [N, 2], or invalid options.</exception>
    public static ToyMetricsResult Compute(Tensor samples, Toy2D kind, ToyMetricsOptions? options = null, double? testNll = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new ToyMetricsOptions();
        options.Validate();
        if (samples.Rank != 2 || samples.Size(1) != 2) throw new ArgumentException($"ToyMetrics: expected 2-D samples [N, 2], got {TensorShape.Format(samples.Shape)}");
        using var scope = new TensorScope();
        var reference = ToyDataset.Sample(kind, options.ReferenceSamples ?? samples.Size(0), new Generator(options.Seed ^ ReferenceSeedSalt));
        return Compute(samples, reference, options, testNll);
    }

    /// <summary>Mean negative log-likelihood (nats) of data under the model's probability-flow ODE (<see cref="OdeLikelihood"/>), in batches.</summary>
    /// <param name="model">The flow model.</param>
    /// <param name="transport">Its transport.</param>
    /// <param name="data">Points [N, …].</param>
    /// <param name="likelihood">Likelihood options (null = defaults).</param>
    /// <param name="batchSize">Points per batch, ≥ 1.</param>
    /// <exception cref="ArgumentException">No points or batchSize &lt; 1.</exception>
    public static double TestNll(IFlowModel model, FlowTransport transport, Tensor data, LikelihoodOptions? likelihood = null, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank < 1 || data.Size(0) == 0) throw new ArgumentException($"ToyMetrics.TestNll: data must be [N, …] with N > 0, got {TensorShape.Format(data.Shape)}");
        if (batchSize < 1) throw new ArgumentException($"ToyMetrics.TestNll: batchSize must be >= 1 (got {batchSize})");
        var lik = new OdeLikelihood(transport, likelihood);
        int n = data.Size(0);
        double sum = 0;
        for (int s = 0; s < n; s += batchSize)
        {
            int e = Math.Min(n, s + batchSize);
            using var scope = new TensorScope();
            var r = lik.Evaluate(model, data.Slice(0, s, e).Contiguous());
            foreach (double v in r.LogLikelihood) sum -= v;
        }
        return sum / n;
    }
}
