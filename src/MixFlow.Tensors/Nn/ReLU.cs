namespace MixFlow.Tensors.Nn;

/// <summary>ReLU activation max(x, 0) as a parameter-free module (PyTorch's <c>nn.ReLU</c>).</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <summary>Applies ReLU element-wise.</summary>
    public override Tensor Forward(Tensor input) => input.Relu();
}
