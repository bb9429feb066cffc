namespace MixFlow.Tensors.Nn;

/// <summary>
/// Dropout as a module (PyTorch's <c>nn.Dropout</c>): in training mode zeroes each element with probability p and
/// scales the rest by 1/(1−p), drawing from its own seeded <see cref="Generator"/>; the identity in evaluation mode.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator _gen;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="gen">Source of the masks (kept by the layer).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> outside [0, 1).</exception>
    public Dropout(float p, Generator gen)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1) (got {p})");
        P = p; _gen = gen;
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    /// <summary>Applies dropout in training mode (p &gt; 0), else returns the input.</summary>
    public override Tensor Forward(Tensor input) => Training && P > 0 ? input.Dropout(P, _gen, training: true) : input;
}
