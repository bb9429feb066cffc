using MixFlow.Data;
using MixFlow.Tensors;
using MixFlow.Tensors.IO;

namespace MixFlow.Evaluation;

/// <summary>
/// The real images the image metrics compare against — by default the 10 000 Fashion-MNIST test images — as seen by
/// a <see cref="FeatureNetwork"/>: their embedding, float64 feature statistics, and (computed on first use) the k-NN
/// radii of the real manifold for precision/recall.
/// </summary>
public sealed class ReferenceSet
{
    private FeatureStatistics? _stats;
    private readonly Dictionary<int, float[]> _radii = new();
    private readonly object _lock = new();

    /// <summary>Wraps an embedding of real images.</summary>
    /// <param name="embedding">Features and logits.</param>
    /// <param name="labels">Their labels (length N) or null.</param>
    /// <exception cref="ArgumentException">Inconsistent embedding, fewer than 2 images, or a label count that differs.</exception>
    public ReferenceSet(ImageEmbedding embedding, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        embedding.Validate();
        if (embedding.Count < 2) throw new ArgumentException($"ReferenceSet: at least 2 real images are needed (got {embedding.Count})");
        if (labels is not null && labels.Length != embedding.Count) throw new ArgumentException($"ReferenceSet: {labels.Length} labels for {embedding.Count} images");
        Embedding = embedding;
        Labels = labels;
    }

    /// <summary>The embedding of the real images.</summary>
    public ImageEmbedding Embedding { get; }

    /// <summary>Labels of the real images, or null.</summary>
    public int[]? Labels { get; }

    /// <summary>Number of real images.</summary>
    public int Count => Embedding.Count;

    /// <summary>Mean and covariance of the real features (float64; computed once).</summary>
    public FeatureStatistics Statistics
    {
        get
        {
            lock (_lock) return _stats ??= FeatureStatistics.FromFeatures(Embedding.Features, Embedding.FeatureDim);
        }
    }

    /// <summary>Distance of every real feature to its k-th nearest other real feature (computed once per k).</summary>
    /// <param name="k">Neighbour count, 1 ≤ k &lt; N.</param>
    /// <param name="blockRows">Rows per distance block (memory ~ blockRows·N floats).</param>
    /// <exception cref="ArgumentOutOfRangeException">k out of range.</exception>
    public float[] Radii(int k, int blockRows = PrecisionRecall.DefaultBlockRows)
    {
        lock (_lock)
        {
            if (!_radii.TryGetValue(k, out var r))
                _radii[k] = r = PrecisionRecall.KnnRadii(Embedding.Features, Count, Embedding.FeatureDim, k, blockRows);
            return r;
        }
    }

    /// <summary>
    /// The Fashion-MNIST test split embedded by <paramref name="network"/>; when the network has a cache key, the
    /// embedding is read from (or written to) <c>&lt;cacheDir&gt;/fmnist-test-features-&lt;key&gt;.safetensors</c>.
    /// </summary>
    /// <param name="network">The feature network.</param>
    /// <param name="cacheDir">Cache folder (null = <see cref="FeatureNetworkCache.DefaultDirectory"/>).</param>
    /// <exception cref="FileNotFoundException">The test files are missing.</exception>
    public static ReferenceSet FashionMnistTest(FeatureNetwork network, string? cacheDir = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var test = FashionMnist.Load(DatasetSplit.Test, network.Recipe.DataDirectory);
        var labels = test.Labels!;
        if (network.Key is { } key)
        {
            cacheDir ??= FeatureNetworkCache.DefaultDirectory;
            string path = FeatureNetworkCache.TestFeaturesPath(cacheDir, key);
            if (TryLoadEmbedding(path, key, test.Count, network.FeatureDim, network.NumClasses) is { } cached)
                return new ReferenceSet(cached, labels);
            var emb = network.Embed(test);
            Directory.CreateDirectory(cacheDir);
            SaveEmbedding(path, emb, key);
            return new ReferenceSet(emb, labels);
        }
        return new ReferenceSet(network.Embed(test), labels);
    }

    /// <summary>Writes an embedding as safetensors (<c>features</c> [N, D], <c>logits</c> [N, C]) tagged with the key.</summary>
    internal static void SaveEmbedding(string path, ImageEmbedding e, string key)
    {
        using var scope = new TensorScope();
        var t = new Dictionary<string, Tensor>
        {
            ["features"] = Tensor.FromArray(e.Features, e.Count, e.FeatureDim),
            ["logits"] = Tensor.FromArray(e.Logits, e.Count, e.NumClasses),
        };
        SafeTensors.Save(path, t, new Dictionary<string, string> { ["mixflow.key"] = key, ["mixflow.kind"] = "fmnist-test-features" });
    }

    private static ImageEmbedding? TryLoadEmbedding(string path, string key, int n, int d, int c)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var f = SafeTensors.Load(path);
            if (!f.Metadata.TryGetValue("mixflow.key", out var k) || k != key) return null;
            using var scope = new TensorScope();
            var feats = f.Read("features");
            var logits = f.Read("logits");
            if (!TensorShape.Equal(feats.Shape, [n, d]) || !TensorShape.Equal(logits.Shape, [n, c])) return null;
            return new ImageEmbedding(n, d, c, feats.ToArray(), logits.ToArray());
        }
        catch (IOException) { return null; }
        catch (ArgumentException) { return null; }
    }
}
