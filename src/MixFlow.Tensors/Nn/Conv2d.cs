namespace MixFlow.Tensors.Nn;

/// <summary>
/// 2-D convolution over [N, C, H, W] (PyTorch's <c>nn.Conv2d</c> with square kernel, one stride and one padding):
/// parameters <c>weight</c> [out, in, k, k] and optionally <c>bias</c> [out], initialised like PyTorch.
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Input channels (≥ 1).</param>
    /// <param name="outChannels">Output channels (≥ 1).</param>
    /// <param name="kernel">Kernel size (≥ 1).</param>
    /// <param name="gen">Source of the initial values.</param>
    /// <param name="stride">Stride (≥ 1, default 1).</param>
    /// <param name="padding">Zero padding on each side (≥ 0, default 0).</param>
    /// <param name="bias">Whether the layer has a bias (default true).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public Conv2d(int inChannels, int outChannels, int kernel, Generator gen, int stride = 1, int padding = 0, bool bias = true)
    {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"Conv2d: invalid sizes (in {inChannels}, out {outChannels}, kernel {kernel}, stride {stride}, padding {padding}); expected channels, kernel, stride >= 1 and padding >= 0");
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Padding = padding;
        Weight = RegisterParameter("weight", Tensor.Empty(outChannels, inChannels, kernel, kernel));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty(outChannels)) : null;
        Init.DefaultLayer(Weight, Bias, gen);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size.</summary>
    public int Kernel { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding per side.</summary>
    public int Padding { get; }

    /// <summary>The weight [out, in, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [N, in, H, W] → [N, out, H', W'].</summary>
    /// <exception cref="ArgumentException">x is not rank 4 with <see cref="InChannels"/> channels.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"Conv2d: input shape {TensorShape.Format(input.Shape)} is not [N, {InChannels}, H, W]");
        return Tensor.Conv2d(input, Weight, Bias, Stride, Padding);
    }
}
