namespace MixFlow.Tensors.Nn;

/// <summary>
/// Affine layer y = x·Wᵀ + b over the last dimension (PyTorch's <c>nn.Linear</c>): parameters <c>weight</c>
/// [out, in] and optionally <c>bias</c> [out], initialised like PyTorch (kaiming-uniform a = √5, bias U(±1/√in)).
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Input features (≥ 1).</param>
    /// <param name="outFeatures">Output features (≥ 1).</param>
    /// <param name="gen">Source of the initial values.</param>
    /// <param name="bias">Whether the layer has a bias (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException">A feature count is below 1.</exception>
    public Linear(int inFeatures, int outFeatures, Generator gen, bool bias = true)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear: feature counts must be >= 1 (got in {inFeatures}, out {outFeatures})");
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Empty(outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty(outFeatures)) : null;
        Init.DefaultLayer(Weight, Bias, gen);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [..., in] → [..., out].</summary>
    /// <exception cref="ArgumentException">The last dimension of x is not <see cref="InFeatures"/>.</exception>
    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);
}
