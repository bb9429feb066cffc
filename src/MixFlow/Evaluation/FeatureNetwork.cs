using System.Diagnostics;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Optim;

namespace MixFlow.Evaluation;

/// <summary>
/// The feature extractor of the image metrics: a <see cref="ClassifierCnn"/> trained by the project on the
/// Fashion-MNIST training split with a fixed <see cref="FeatureNetworkRecipe"/>, whose 128-d pooled features play the
/// role of Inception features (Fréchet distance, precision/recall) and whose logits give the class-consistency
/// accuracy and the Inception-Score analogue.
/// </summary>
/// <remarks>
/// Determinism: the initialisation and the data order come from the recipe's seed; the engine's parallel kernels split
/// work deterministically, so on one machine and GEMM backend a recipe reproduces its weights (a different GEMM
/// backend or thread count may change float rounding, hence the engine version in the cache key).
/// </remarks>
public sealed class FeatureNetwork
{
    private FeatureNetwork(ClassifierCnn model, FeatureNetworkRecipe recipe, string? key, string? path, double? testAccuracy)
    {
        Model = model; Recipe = recipe; Key = key; WeightsPath = path; TestAccuracy = testAccuracy;
        Model.Eval();
    }

    /// <summary>The classifier (in eval mode).</summary>
    public ClassifierCnn Model { get; }

    /// <summary>The recipe it was trained with.</summary>
    public FeatureNetworkRecipe Recipe { get; }

    /// <summary>The cache key, when it came from or went to the cache; else null.</summary>
    public string? Key { get; }

    /// <summary>The weights file it was loaded from or saved to, or null.</summary>
    public string? WeightsPath { get; }

    /// <summary>Accuracy on the 10 000 test images as measured after training (stored in the weights' metadata), or null if unknown.</summary>
    public double? TestAccuracy { get; }

    /// <summary>Feature size (128 by default).</summary>
    public int FeatureDim => Model.FeatureDim;

    /// <summary>Number of classes (10).</summary>
    public int NumClasses => Model.Options.NumClasses;

    /// <summary>Wraps an existing classifier (e.g. a randomly initialised one in tests) without training or caching.</summary>
    /// <exception cref="ArgumentNullException">model is null.</exception>
    /// <param name="model">The classifier.</param>
    /// <param name="recipe">Its recipe (null = defaults with the model's architecture and no down-sampling).</param>
    /// <exception cref="ArgumentException">The recipe's architecture text differs from the model's.</exception>
    public static FeatureNetwork FromModel(ClassifierCnn model, FeatureNetworkRecipe? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        recipe ??= new FeatureNetworkRecipe { Architecture = model.Options, Downsample = 1 };
        if (recipe.CanonicalText() != (recipe with { Architecture = model.Options }).CanonicalText())
            throw new ArgumentException("FeatureNetwork.FromModel: the recipe's architecture differs from the model's");
        return new FeatureNetwork(model, recipe, null, null, null);
    }

    /// <summary>
    /// Loads the network of <paramref name="recipe"/> from <c>&lt;cacheDir&gt;/fmnist-classifier-&lt;key&gt;.safetensors</c>,
    /// training it (and writing that file atomically) when it is not there yet.
    /// </summary>
    /// <param name="cacheDir">Cache folder (null = <see cref="FeatureNetworkCache.DefaultDirectory"/>); created if missing.</param>
    /// <param name="progress">Receives reports while hashing, loading, training and evaluating (may be null).</param>
    /// <param name="recipe">The recipe (null = the defaults).</param>
    /// <param name="cancellationToken">Cancels training between updates.</param>
    /// <exception cref="ArgumentException">Invalid recipe.</exception>
    /// <exception cref="FileNotFoundException">The Fashion-MNIST files are missing.</exception>
    /// <exception cref="InvalidDataException">A cached file does not belong to the key or does not fit the architecture.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static FeatureNetwork GetOrTrain(string? cacheDir = null, IProgress<FeatureTrainingProgress>? progress = null,
        FeatureNetworkRecipe? recipe = null, CancellationToken cancellationToken = default)
    {
        recipe ??= new FeatureNetworkRecipe();
        recipe.Validate();
        var clock = Stopwatch.StartNew();
        cacheDir ??= FeatureNetworkCache.DefaultDirectory;
        progress?.Report(new FeatureTrainingProgress(FeatureTrainingPhase.Hashing, 0, 0, 0, double.NaN, null, clock.Elapsed));
        string key = FeatureNetworkCache.Key(recipe);
        string path = FeatureNetworkCache.WeightsPath(cacheDir, key);
        if (File.Exists(path))
        {
            progress?.Report(new FeatureTrainingProgress(FeatureTrainingPhase.LoadingCache, 0, 0, 0, double.NaN, null, clock.Elapsed));
            var net = Load(path, recipe, key);
            progress?.Report(new FeatureTrainingProgress(FeatureTrainingPhase.Done, 0, 0, 0, double.NaN, net.TestAccuracy, clock.Elapsed));
            return net;
        }
        var trained = Train(recipe, progress, cancellationToken, clock);
        progress?.Report(new FeatureTrainingProgress(FeatureTrainingPhase.Evaluating, recipe.Epochs - 1, 0, 0, double.NaN, null, clock.Elapsed));
        var test = FashionMnist.Load(DatasetSplit.Test, recipe.DataDirectory);
        var emb = trained.Embed(test);
        double acc = Accuracy(emb, test.Labels!);
        Directory.CreateDirectory(cacheDir);
        var meta = new Dictionary<string, string>
        {
            ["mixflow.kind"] = "fmnist-classifier",
            ["mixflow.key"] = key,
            ["mixflow.recipe"] = recipe.CanonicalText(),
            ["mixflow.test_accuracy"] = acc.ToString("R", CultureInfo.InvariantCulture),
            ["mixflow.train_seconds"] = clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
            ["mixflow.engine"] = FeatureNetworkCache.EngineVersion,
        };
        trained.Model.SaveSafeTensors(path, meta);
        ReferenceSet.SaveEmbedding(FeatureNetworkCache.TestFeaturesPath(cacheDir, key), emb, key);
        var result = new FeatureNetwork(trained.Model, recipe, key, path, acc);
        progress?.Report(new FeatureTrainingProgress(FeatureTrainingPhase.Done, recipe.Epochs - 1, 0, 0, double.NaN, acc, clock.Elapsed));
        return result;
    }

    /// <summary>Loads weights written by <see cref="GetOrTrain"/>.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="recipe">The recipe whose architecture the file must fit (null = defaults).</param>
    /// <param name="expectedKey">When given, the file's stored key must equal it.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The stored key differs, or the tensors do not fit the architecture.</exception>
    public static FeatureNetwork Load(string path, FeatureNetworkRecipe? recipe = null, string? expectedKey = null)
    {
        recipe ??= new FeatureNetworkRecipe();
        recipe.Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"FeatureNetwork.Load: '{path}' does not exist", path);
        IReadOnlyDictionary<string, string> meta;
        using (var f = SafeTensors.Load(path)) meta = new Dictionary<string, string>(f.Metadata);
        meta.TryGetValue("mixflow.key", out var key);
        if (expectedKey is not null && key != expectedKey)
            throw new InvalidDataException($"FeatureNetwork.Load: '{path}' holds key '{key ?? "(none)"}', expected '{expectedKey}'; delete the file to retrain");
        var model = new ClassifierCnn(recipe.Architecture, new Generator(recipe.Seed));
        try { model.LoadSafeTensors(path, strict: true); }
        catch (ArgumentException e) { throw new InvalidDataException($"FeatureNetwork.Load: '{path}' does not fit the classifier architecture: {e.Message}", e); }
        double? acc = meta.TryGetValue("mixflow.test_accuracy", out var a) && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var av) ? av : null;
        return new FeatureNetwork(model, recipe, key, path, acc);
    }

    /// <summary>Trains a network from scratch with the recipe (no cache).</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="progress">Receives a report every 50 updates and at each epoch end (may be null).</param>
    /// <param name="cancellationToken">Cancels between updates.</param>
    /// <exception cref="ArgumentException">Invalid recipe.</exception>
    /// <exception cref="FileNotFoundException">The Fashion-MNIST files are missing.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static FeatureNetwork Train(FeatureNetworkRecipe recipe, IProgress<FeatureTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Train(recipe, progress, cancellationToken, Stopwatch.StartNew());

    private static FeatureNetwork Train(FeatureNetworkRecipe recipe, IProgress<FeatureTrainingProgress>? progress, CancellationToken ct, Stopwatch clock)
    {
        recipe.Validate();
        IDataset train = FashionMnist.Load(DatasetSplit.Train, recipe.DataDirectory);
        if (recipe.TrainSamples is { } n && n < train.Count) train = new PrefixDataset(train, n);
        return TrainOn(train, recipe, progress, ct, clock);
    }

    /// <summary>Trains on an arbitrary labelled image set (used by <see cref="Train(FeatureNetworkRecipe, IProgress{FeatureTrainingProgress}?, CancellationToken)"/>; exposed for tests on small synthetic sets).</summary>
    internal static FeatureNetwork TrainOn(IDataset train, FeatureNetworkRecipe recipe, IProgress<FeatureTrainingProgress>? progress, CancellationToken ct, Stopwatch clock)
    {
        var arch = recipe.Architecture;
        var shape = train.SampleShape;
        int size = arch.ImageSize * recipe.Downsample;
        if (train.NumClasses < 1 || train.NumClasses > arch.NumClasses || shape.Length != 3 || shape[0] != arch.InChannels || shape[1] != size || shape[2] != size)
            throw new ArgumentException($"FeatureNetwork.Train: data set of [{string.Join(", ", shape)}] samples with {train.NumClasses} classes does not fit the architecture [{arch.InChannels}, {size}, {size}] (ImageSize {arch.ImageSize} × Downsample {recipe.Downsample}) with {arch.NumClasses} classes");
        var model = new ClassifierCnn(arch, new Generator(recipe.Seed));
        model.Train();
        using var loader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = recipe.BatchSize, Seed = recipe.Seed, Shuffle = true, DropLast = true, Prefetch = 2, HorizontalFlip = recipe.HorizontalFlip,
        });
        long total = (long)loader.BatchesPerEpoch * recipe.Epochs;
        var opt = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(recipe.LearningRate, WeightDecay: recipe.WeightDecay));
        ILrSchedule schedule = total > recipe.WarmupSteps
            ? new CosineDecay(recipe.LearningRate, total, recipe.WarmupSteps, recipe.FinalLearningRate)
            : new LinearWarmup(recipe.WarmupSteps, recipe.LearningRate);
        double lossSum = 0; int lossCount = 0;
        for (long step = 0; step < total; step++)
        {
            ct.ThrowIfCancellationRequested();
            using var batch = loader.Next(ct);
            using (var scope = new TensorScope())
            {
                opt.LearningRate = schedule.At(step);
                if (recipe.MaxShift > 0) FeatureNetworkAugmentation.RandomShift(batch.X, recipe.MaxShift, recipe.Seed, step);
                var x = recipe.Downsample == 1 ? batch.X : batch.X.AvgPool2d(recipe.Downsample, recipe.Downsample);
                var logits = model.Forward(x);
                var loss = Tensor.CrossEntropy(logits, batch.Labels!);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                lossSum += loss.Item(); lossCount++;
            }
            bool epochEnd = (step + 1) % loader.BatchesPerEpoch == 0;
            if (progress is not null && ((step + 1) % 50 == 0 || epochEnd))
            {
                progress.Report(new FeatureTrainingProgress(FeatureTrainingPhase.Training, (int)(step / loader.BatchesPerEpoch), step + 1, total, lossSum / lossCount, null, clock.Elapsed));
                lossSum = 0; lossCount = 0;
            }
        }
        opt.ZeroGrad(setToNull: true);
        return new FeatureNetwork(model, recipe, null, null, null);
    }

    /// <summary>Side of the images the network takes: the classifier's ImageSize × the recipe's <see cref="FeatureNetworkRecipe.Downsample"/> (28 by default).</summary>
    public int InputSize => Model.Options.ImageSize * Recipe.Downsample;

    /// <summary>Features and logits of images [N, C, S, S] in [−1, 1] (S = <see cref="InputSize"/>; average-pooled by the
    /// recipe's down-sampling factor first), computed in batches in eval mode without gradients.</summary>
    /// <param name="images">The images.</param>
    /// <param name="batchSize">Images per forward pass, ≥ 1 (default 500).</param>
    /// <exception cref="ArgumentException">The shape does not fit the classifier, or batchSize &lt; 1.</exception>
    public ImageEmbedding Embed(Tensor images, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(images);
        var o = Model.Options;
        int size = InputSize;
        if (images.Rank != 4 || images.Size(1) != o.InChannels || images.Size(2) != size || images.Size(3) != size)
            throw new ArgumentException($"FeatureNetwork.Embed: images of shape {TensorShape.Format(images.Shape)} do not fit the network's input [N, {o.InChannels}, {size}, {size}]");
        if (batchSize < 1) throw new ArgumentException($"FeatureNetwork.Embed: batchSize must be >= 1 (got {batchSize})");
        int n = images.Size(0), d = FeatureDim, c = NumClasses;
        var feats = new float[(long)n * d];
        var logits = new float[(long)n * c];
        using var noGrad = GradMode.NoGrad();
        for (int s = 0; s < n; s += batchSize)
        {
            int e = Math.Min(n, s + batchSize);
            using var scope = new TensorScope();
            var x = images.Slice(0, s, e).Contiguous();
            if (Recipe.Downsample > 1) x = x.AvgPool2d(Recipe.Downsample, Recipe.Downsample);
            var f = Model.Features(x);
            var l = Model.Head.Forward(f);
            f.Contiguous().AsSpan().CopyTo(feats.AsSpan(s * d, (e - s) * d));
            l.Contiguous().AsSpan().CopyTo(logits.AsSpan(s * c, (e - s) * c));
        }
        return new ImageEmbedding(n, d, c, feats, logits);
    }

    /// <summary>Features and logits of every image of a data set, in order.</summary>
    /// <param name="dataset">Images [C, S, S] in [−1, 1].</param>
    /// <param name="batchSize">Images per forward pass, ≥ 1 (default 500).</param>
    /// <exception cref="ArgumentException">The sample shape does not fit, or batchSize &lt; 1.</exception>
    public ImageEmbedding Embed(IDataset dataset, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1) throw new ArgumentException($"FeatureNetwork.Embed: batchSize must be >= 1 (got {batchSize})");
        int n = dataset.Count, d = FeatureDim, c = NumClasses;
        var feats = new float[(long)n * d];
        var logits = new float[(long)n * c];
        var idx = new int[Math.Min(batchSize, Math.Max(n, 1))];
        for (int s = 0; s < n; s += batchSize)
        {
            int e = Math.Min(n, s + batchSize);
            for (int i = s; i < e; i++) idx[i - s] = i;
            using var scope = new TensorScope();
            var x = dataset.Gather(idx.AsSpan(0, e - s), out _);
            var part = Embed(x, batchSize);
            part.Features.CopyTo(feats, (long)s * d);
            part.Logits.CopyTo(logits, (long)s * c);
        }
        return new ImageEmbedding(n, d, c, feats, logits);
    }

    /// <summary>Fraction of images whose logits' argmax equals the label.</summary>
    /// <exception cref="ArgumentException">The label count differs from the image count, or there are no images.</exception>
    public static double Accuracy(ImageEmbedding embedding, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != embedding.Count) throw new ArgumentException($"FeatureNetwork.Accuracy: {labels.Count} labels for {embedding.Count} images");
        if (embedding.Count == 0) throw new ArgumentException("FeatureNetwork.Accuracy: no images");
        var pred = embedding.PredictedLabels();
        int ok = 0;
        for (int i = 0; i < pred.Length; i++) if (pred[i] == labels[i]) ok++;
        return (double)ok / pred.Length;
    }

    /// <summary>The first N samples of another data set.</summary>
    private sealed class PrefixDataset(IDataset inner, int count) : IDataset
    {
        public int Count => count;
        public int[] SampleShape => inner.SampleShape;
        public int NumClasses => inner.NumClasses;
        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
        {
            foreach (int i in indices)
                if ((uint)i >= (uint)count) throw new ArgumentOutOfRangeException(nameof(indices), $"FeatureNetwork training subset: index {i} outside [0, {count})");
            inner.Fill(indices, x, labels);
        }
    }
}
