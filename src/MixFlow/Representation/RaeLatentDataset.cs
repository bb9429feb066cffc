using MixFlow.Data;
using MixFlow.Tensors;

namespace MixFlow.Representation;

/// <summary>
/// An image data set seen through a <see cref="RaeCodec"/>: sample i is the normalised latent [D, G, G] of image i
/// (encoded on the fly, so nothing of size N·D·G² is held), with the image's label. This is the training set of a
/// latent diffusion model (DiT-DH) on RAE.
/// </summary>
public sealed class RaeLatentDataset : IDataset
{
    private readonly IDataset _images;
    private readonly RaeCodec _codec;

    /// <summary>Wraps an image set.</summary>
    /// <exception cref="ArgumentException">The images do not have the encoder's input shape.</exception>
    public RaeLatentDataset(IDataset images, RaeCodec codec)
    {
        _images = images ?? throw new ArgumentNullException(nameof(images), "RaeLatentDataset: an image set is required");
        _codec = codec ?? throw new ArgumentNullException(nameof(codec), "RaeLatentDataset: a codec is required");
        EncoderData.CheckShape(codec.Encoder, images, "RaeLatentDataset");
    }

    /// <inheritdoc/>
    public int Count => _images.Count;

    /// <inheritdoc/>
    public int[] SampleShape => _codec.LatentShape;

    /// <inheritdoc/>
    public int NumClasses => _images.NumClasses;

    /// <inheritdoc/>
    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
    {
        int latentSize = _codec.LatentShape.Aggregate(1, (a, b) => a * b);
        if (x.Length != indices.Length * latentSize)
            throw new ArgumentException($"RaeLatentDataset.Fill: destination holds {x.Length} floats, {indices.Length} latents need {indices.Length * latentSize}");
        using var scope = new TensorScope();
        var shape = _images.SampleShape;
        var img = Tensor.Empty([indices.Length, .. shape]);
        _images.Fill(indices, img.AsSpan(), labels);
        _codec.EncodeToLatent(img).Contiguous().AsSpan().CopyTo(x);
    }
}
