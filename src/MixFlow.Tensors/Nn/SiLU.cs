namespace MixFlow.Tensors.Nn;

/// <summary>SiLU activation x·σ(x) as a parameter-free module (PyTorch's <c>nn.SiLU</c>).</summary>
public sealed class SiLU : Module<Tensor, Tensor>
{
    /// <summary>Applies SiLU element-wise.</summary>
    public override Tensor Forward(Tensor input) => input.Silu();
}
