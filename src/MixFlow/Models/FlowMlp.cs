using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>Architecture of a <see cref="FlowMlp"/>.</summary>
public sealed record FlowMlpOptions
{
    /// <summary>Data dimension d (input and output width). Default 2.</summary>
    public int Dim { get; init; } = 2;

    /// <summary>Hidden width. Default 256.</summary>
    public int Width { get; init; } = 256;

    /// <summary>Number of hidden layers (Linear + activation). Default 3.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Size of the sinusoidal time embedding (even). Default 64.</summary>
    public int TimeEmbedDim { get; init; } = 64;

    /// <summary>Factor applied to t ∈ [0, 1] before the time embedding. Default 1000 (as the PyTorch benchmark).</summary>
    public float TimeScale { get; init; } = 1000f;

    /// <summary>Hidden activation. Default SiLU.</summary>
    public Activation Activation { get; init; } = Activation.SiLU;

    /// <summary>Number of classes; 0 = unconditional. The class table has one extra null row (index NumClasses). Default 0.</summary>
    public int NumClasses { get; init; }

    /// <summary>Size of the class embedding (used when NumClasses &gt; 0). Default 32.</summary>
    public int ClassEmbedDim { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"FlowMlpOptions: {m}");
        if (Dim < 1) Fail($"Dim must be >= 1 (got {Dim})");
        if (Width < 1) Fail($"Width must be >= 1 (got {Width})");
        if (Depth < 1) Fail($"Depth must be >= 1 (got {Depth})");
        if (TimeEmbedDim < 2 || TimeEmbedDim % 2 != 0) Fail($"TimeEmbedDim must be an even number >= 2 (got {TimeEmbedDim})");
        if (!(TimeScale > 0) || float.IsInfinity(TimeScale)) Fail($"TimeScale must be a finite value > 0 (got {TimeScale})");
        if (NumClasses < 0) Fail($"NumClasses must be >= 0 (got {NumClasses})");
        if (NumClasses > 0 && ClassEmbedDim < 1) Fail($"ClassEmbedDim must be >= 1 for a conditional model (got {ClassEmbedDim})");
        if (!Enum.IsDefined(Activation)) Fail($"Activation has an unknown value {(int)Activation}");
    }
}

/// <summary>
/// A velocity MLP for low-dimensional data: input concat(x [B, d], sinusoidal t-embedding [B, E] (cos then sin of
/// 1000·t·f_k, f_k = 10000^(−k/(E/2))) [, class embedding]) → <c>net</c> = Sequential(Linear, act, …, Linear(width, d)).
/// With the defaults it is exactly the PyTorch benchmark's FlowMlp (state names <c>net.0</c>, <c>net.2</c>, …).
/// </summary>
public sealed class FlowMlp : Module, IFlowModel
{
    /// <summary>Creates the model with PyTorch-default initialisation from <paramref name="gen"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public FlowMlp(FlowMlpOptions options, Generator gen)
    {
        options.Validate();
        Options = options;
        int inDim = options.Dim + options.TimeEmbedDim + (options.NumClasses > 0 ? options.ClassEmbedDim : 0);
        var net = new Sequential();
        for (int i = 0; i < options.Depth; i++)
        {
            net.Add(new Linear(i == 0 ? inDim : options.Width, options.Width, gen));
            net.Add(ActivationModules.Create(options.Activation));
        }
        net.Add(new Linear(options.Width, options.Dim, gen));
        Net = RegisterModule("net", net);
        if (options.NumClasses > 0) ClassEmbed = RegisterModule("class_embed", new Embedding(options.NumClasses + 1, options.ClassEmbedDim, gen));
    }

    /// <summary>The architecture.</summary>
    public FlowMlpOptions Options { get; }

    /// <summary>The layer stack.</summary>
    public Sequential Net { get; }

    /// <summary>Class table [NumClasses + 1, ClassEmbedDim] (last row = null label), or null.</summary>
    public Embedding? ClassEmbed { get; }

    /// <inheritdoc />
    public int NumClasses => Options.NumClasses;

    /// <summary>Predicts the velocity at (x, t).</summary>
    /// <param name="x">[B, d].</param>
    /// <param name="t">[B], in [0, 1]; no gradient flows to t.</param>
    /// <param name="labels">Length B in [0, NumClasses] (NumClasses = null label) for conditional models, null otherwise.</param>
    /// <returns>[B, d].</returns>
    /// <exception cref="ArgumentException">Shapes or labels do not fit.</exception>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        var o = Options;
        if (x.Rank != 2 || x.Size(1) != o.Dim) throw new ArgumentException($"FlowMlp: input shape {TensorShape.Format(x.Shape)} is not [B, {o.Dim}]");
        int b = x.Size(0);
        if (t.Rank != 1 || t.Size(0) != b) throw new ArgumentException($"FlowMlp: time shape {TensorShape.Format(t.Shape)} is not [{b}]");
        var temb = TimestepEmbedder.FrequencyEmbedding(t.ToArray(), o.TimeEmbedDim, o.TimeScale); // [B, E]
        Tensor h;
        if (ClassEmbed is not null)
        {
            if (labels is null || labels.Length != b) throw new ArgumentException($"FlowMlp: the model is class-conditional and needs {b} labels (got {(labels is null ? "none" : labels.Length.ToString())})");
            h = Tensor.Concat([x, temb, ClassEmbed.Forward(labels)], 1);       // [B, d + E + Ec]
        }
        else
        {
            if (labels is not null) throw new ArgumentException($"FlowMlp: the model is unconditional (NumClasses 0) but {labels.Length} labels were given");
            h = Tensor.Concat([x, temb], 1);                                    // [B, d + E]
        }
        return Net.Forward(h);                                                  // [B, d]
    }
}
