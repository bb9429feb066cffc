using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Representation;

/// <summary>
/// The representation autoencoder: frozen encoder + token statistics + trained <see cref="RaeDecoder"/>. Diffusion
/// runs in the normalised token space, laid out as an image-like latent [N, D, G, G] (channel d of cell (i, j) is
/// (token_{i·G+j, d} − mean_d) / std_d), so SiT/DiT-DH models and the samplers work on it unchanged.
/// </summary>
public sealed class RaeCodec
{
    /// <summary>Creates the codec.</summary>
    /// <exception cref="ArgumentException">The statistics or decoder do not fit the encoder (token width, grid, image shape), or the grid is not square.</exception>
    public RaeCodec(IRepresentationEncoder encoder, TokenNormalization normalization, RaeDecoder decoder)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder), "RaeCodec: an encoder is required");
        Normalization = normalization ?? throw new ArgumentNullException(nameof(normalization), "RaeCodec: token statistics are required");
        Decoder = decoder ?? throw new ArgumentNullException(nameof(decoder), "RaeCodec: a decoder is required");
        normalization.Validate();
        var (gh, gw) = encoder.TokenGrid;
        var (c, h, _) = encoder.InputShape;
        var o = decoder.Options;
        if (gh != gw) throw new ArgumentException($"RaeCodec: the token grid must be square (got {gh}×{gw})");
        if (normalization.Dim != encoder.TokenDim) throw new ArgumentException($"RaeCodec: statistics of {normalization.Dim} dimensions for {encoder.TokenDim}-d tokens");
        if (o.TokenDim != encoder.TokenDim || o.GridSize != gh || o.ImageSize != h || o.OutChannels != c)
            throw new ArgumentException($"RaeCodec: the decoder (tokens {o.TokenDim}-d on {o.GridSize}², images {o.OutChannels}×{o.ImageSize}²) does not fit the encoder (tokens {encoder.TokenDim}-d on {gh}², images {c}×{h}²)");
        _mean = Tensor.FromArray(normalization.Mean, 1, 1, encoder.TokenDim); _mean.MoveToOuterScope();
        _std = Tensor.FromArray(normalization.Std, 1, 1, encoder.TokenDim); _std.MoveToOuterScope();
    }

    private readonly Tensor _mean, _std;

    /// <summary>Loads a <see cref="CnnPatchEncoder"/> (with its statistics) and a decoder saved by <see cref="RaeDecoder.Save"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not of the expected kind.</exception>
    /// <exception cref="ArgumentException">The files do not fit each other.</exception>
    public static RaeCodec Load(string encoderPath, string decoderPath)
    {
        var enc = CnnPatchEncoder.Load(encoderPath);
        return new RaeCodec(enc, enc.Normalization, RaeDecoder.Load(decoderPath));
    }

    /// <summary>The frozen encoder.</summary>
    public IRepresentationEncoder Encoder { get; }

    /// <summary>The token statistics.</summary>
    public TokenNormalization Normalization { get; }

    /// <summary>The pixel decoder.</summary>
    public RaeDecoder Decoder { get; }

    /// <summary>Shape of one latent [D, G, G] (a fresh array).</summary>
    public int[] LatentShape => [Encoder.TokenDim, Encoder.TokenGrid.Height, Encoder.TokenGrid.Width];

    /// <summary>Images [N, C, H, W] in [−1, 1] → normalised latents [N, D, G, G] (no autograd).</summary>
    /// <exception cref="ArgumentException">The images do not fit the encoder.</exception>
    public Tensor EncodeToLatent(Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        var tok = Encoder.Encode(images);                                       // [N, T, D]
        int n = tok.Size(0), d = Encoder.TokenDim, g = Encoder.TokenGrid.Height;
        var z = (tok - _mean) / _std;                                           // [N, T, D]
        return z.Transpose(1, 2).Reshape(n, d, g, g);                           // [N, D, G, G] (one copy)
    }

    /// <summary>Normalised latents [N, D, G, G] → images [N, C, H, W] (no autograd).</summary>
    /// <exception cref="ArgumentException">The latent does not have shape [N, D, G, G].</exception>
    public Tensor DecodeToImages(Tensor latent)
    {
        int d = Encoder.TokenDim, g = Encoder.TokenGrid.Height;
        if (latent.Rank != 4 || latent.Size(1) != d || latent.Size(2) != g || latent.Size(3) != g)
            throw new ArgumentException($"RaeCodec.DecodeToImages: latent of shape {TensorShape.Format(latent.Shape)}, expected [N, {d}, {g}, {g}]");
        using var noGrad = GradMode.NoGrad();
        int n = latent.Size(0);
        var z = latent.Reshape(n, d, g * g).Transpose(1, 2);                    // [N, T, D] (view)
        var tok = z * _std + _mean;                                             // [N, T, D]
        return Decoder.Forward(tok);                                            // [N, C, H, W]
    }
}
