using System.Globalization;
using System.Text;
using MixFlow.Data;
using MixFlow.Models;

namespace MixFlow.Evaluation;

/// <summary>
/// Everything that determines the weights of the evaluation <see cref="FeatureNetwork"/>: the architecture, the
/// optimisation hyper-parameters, the seed (initialisation and data order) and the data set location. Two equal
/// recipes on the same data files and engine version give the same cache key (<see cref="FeatureNetworkCache.Key(FeatureNetworkRecipe, IReadOnlyList{DataFileFingerprint}, string)"/>).
/// </summary>
/// <remarks>
/// Training is AdamW (β = (0.9, 0.999), ε = 1e-8, decoupled weight decay on tensors of rank ≥ 2) on the mean
/// cross-entropy, learning rate linearly warmed up over <see cref="WarmupSteps"/> updates to <see cref="LearningRate"/>
/// and then cosine-decayed to <see cref="FinalLearningRate"/> at the last update; one epoch is
/// ⌊<see cref="TrainSamples"/> / <see cref="BatchSize"/>⌋ updates over a permutation seeded by (<see cref="Seed"/>, epoch);
/// each training image is optionally mirrored (<see cref="HorizontalFlip"/>) and translated (<see cref="MaxShift"/>).
/// <para>Why batch 32: this small normalisation-free CNN with global average pooling needs many updates, and on one
/// engine thread an epoch costs about the same at batch 32 as at 128, so batch 32 gives four times the updates for
/// the same time (one epoch at lr 1e-3: 80.1 % test accuracy at batch 32 against 74.0 % at batch 128). The
/// Evaluation README lists the measured accuracy of the default recipe.</para>
/// </remarks>
public sealed record FeatureNetworkRecipe
{
    /// <summary>Format version of the recipe text (bumped when the training code changes meaning). Part of the key.</summary>
    public const int FormatVersion = 1;

    /// <summary>Seed of the initialisation (<c>new Generator(Seed)</c>) and of the per-epoch data permutations. Default 20251219.</summary>
    public ulong Seed { get; init; } = 20251219;

    /// <summary>Passes over the training data, ≥ 1. Default 16.</summary>
    public int Epochs { get; init; } = 16;

    /// <summary>Images per update, ≥ 1. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate, &gt; 0. Default 2e-3.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Learning rate at the last update, ≥ 0 and ≤ <see cref="LearningRate"/>. Default 0.</summary>
    public double FinalLearningRate { get; init; }

    /// <summary>Linear warm-up updates, ≥ 0. Default 300.</summary>
    public int WarmupSteps { get; init; } = 300;

    /// <summary>AdamW decoupled weight decay, ≥ 0. Default 0.01.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Random left–right mirroring of training images. Default false.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Random translation of training images by up to this many pixels along each axis, at the data's full
    /// 28×28 resolution before down-sampling (see <see cref="FeatureNetworkAugmentation.RandomShift"/>), 0 = none, in
    /// [0, 8]. Default 1.</summary>
    public int MaxShift { get; init; } = 1;

    /// <summary>Use only the first N training images (null = all 60 000); for quick tests. Default null.</summary>
    public int? TrainSamples { get; init; }

    /// <summary>
    /// Input down-sampling factor (1 or 2): images are average-pooled by this factor before the classifier, both in
    /// training and in <see cref="FeatureNetwork.Embed(MixFlow.Tensors.Tensor, int)"/>. With 2 (default) the 28×28 images
    /// become 14×14, so the 9×9 receptive field of the three convolutions covers most of the garment (the global
    /// average pool then sees shape, not only texture) and each update costs a quarter of the 28×28 one.
    /// </summary>
    public int Downsample { get; init; } = 2;

    /// <summary>The classifier architecture; its ImageSize must be the data's 28 divided by <see cref="Downsample"/>.
    /// Default: 1×14×14 input, 10 classes, channels 32/64/128 (128-d features), no dropout.</summary>
    public ClassifierCnnOptions Architecture { get; init; } = new() { ImageSize = 14 };

    /// <summary>Folder of the Fashion-MNIST IDX files. Default <see cref="FashionMnist.DefaultDirectory"/>.
    /// Not part of the key itself: the key covers the files' sizes and SHA-256 instead.</summary>
    public string DataDirectory { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field, the value and the allowed range.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"FeatureNetworkRecipe: {m}");
        if (Epochs < 1) Fail($"Epochs must be >= 1 (got {Epochs})");
        if (BatchSize < 1) Fail($"BatchSize must be >= 1 (got {BatchSize})");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"LearningRate must be a finite value > 0 (got {LearningRate})");
        if (!(FinalLearningRate >= 0 && FinalLearningRate <= LearningRate)) Fail($"FinalLearningRate must be in [0, LearningRate = {LearningRate}] (got {FinalLearningRate})");
        if (WarmupSteps < 0) Fail($"WarmupSteps must be >= 0 (got {WarmupSteps})");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) Fail($"WeightDecay must be a finite value >= 0 (got {WeightDecay})");
        if (TrainSamples is { } n && n < BatchSize) Fail($"TrainSamples must be null or >= BatchSize = {BatchSize} (got {n})");
        if (Architecture is null) Fail("Architecture must not be null");
        if (string.IsNullOrWhiteSpace(DataDirectory)) Fail("DataDirectory must not be empty");
        if (MaxShift is < 0 or > 8) Fail($"MaxShift must be in [0, 8] (got {MaxShift})");
        if (Downsample is not (1 or 2)) Fail($"Downsample must be 1 or 2 (got {Downsample})");
        Architecture!.Validate();
    }

    /// <summary>
    /// The canonical text of every weight-determining field (one <c>name=value</c> per line, invariant culture,
    /// round-trip number formats), hashed into the cache key and stored in the weights' metadata.
    /// </summary>
    public string CanonicalText()
    {
        var a = Architecture;
        var sb = new StringBuilder();
        void Line(string k, string v) => sb.Append(k).Append('=').Append(v).Append('\n');
        string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        Line("format", FormatVersion.ToString(CultureInfo.InvariantCulture));
        Line("seed", Seed.ToString(CultureInfo.InvariantCulture));
        Line("epochs", Epochs.ToString(CultureInfo.InvariantCulture));
        Line("batch_size", BatchSize.ToString(CultureInfo.InvariantCulture));
        Line("lr", D(LearningRate));
        Line("final_lr", D(FinalLearningRate));
        Line("warmup_steps", WarmupSteps.ToString(CultureInfo.InvariantCulture));
        Line("weight_decay", D(WeightDecay));
        Line("adamw", "beta1=0.9,beta2=0.999,eps=1e-8,decay=rank>=2");
        Line("schedule", "linear-warmup+cosine");
        Line("hflip", HorizontalFlip ? "1" : "0");
        Line("max_shift", MaxShift.ToString(CultureInfo.InvariantCulture));
        Line("downsample", Downsample.ToString(CultureInfo.InvariantCulture));
        Line("train_samples", TrainSamples?.ToString(CultureInfo.InvariantCulture) ?? "all");
        Line("arch.in_channels", a.InChannels.ToString(CultureInfo.InvariantCulture));
        Line("arch.image_size", a.ImageSize.ToString(CultureInfo.InvariantCulture));
        Line("arch.num_classes", a.NumClasses.ToString(CultureInfo.InvariantCulture));
        Line("arch.channels", string.Join(",", a.Channels.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        Line("arch.dropout", a.Dropout.ToString("R", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
