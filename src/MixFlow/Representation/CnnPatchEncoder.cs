using System.Globalization;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Nn;

namespace MixFlow.Representation;

/// <summary>
/// The project's default <see cref="IRepresentationEncoder"/>: the evaluation <see cref="ClassifierCnn"/>'s
/// convolutional feature map before global pooling, one token per cell — for 28×28 images and channels
/// (32, 64, 128) the map is [N, 128, 7, 7], i.e. 49 tokens of 128 dimensions. It carries the token
/// <see cref="Normalization"/> (identity until <see cref="SetNormalization"/>), saved with the weights.
/// </summary>
/// <remarks>
/// State dict: <c>cnn.*</c> (the classifier, head included, so the file is also a usable classifier),
/// <c>token_mean</c> [D] and <c>token_std</c> [D]. Safetensors metadata (<see cref="Save"/>): <c>format</c> =
/// <see cref="FormatName"/>, <c>in_channels</c>, <c>image_size</c>, <c>num_classes</c>, <c>channels</c> ("32,64,128").
/// The encoder is frozen: <see cref="Encode"/> runs under no-grad, so its parameters never receive a gradient.
/// </remarks>
public sealed class CnnPatchEncoder : Module, IRepresentationEncoder
{
    /// <summary>Value of the <c>format</c> metadata entry of saved encoders.</summary>
    public const string FormatName = "mixflow.cnn_patch_encoder";

    /// <summary>Wraps a (trained) classifier; the module takes ownership of it.</summary>
    /// <exception cref="ArgumentNullException">cnn is null.</exception>
    public CnnPatchEncoder(ClassifierCnn cnn)
    {
        Cnn = RegisterModule("cnn", cnn ?? throw new ArgumentNullException(nameof(cnn), "CnnPatchEncoder: a classifier is required"));
        int d = cnn.FeatureDim;
        TokenMean = RegisterBuffer("token_mean", Tensor.Zeros(d));
        TokenStd = RegisterBuffer("token_std", Tensor.Ones(d));
        Eval();
    }

    /// <summary>A fresh (untrained) encoder with PyTorch-default initialisation.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public CnnPatchEncoder(ClassifierCnnOptions options, Generator gen) : this(new ClassifierCnn(options, gen)) { }

    /// <summary>The classifier whose feature map gives the tokens.</summary>
    public ClassifierCnn Cnn { get; }

    /// <summary>Buffer <c>token_mean</c> [D].</summary>
    public Tensor TokenMean { get; }

    /// <summary>Buffer <c>token_std</c> [D].</summary>
    public Tensor TokenStd { get; }

    /// <inheritdoc/>
    public int TokenDim => Cnn.FeatureDim;

    /// <inheritdoc/>
    public int NumTokens => Cnn.FeatureMapSize * Cnn.FeatureMapSize;

    /// <inheritdoc/>
    public (int Height, int Width) TokenGrid => (Cnn.FeatureMapSize, Cnn.FeatureMapSize);

    /// <inheritdoc/>
    public (int Channels, int Height, int Width) InputShape => (Cnn.Options.InChannels, Cnn.Options.ImageSize, Cnn.Options.ImageSize);

    /// <summary>The stored token statistics (a copy).</summary>
    public TokenNormalization Normalization => new(TokenMean.ToArray(), TokenStd.ToArray());

    /// <summary>Stores token statistics (e.g. from <see cref="TokenNormalization.Compute"/>).</summary>
    /// <exception cref="ArgumentException">The statistics are invalid or have another dimension than <see cref="TokenDim"/>.</exception>
    public void SetNormalization(TokenNormalization stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        stats.Validate();
        if (stats.Dim != TokenDim) throw new ArgumentException($"CnnPatchEncoder.SetNormalization: statistics of {stats.Dim} dimensions for tokens of {TokenDim}");
        stats.Mean.CopyTo(TokenMean.AsSpan());
        stats.Std.CopyTo(TokenStd.AsSpan());
    }

    /// <inheritdoc/>
    public Tensor Encode(Tensor images)
    {
        var (c, h, w) = InputShape;
        if (images.Rank != 4 || images.Size(1) != c || images.Size(2) != h || images.Size(3) != w)
            throw new ArgumentException($"CnnPatchEncoder.Encode: images of shape {TensorShape.Format(images.Shape)}, expected [N, {c}, {h}, {w}]");
        using var noGrad = GradMode.NoGrad();
        int n = images.Size(0), d = TokenDim, t = NumTokens;
        var map = Cnn.FeatureMap(images.Detach());                              // [N, D, g, g]
        return map.Reshape(n, d, t).Transpose(1, 2).Contiguous();               // [N, T, D]
    }

    /// <summary>Writes the encoder (weights, statistics and architecture metadata) atomically.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        var o = Cnn.Options;
        var meta = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["in_channels"] = o.InChannels.ToString(CultureInfo.InvariantCulture),
            ["image_size"] = o.ImageSize.ToString(CultureInfo.InvariantCulture),
            ["num_classes"] = o.NumClasses.ToString(CultureInfo.InvariantCulture),
            ["channels"] = string.Join(",", o.Channels.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        };
        this.SaveSafeTensors(path, meta);
    }

    /// <summary>Loads an encoder written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a CnnPatchEncoder (metadata missing or malformed); the message names the file and entry.</exception>
    /// <exception cref="ArgumentException">The tensors do not fit the architecture in the metadata.</exception>
    public static CnnPatchEncoder Load(string path)
    {
        ClassifierCnnOptions options;
        using (var file = SafeTensors.Load(path))
        {
            var m = file.Metadata;
            string Get(string key) => m.TryGetValue(key, out var v) ? v
                : throw new InvalidDataException($"CnnPatchEncoder.Load '{path}': metadata entry '{key}' is missing (not a file written by CnnPatchEncoder.Save)");
            int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new InvalidDataException($"CnnPatchEncoder.Load '{path}': metadata entry '{key}' = '{Get(key)}' is not an integer");
            if (Get("format") != FormatName) throw new InvalidDataException($"CnnPatchEncoder.Load '{path}': format '{Get("format")}' is not '{FormatName}'");
            var parts = Get("channels").Split(',');
            var ch = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ch[i]))
                    throw new InvalidDataException($"CnnPatchEncoder.Load '{path}': metadata entry 'channels' = '{Get("channels")}' is not a comma-separated list of integers");
            options = new ClassifierCnnOptions { InChannels = Int("in_channels"), ImageSize = Int("image_size"), NumClasses = Int("num_classes"), Channels = ch };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new InvalidDataException($"CnnPatchEncoder.Load '{path}': {e.Message}", e); }
        }
        var enc = new CnnPatchEncoder(options, new Generator(0));
        using (GradMode.NoGrad()) enc.LoadSafeTensors(path);
        enc.Eval();
        return enc;
    }
}
