using System.Globalization;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.IO;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>Architecture of a <see cref="RaeDecoder"/>.</summary>
public sealed record RaeDecoderOptions
{
    /// <summary>Token width D (the encoder's). Default 128.</summary>
    public int TokenDim { get; init; } = 128;

    /// <summary>Side of the square token grid. Default 7.</summary>
    public int GridSize { get; init; } = 7;

    /// <summary>Image side S; a multiple of <see cref="GridSize"/> (patch p = S / GridSize). Default 28.</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Image channels. Default 1.</summary>
    public int OutChannels { get; init; } = 1;

    /// <summary>Channels of the convolutional refinement. Default 32.</summary>
    public int HiddenChannels { get; init; } = 32;

    /// <summary>Patch side p = ImageSize / GridSize.</summary>
    public int PatchSize => ImageSize / GridSize;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"RaeDecoderOptions: {m}");
        if (TokenDim < 1) Fail($"TokenDim must be >= 1 (got {TokenDim})");
        if (GridSize < 1) Fail($"GridSize must be >= 1 (got {GridSize})");
        if (ImageSize < GridSize || ImageSize % GridSize != 0) Fail($"ImageSize must be a positive multiple of GridSize {GridSize} (got {ImageSize})");
        if (OutChannels < 1) Fail($"OutChannels must be >= 1 (got {OutChannels})");
        if (HiddenChannels < 1) Fail($"HiddenChannels must be >= 1 (got {HiddenChannels})");
    }
}

/// <summary>
/// The pixel decoder of the representation autoencoder: encoder tokens [N, T, D] (T = G², row-major) → images
/// [N, C, S, S]. <c>proj</c> Linear(D, p·p·H) maps every token to a p×p patch of H feature channels (p = S / G), the
/// patches are laid out on the image grid, then SiLU → <c>conv1</c> 3×3 (H → H, pad 1) → SiLU → <c>conv2</c> 3×3
/// (H → C, pad 1). PyTorch-default initialisation; trained by <c>RaeDecoderTrainer</c>.
/// </summary>
public sealed class RaeDecoder : Module<Tensor, Tensor>
{
    /// <summary>Creates the decoder.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public RaeDecoder(RaeDecoderOptions options, Generator gen)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int p = options.PatchSize, h = options.HiddenChannels;
        Proj = RegisterModule("proj", new Linear(options.TokenDim, p * p * h, gen));
        Conv1 = RegisterModule("conv1", new Conv2d(h, h, 3, gen, padding: 1));
        Conv2 = RegisterModule("conv2", new Conv2d(h, options.OutChannels, 3, gen, padding: 1));
    }

    /// <summary>The architecture.</summary>
    public RaeDecoderOptions Options { get; }

    /// <summary>Token → patch features.</summary>
    public Linear Proj { get; }

    /// <summary>First refinement convolution.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Output convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Value of the <c>format</c> metadata entry of saved decoders.</summary>
    public const string FormatName = "mixflow.rae_decoder";

    /// <summary>
    /// Writes the weights atomically as safetensors with the architecture as metadata (<c>format</c>, <c>token_dim</c>,
    /// <c>grid_size</c>, <c>image_size</c>, <c>out_channels</c>, <c>hidden_channels</c>).
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        var o = Options;
        string S(int v) => v.ToString(CultureInfo.InvariantCulture);
        this.SaveSafeTensors(path, new Dictionary<string, string>
        {
            ["format"] = FormatName, ["token_dim"] = S(o.TokenDim), ["grid_size"] = S(o.GridSize), ["image_size"] = S(o.ImageSize),
            ["out_channels"] = S(o.OutChannels), ["hidden_channels"] = S(o.HiddenChannels),
        });
    }

    /// <summary>Loads a decoder written by <see cref="Save"/> (in eval mode).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The metadata is missing or malformed; the message names the file and entry.</exception>
    /// <exception cref="ArgumentException">The tensors do not fit the architecture.</exception>
    public static RaeDecoder Load(string path)
    {
        RaeDecoderOptions o;
        using (var file = SafeTensors.Load(path))
        {
            var m = file.Metadata;
            int Int(string key)
            {
                if (!m.TryGetValue(key, out var v)) throw new InvalidDataException($"RaeDecoder.Load '{path}': metadata entry '{key}' is missing (not a file written by RaeDecoder.Save)");
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r
                    : throw new InvalidDataException($"RaeDecoder.Load '{path}': metadata entry '{key}' = '{v}' is not an integer");
            }
            if (!m.TryGetValue("format", out var f) || f != FormatName) throw new InvalidDataException($"RaeDecoder.Load '{path}': format '{f}' is not '{FormatName}'");
            o = new RaeDecoderOptions { TokenDim = Int("token_dim"), GridSize = Int("grid_size"), ImageSize = Int("image_size"), OutChannels = Int("out_channels"), HiddenChannels = Int("hidden_channels") };
            try { o.Validate(); }
            catch (ArgumentException e) { throw new InvalidDataException($"RaeDecoder.Load '{path}': {e.Message}", e); }
        }
        var dec = new RaeDecoder(o, new Generator(0));
        using (GradMode.NoGrad()) dec.LoadSafeTensors(path);
        dec.Eval();
        return dec;
    }

    /// <summary>Tokens [N, G², D] → images [N, C, S, S].</summary>
    /// <exception cref="ArgumentException">The tokens do not have shape [N, G², D].</exception>
    public override Tensor Forward(Tensor input)
    {
        var o = Options;
        int g = o.GridSize, p = o.PatchSize, hc = o.HiddenChannels;
        if (input.Rank != 3 || input.Size(1) != g * g || input.Size(2) != o.TokenDim)
            throw new ArgumentException($"RaeDecoder: tokens of shape {TensorShape.Format(input.Shape)}, expected [N, {g * g}, {o.TokenDim}]");
        int n = input.Size(0);
        var f = Proj.Forward(input);                                            // [N, G², p·p·H]
        var img = f.Reshape(n, g, g, p, p, hc)                                  // [N, G, G, p, p, H]
            .Permute(0, 5, 1, 3, 2, 4)                                          // [N, H, G, p, G, p]
            .Reshape(n, hc, g * p, g * p);                                      // [N, H, S, S] (one copy)
        var h = Conv1.Forward(img.Silu()).Silu();                               // [N, H, S, S]
        return Conv2.Forward(h);                                                // [N, C, S, S]
    }
}
