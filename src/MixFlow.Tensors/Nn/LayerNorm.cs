namespace MixFlow.Tensors.Nn;

/// <summary>
/// Layer normalisation over the last dimension (PyTorch's <c>nn.LayerNorm(dim, eps, elementwise_affine)</c>):
/// parameters <c>weight</c> (ones) and <c>bias</c> (zeros) of shape [dim] when affine, none otherwise.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dim">Size of the normalised (last) dimension.</param>
    /// <param name="eps">Added to the variance (PyTorch's default 1e-5; DiT uses 1e-6).</param>
    /// <param name="affine">Whether to learn a per-feature scale and shift (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> below 1 or <paramref name="eps"/> not positive.</exception>
    public LayerNorm(int dim, float eps = 1e-5f, bool affine = true)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), $"LayerNorm: dim must be >= 1 (got {dim})");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"LayerNorm: eps must be > 0 (got {eps})");
        Dim = dim; Eps = eps;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(dim));
            Bias = RegisterParameter("bias", Tensor.Zeros(dim));
        }
    }

    /// <summary>Normalised dimension size.</summary>
    public int Dim { get; }

    /// <summary>Variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>Scale [dim] or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift [dim] or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [..., dim] → normalised [..., dim].</summary>
    /// <exception cref="ArgumentException">The last dimension of x is not <see cref="Dim"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Size(-1) != Dim)
            throw new ArgumentException($"LayerNorm: input shape {TensorShape.Format(input.Shape)} does not end in the normalised size {Dim}");
        return Tensor.LayerNorm(input, Weight, Bias, Eps);
    }
}
