using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>Architecture of a <see cref="ClassifierCnn"/>.</summary>
public sealed record ClassifierCnnOptions
{
    /// <summary>Image channels. Default 1.</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Image height = width (28 or 32 typically; any size ≥ 4). Default 28.</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Number of classes. Default 10.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Channels of the three 3×3 convolutions (strides 1, 2, 2); the last is the feature size. Default (32, 64, 128).</summary>
    public int[] Channels { get; init; } = [32, 64, 128];

    /// <summary>Dropout probability on the features before the logits (0 = none). Default 0.</summary>
    public float Dropout { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"ClassifierCnnOptions: {m}");
        if (InChannels < 1) Fail($"InChannels must be >= 1 (got {InChannels})");
        if (ImageSize < 4) Fail($"ImageSize must be >= 4 (got {ImageSize})");
        if (NumClasses < 2) Fail($"NumClasses must be >= 2 (got {NumClasses})");
        if (Channels is null || Channels.Length != 3 || Channels.Any(c => c < 1)) Fail($"Channels must hold three positive counts (got {(Channels is null ? "null" : string.Join(", ", Channels))})");
        if (!(Dropout >= 0 && Dropout < 1)) Fail($"Dropout must be in [0, 1) (got {Dropout})");
    }
}

/// <summary>
/// A small image classifier: <c>features</c> = conv3×3(C→32, pad 1) → SiLU → conv3×3(32→64, stride 2, pad 1) → SiLU →
/// conv3×3(64→128, stride 2, pad 1) → SiLU, then global average pooling to a 128-d feature vector, optional dropout,
/// and <c>head</c> Linear(128, classes). <see cref="Features"/> (the pooled vector) is the embedding used by the
/// evaluation metrics.
/// </summary>
public sealed class ClassifierCnn : Module<Tensor, Tensor>
{
    /// <summary>Creates the network with PyTorch-default initialisation.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ClassifierCnn(ClassifierCnnOptions options, Generator gen)
    {
        options.Validate();
        Options = options;
        var c = options.Channels;
        FeatureLayers = RegisterModule("features", new Sequential(
            new Conv2d(options.InChannels, c[0], 3, gen, stride: 1, padding: 1), new SiLU(),
            new Conv2d(c[0], c[1], 3, gen, stride: 2, padding: 1), new SiLU(),
            new Conv2d(c[1], c[2], 3, gen, stride: 2, padding: 1), new SiLU()));
        DropoutLayer = new Dropout(options.Dropout, gen.Fork());
        Head = RegisterModule("head", new Linear(c[2], options.NumClasses, gen));
    }

    /// <summary>The architecture.</summary>
    public ClassifierCnnOptions Options { get; }

    /// <summary>The convolutional trunk.</summary>
    public Sequential FeatureLayers { get; }

    /// <summary>Dropout before the head (identity when p = 0 or in eval mode).</summary>
    public Dropout DropoutLayer { get; }

    /// <summary>The logits layer.</summary>
    public Linear Head { get; }

    /// <summary>Size of the feature vector.</summary>
    public int FeatureDim => Options.Channels[2];

    /// <inheritdoc />
    public override void Train(bool training = true)
    {
        base.Train(training);
        DropoutLayer.Train(training);
    }

    /// <summary>Images [N, C, S, S] → pooled features [N, FeatureDim].</summary>
    /// <exception cref="ArgumentException">The input shape does not fit.</exception>
    public Tensor Features(Tensor x) => FeatureMap(x).GlobalAvgPool2d();       // [N, 128]

    /// <summary>Side of the feature map before pooling: ⌈⌈S/2⌉/2⌉ (the two stride-2, pad-1 3×3 convolutions).</summary>
    public int FeatureMapSize => ((Options.ImageSize + 1) / 2 + 1) / 2;

    /// <summary>Images [N, C, S, S] → the feature map before global pooling [N, FeatureDim, FeatureMapSize, FeatureMapSize].</summary>
    /// <exception cref="ArgumentException">The input shape does not fit.</exception>
    public Tensor FeatureMap(Tensor x)
    {
        var o = Options;
        if (x.Rank != 4 || x.Size(1) != o.InChannels || x.Size(2) != o.ImageSize || x.Size(3) != o.ImageSize)
            throw new ArgumentException($"ClassifierCnn: input shape {TensorShape.Format(x.Shape)} is not [N, {o.InChannels}, {o.ImageSize}, {o.ImageSize}]");
        return FeatureLayers.Forward(x);                                        // [N, 128, S/4, S/4]
    }

    /// <summary>Images [N, C, S, S] → logits [N, classes].</summary>
    /// <exception cref="ArgumentException">The input shape does not fit.</exception>
    public override Tensor Forward(Tensor input) => Head.Forward(DropoutLayer.Forward(Features(input)));
}
