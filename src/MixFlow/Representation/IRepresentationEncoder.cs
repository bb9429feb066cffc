using MixFlow.Tensors;

namespace MixFlow.Representation;

/// <summary>
/// A frozen image encoder that turns images into a grid of feature tokens — the target of REPA's alignment and the
/// latent space of a representation autoencoder (RAE). The paper uses DINOv2; this project ships
/// <see cref="CnnPatchEncoder"/> (a classifier CNN it trains itself), and any network converted to safetensors can be
/// plugged in behind this interface.
/// </summary>
/// <remarks>
/// Frozen means no gradient ever reaches the encoder: <see cref="Encode"/> runs under no-grad and returns a detached
/// tensor. Tokens are ordered row-major over the token grid (token r = i·GridWidth + j).
/// </remarks>
public interface IRepresentationEncoder
{
    /// <summary>Width D of a token.</summary>
    int TokenDim { get; }

    /// <summary>Number of tokens T = GridHeight·GridWidth per image.</summary>
    int NumTokens { get; }

    /// <summary>The 2-D arrangement of the tokens (row-major).</summary>
    (int Height, int Width) TokenGrid { get; }

    /// <summary>The image shape the encoder accepts.</summary>
    (int Channels, int Height, int Width) InputShape { get; }

    /// <summary>Encodes images [N, C, H, W] with values in [−1, 1] into tokens [N, T, D] (detached, no graph).</summary>
    /// <exception cref="ArgumentException">The images do not have shape [N, C, H, W] of <see cref="InputShape"/>.</exception>
    Tensor Encode(Tensor images);
}
