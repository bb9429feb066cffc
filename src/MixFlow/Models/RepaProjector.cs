using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>Architecture of a <see cref="RepaProjector"/>.</summary>
public sealed record RepaProjectorOptions
{
    /// <summary>Width of the model's hidden tokens (the SiT/DiT-DH trunk width). Default 128.</summary>
    public int InputDim { get; init; } = 128;

    /// <summary>Width of the two hidden layers (REPA: 2048 for SiT-XL). Default 512.</summary>
    public int HiddenDim { get; init; } = 512;

    /// <summary>Output width = the encoder's token width. Default 128.</summary>
    public int OutputDim { get; init; } = 128;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A width is not positive; the message names it.</exception>
    public void Validate()
    {
        if (InputDim < 1) throw new ArgumentException($"RepaProjectorOptions: InputDim must be >= 1 (got {InputDim})");
        if (HiddenDim < 1) throw new ArgumentException($"RepaProjectorOptions: HiddenDim must be >= 1 (got {HiddenDim})");
        if (OutputDim < 1) throw new ArgumentException($"RepaProjectorOptions: OutputDim must be >= 1 (got {OutputDim})");
    }
}

/// <summary>
/// REPA's projector: an MLP applied per token to the hidden states of one transformer block,
/// <c>fc1</c> Linear(in, hidden) → SiLU → <c>fc2</c> Linear(hidden, hidden) → SiLU → <c>fc3</c> Linear(hidden, out)
/// (state names <c>fc1.*</c>, <c>fc2.*</c>, <c>fc3.*</c>; under <c>repa_projector.</c> inside a <see cref="RepaModel"/>).
/// PyTorch-default initialisation. Used for training only; dropped at sampling time.
/// </summary>
public sealed class RepaProjector : Module<Tensor, Tensor>
{
    /// <summary>Creates the projector.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public RepaProjector(RepaProjectorOptions options, Generator gen)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Fc1 = RegisterModule("fc1", new Linear(options.InputDim, options.HiddenDim, gen));
        Fc2 = RegisterModule("fc2", new Linear(options.HiddenDim, options.HiddenDim, gen));
        Fc3 = RegisterModule("fc3", new Linear(options.HiddenDim, options.OutputDim, gen));
    }

    /// <summary>The architecture.</summary>
    public RepaProjectorOptions Options { get; }

    /// <summary>First layer.</summary>
    public Linear Fc1 { get; }

    /// <summary>Second layer.</summary>
    public Linear Fc2 { get; }

    /// <summary>Output layer.</summary>
    public Linear Fc3 { get; }

    /// <summary>Hidden tokens [N, T, in] → projected tokens [N, T, out].</summary>
    /// <exception cref="ArgumentException">The last dimension is not <see cref="RepaProjectorOptions.InputDim"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Size(-1) != Options.InputDim)
            throw new ArgumentException($"RepaProjector: input of shape {TensorShape.Format(input.Shape)}, expected [..., {Options.InputDim}]");
        var h = Fc1.Forward(input).Silu();                                      // [N, T, hidden]
        h = Fc2.Forward(h).Silu();                                              // [N, T, hidden]
        return Fc3.Forward(h);                                                  // [N, T, out]
    }
}
