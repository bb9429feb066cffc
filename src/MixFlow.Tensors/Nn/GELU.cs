namespace MixFlow.Tensors.Nn;

/// <summary>GELU activation as a parameter-free module (PyTorch's <c>nn.GELU(approximate=…)</c>).</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <summary>Creates the activation.</summary>
    /// <param name="approximateTanh">Use the tanh approximation (PyTorch's <c>approximate="tanh"</c>, used by DiT/SiT); default exact erf form.</param>
    public GELU(bool approximateTanh = false) => ApproximateTanh = approximateTanh;

    /// <summary>Whether the tanh approximation is used.</summary>
    public bool ApproximateTanh { get; }

    /// <summary>Applies GELU element-wise.</summary>
    public override Tensor Forward(Tensor input) => input.Gelu(ApproximateTanh);
}
