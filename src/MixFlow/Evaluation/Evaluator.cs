using MixFlow.Data;
using MixFlow.Imaging;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>
/// Façade of the evaluation library: the feature network and the real test-set reference, plus one call per kind of
/// input — a tensor of images, an <c>.npz</c> sample archive, or a model and sampler (images); 2-D samples or a
/// 2-D model (toy metrics, static members).
/// </summary>
/// <remarks>
/// Image inputs are float images [N, 1, 28, 28] in [−1, 1]. Generated images are clamped to [−1, 1] and quantised
/// to the 8-bit grid (b/127.5 − 1, b = round((x + 1)·127.5)) before embedding — the same values an exported
/// <c>.npz</c> holds — so evaluating a model directly and evaluating its exported samples agree.
/// </remarks>
public sealed class Evaluator
{
    /// <summary>Creates an evaluator from a network and its reference set.</summary>
    /// <exception cref="ArgumentException">Invalid options or a reference whose feature size differs from the network's.</exception>
    public Evaluator(FeatureNetwork network, ReferenceSet reference, ImageMetricsOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network), "Evaluator: a feature network is required");
        Reference = reference ?? throw new ArgumentNullException(nameof(reference), "Evaluator: a reference set is required");
        Options = options ?? new ImageMetricsOptions();
        Options.Validate();
        if (reference.Embedding.FeatureDim != network.FeatureDim)
            throw new ArgumentException($"Evaluator: reference features are {reference.Embedding.FeatureDim}-d, the network's {network.FeatureDim}-d");
    }

    /// <summary>The feature network.</summary>
    public FeatureNetwork Network { get; }

    /// <summary>The real images (Fashion-MNIST test split by default).</summary>
    public ReferenceSet Reference { get; }

    /// <summary>The metric options.</summary>
    public ImageMetricsOptions Options { get; }

    /// <summary>
    /// The standard evaluator: <see cref="FeatureNetwork.GetOrTrain"/> (trains and caches on first use) and the embedded
    /// Fashion-MNIST test split (<see cref="ReferenceSet.FashionMnistTest"/>, cached next to the weights).
    /// </summary>
    /// <param name="cacheDir">Cache folder (null = <see cref="FeatureNetworkCache.DefaultDirectory"/>).</param>
    /// <param name="progress">Training/loading progress (may be null).</param>
    /// <param name="options">Metric options (null = defaults).</param>
    /// <param name="recipe">Feature-network recipe (null = defaults).</param>
    /// <exception cref="FileNotFoundException">Fashion-MNIST is not installed.</exception>
    public static Evaluator Create(string? cacheDir = null, IProgress<FeatureTrainingProgress>? progress = null, ImageMetricsOptions? options = null, FeatureNetworkRecipe? recipe = null)
    {
        var net = FeatureNetwork.GetOrTrain(cacheDir, progress, recipe);
        return new Evaluator(net, ReferenceSet.FashionMnistTest(net, cacheDir), options);
    }

    /// <summary>Metrics of images [N, 1, 28, 28] in [−1, 1] (used as given, not quantised).</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">The labels they were generated for, or null.</param>
    /// <exception cref="ArgumentException">The shape does not fit the classifier, too few images, or a label count that differs.</exception>
    public ImageMetricsResult EvaluateImages(Tensor images, IReadOnlyList<int>? labels = null)
    {
        var emb = Network.Embed(images, Options.EmbedBatchSize);
        return ImageMetrics.Compute(emb, Reference, labels, Options);
    }

    /// <summary>
    /// Metrics of an <c>.npz</c> sample archive (<see cref="ReadNpzImages"/>: <c>arr_0</c> uint8 [N, H, W, C] as written by
    /// <see cref="NpzFile.WriteSamples"/>, or float32 [N, C, H, W] in [−1, 1]; optional <c>arr_1</c> labels).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The archive has no usable image array; the message names the file.</exception>
    /// <exception cref="ArgumentException">The images do not fit the classifier.</exception>
    public ImageMetricsResult EvaluateNpz(string path)
    {
        var npz = ReadNpzImages(path);
        try { return EvaluateImages(npz.Images, npz.Labels); }
        finally { npz.Images.Dispose(); }
    }

    /// <summary>
    /// Samples <paramref name="n"/> images from a model (noise from <c>new Generator(seed)</c>, batch after batch) and
    /// evaluates them; generated images are clamped and 8-bit quantised (see the class remarks).
    /// </summary>
    /// <param name="model">The flow model.</param>
    /// <param name="sampler">The sampler (ODE or SDE).</param>
    /// <param name="n">Number of images, &gt; K.</param>
    /// <param name="labels">Which labels to request; must be <see cref="SampleLabelMode.None"/> for unconditional models and not None for conditional ones.</param>
    /// <param name="seed">Seed of the noise (and of random labels / stochastic samplers).</param>
    /// <param name="batchSize">Images per sampler call, ≥ 1 (default 250).</param>
    /// <param name="progress">Told the number of images sampled so far after each batch (called on this thread), or null.</param>
    /// <exception cref="ArgumentException">Bad n, batch size or label mode for the model.</exception>
    public ImageMetricsResult EvaluateModel(IFlowModel model, ISampler sampler, int n, SampleLabelMode labels, ulong seed, int batchSize = 250, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        if (n <= Options.K) throw new ArgumentException($"Evaluator.EvaluateModel: n must be > K = {Options.K} (got {n})");
        if (batchSize < 1) throw new ArgumentException($"Evaluator.EvaluateModel: batchSize must be >= 1 (got {batchSize})");
        var lab = MakeLabels(labels, n, model.NumClasses, seed);
        var arch = Network.Model.Options;
        var gen = new Generator(seed);
        int d = Network.FeatureDim, c = Network.NumClasses;
        var feats = new float[(long)n * d];
        var logits = new float[(long)n * c];
        for (int s = 0; s < n; s += batchSize)
        {
            int e = Math.Min(n, s + batchSize);
            using var scope = new TensorScope();
            var x0 = Tensor.RandN(gen, e - s, arch.InChannels, Network.InputSize, Network.InputSize);
            var res = sampler.Sample(model, x0, lab?[s..e], gen);
            var img = Quantize(res.X);
            var part = Network.Embed(img, Options.EmbedBatchSize);
            part.Features.CopyTo(feats, (long)s * d);
            part.Logits.CopyTo(logits, (long)s * c);
            progress?.Report(e);
        }
        return ImageMetrics.Compute(new ImageEmbedding(n, d, c, feats, logits), Reference, lab, Options);
    }

    /// <summary>Labels for <paramref name="n"/> samples of a model with <paramref name="numClasses"/> classes (null for <see cref="SampleLabelMode.None"/>).</summary>
    /// <exception cref="ArgumentException">None for a conditional model, or a labelled mode for an unconditional one.</exception>
    public static int[]? MakeLabels(SampleLabelMode mode, int n, int numClasses, ulong seed)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"Evaluator: unknown label mode {(int)mode}; allowed: {string.Join(", ", Enum.GetNames<SampleLabelMode>())}");
        if (mode == SampleLabelMode.None)
        {
            if (numClasses > 0) throw new ArgumentException($"Evaluator: the model is class-conditional ({numClasses} classes); choose label mode Balanced or Random");
            return null;
        }
        if (numClasses <= 0) throw new ArgumentException($"Evaluator: label mode {mode} needs a class-conditional model; this one is unconditional (use None)");
        var r = new int[n];
        if (mode == SampleLabelMode.Balanced) for (int i = 0; i < n; i++) r[i] = i % numClasses;
        else
        {
            var g = new Generator(seed ^ 0x5DEECE66DUL);
            for (int i = 0; i < n; i++) r[i] = g.NextInt(0, numClasses);
        }
        return r;
    }

    /// <summary>Clamps images to [−1, 1] and rounds them to the 8-bit grid b/127.5 − 1 (a new tensor of the same shape).</summary>
    public static Tensor Quantize(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var v = images.Contiguous().ToArray();
        for (int i = 0; i < v.Length; i++) v[i] = (float)(ImageConvert.ToByte(v[i]) / 127.5 - 1.0);
        return Tensor.FromArray(v, images.Shape);
    }

    /// <summary>
    /// Reads images from an <c>.npz</c>: array <c>arr_0</c> (or the only array, or one named <c>images</c>/<c>samples</c>)
    /// as uint8 [N, H, W, C] (mapped by b/127.5 − 1) or float32 [N, C, H, W] already in [−1, 1]; labels from
    /// <c>arr_1</c> (or <c>labels</c>) when present.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">No image array, an unsupported dtype or rank, or labels that do not match; the message names the file.</exception>
    public static NpzImages ReadNpzImages(string path)
    {
        var arrays = NpzFile.Read(path);
        NpyArray? img = arrays.TryGetValue("arr_0", out var a0) ? a0 : arrays.TryGetValue("images", out var a1) ? a1 : arrays.TryGetValue("samples", out var a2) ? a2 : arrays.Count == 1 ? arrays.Values.First() : null;
        if (img is null) throw new InvalidDataException($"Evaluator.ReadNpzImages '{path}': no image array (looked for arr_0, images, samples; found {string.Join(", ", arrays.Keys)})");
        if (img.Shape.Length != 4) throw new InvalidDataException($"Evaluator.ReadNpzImages '{path}': images must have rank 4 ([N, H, W, C] uint8 or [N, C, H, W] float32), got shape [{string.Join(", ", img.Shape)}]");
        int n = img.Shape[0];
        Tensor images;
        if (img.DType == NpyDType.UInt8)
        {
            int h = img.Shape[1], w = img.Shape[2], c = img.Shape[3];
            var ds = ArrayDataset.FromNhwc((byte[])img.Data, n, h, w, c);
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            images = ds.Gather(idx, out _);
        }
        else if (img.DType is NpyDType.Float32 or NpyDType.Float64)
            images = Tensor.FromArray(img.ToFloat32(), img.Shape);
        else throw new InvalidDataException($"Evaluator.ReadNpzImages '{path}': image dtype {img.DType} is not supported (uint8 NHWC or float32 NCHW)");
        images.MoveToOuterScope();
        int[]? labels = null;
        NpyArray? lab = arrays.TryGetValue("arr_1", out var l0) ? l0 : arrays.TryGetValue("labels", out var l1) ? l1 : null;
        if (lab is not null)
        {
            var l = lab.ToInt64();
            if (l.Length != n) { images.Dispose(); throw new InvalidDataException($"Evaluator.ReadNpzImages '{path}': {l.Length} labels for {n} images"); }
            labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = checked((int)l[i]);
        }
        return new NpzImages(images, labels);
    }

    /// <summary>Toy metrics of 2-D samples [N, 2] against fresh samples of <paramref name="kind"/> (no likelihood).</summary>
    /// <exception cref="ArgumentException">Samples are not [N, 2], or invalid options.</exception>
    public static ToyMetricsResult EvaluateToySamples(Tensor samples, Toy2D kind, ToyMetricsOptions? options = null) =>
        ToyMetrics.Compute(samples, kind, options);

    /// <summary>
    /// Toy metrics of a 2-D model: samples <paramref name="n"/> points (noise from <c>new Generator(seed)</c>), compares
    /// them with fresh samples of <paramref name="kind"/> and measures the test NLL of
    /// <see cref="ToyMetricsOptions.NllSamples"/> fresh true samples with the transport's ODE likelihood.
    /// </summary>
    /// <param name="model">A 2-D flow model (unconditional).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="transport">The model's transport (for the likelihood).</param>
    /// <param name="kind">The true distribution.</param>
    /// <param name="n">Number of samples, ≥ 2.</param>
    /// <param name="seed">Seed of the noise; the fresh true samples use <c>options.Seed</c>.</param>
    /// <param name="options">Options (null = defaults).</param>
    /// <exception cref="ArgumentException">n &lt; 2, a conditional model, or invalid options.</exception>
    public static ToyMetricsResult EvaluateToyModel(IFlowModel model, ISampler sampler, FlowTransport transport, Toy2D kind, int n, ulong seed, ToyMetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(transport);
        options ??= new ToyMetricsOptions();
        options.Validate();
        if (n < 2) throw new ArgumentException($"Evaluator.EvaluateToyModel: n must be >= 2 (got {n})");
        if (model.NumClasses > 0) throw new ArgumentException($"Evaluator.EvaluateToyModel: toy models are unconditional; this one has {model.NumClasses} classes");
        using var scope = new TensorScope();
        var gen = new Generator(seed);
        var x0 = Tensor.RandN(gen, n, 2);
        var samples = sampler.Sample(model, x0, null, gen).X;
        var test = ToyDataset.Sample(kind, options.NllSamples, new Generator(options.Seed ^ ToyMetrics.ReferenceSeedSalt ^ 0xA5A5A5A5UL));
        double nll = ToyMetrics.TestNll(model, transport, test, options.Likelihood, options.NllBatchSize);
        return ToyMetrics.Compute(samples, kind, options, nll);
    }
}
