using MixFlow.Tensors.Nn;
using TensorModule = MixFlow.Tensors.Nn.Module<MixFlow.Tensors.Tensor, MixFlow.Tensors.Tensor>;

namespace MixFlow.Models;

/// <summary>Element-wise activation used between the layers of a model.</summary>
public enum Activation
{
    /// <summary>x·σ(x).</summary>
    SiLU,
    /// <summary>Exact GELU x·Φ(x).</summary>
    GELU,
    /// <summary>GELU with the tanh approximation.</summary>
    GELUTanh,
    /// <summary>max(x, 0).</summary>
    ReLU,
}

/// <summary>Builds activation modules.</summary>
public static class ActivationModules
{
    /// <summary>A parameter-free module for <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown enum value.</exception>
    public static TensorModule Create(Activation a) => a switch
    {
        Activation.SiLU => new SiLU(),
        Activation.GELU => new GELU(),
        Activation.GELUTanh => new GELU(approximateTanh: true),
        Activation.ReLU => new ReLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(a), $"Activation: unknown value {a}"),
    };
}
