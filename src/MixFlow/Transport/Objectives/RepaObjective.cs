using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// REPA (representation alignment, Yu et al. 2024) around any inner objective (flow matching, MixFlow, input
/// perturbation): total loss = inner loss + λ·<see cref="RepaLoss"/>(projector(h_k), encoder tokens of x1), where h_k
/// are the model's hidden tokens after block k from the very forward pass the inner objective makes.
/// </summary>
/// <remarks>
/// The model must be a <see cref="RepaModel"/>. The inner objective is handed a wrapper whose <c>Forward</c> calls
/// <see cref="RepaModel.ForwardWithHidden"/> and keeps the hidden tokens, so no second pass is made and the inner
/// objective's random draws are unchanged (the encoder draws nothing): with λ = 0 the loss equals the inner loss bit
/// for bit. The data batch x1 must be images of the encoder's input shape (pixel-space models); encoder tokens are
/// resampled to the model's token grid with <see cref="TokenResampling.ToGrid"/>. The encoder is frozen (no gradient
/// reaches it); the projector is trained with the model (it is part of the <see cref="RepaModel"/>).
/// </remarks>
public sealed class RepaObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="inner">The flow objective whose loss is regularised.</param>
    /// <param name="encoder">The frozen encoder giving the target tokens.</param>
    /// <param name="options">λ (default 0.5).</param>
    /// <exception cref="ArgumentNullException">inner or encoder is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    public RepaObjective(ITrainingObjective inner, IRepresentationEncoder encoder, RepaOptions? options = null)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner), "RepaObjective: an inner objective is required");
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder), "RepaObjective: an encoder is required");
        Options = options ?? new RepaOptions();
        Options.Validate();
    }

    /// <summary>The inner objective.</summary>
    public ITrainingObjective Inner { get; }

    /// <summary>The frozen encoder.</summary>
    public IRepresentationEncoder Encoder { get; }

    /// <summary>λ.</summary>
    public RepaOptions Options { get; }

    /// <summary>The terms of the last call (not synchronised: one objective per training thread).</summary>
    public RepaLossTerms? LastTerms { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The model is not a <see cref="RepaModel"/>, x1 is not a batch of encoder-shaped
    /// images, or the projector's output width differs from the encoder's token width.</exception>
    /// <exception cref="InvalidOperationException">The inner objective did not call the model exactly once.</exception>
    public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
    {
        if (model is not RepaModel rm)
            throw new ArgumentException($"RepaObjective.Loss: the model must be a RepaModel (backbone + projector), got {model?.GetType().Name ?? "null"}");
        var (c, h, w) = Encoder.InputShape;
        if (x1.Rank != 4 || x1.Size(1) != c || x1.Size(2) != h || x1.Size(3) != w)
            throw new ArgumentException($"RepaObjective.Loss: the data batch {TensorShape.Format(x1.Shape)} is not images [B, {c}, {h}, {w}] of the encoder's input shape");
        if (rm.Projector.Options.OutputDim != Encoder.TokenDim)
            throw new ArgumentException($"RepaObjective.Loss: the projector outputs {rm.Projector.Options.OutputDim}-d tokens, the encoder's tokens are {Encoder.TokenDim}-d");
        var capture = new CapturingModel(rm);
        var inner = Inner.Loss(capture, x1, labels, gen);
        if (capture.Calls != 1 || capture.Hidden is null)
            throw new InvalidOperationException($"RepaObjective.Loss: the inner objective {Inner.GetType().Name} called the model {capture.Calls} times; REPA needs exactly one forward pass to align");
        var target = TokenResampling.ToGrid(Encoder.Encode(x1), Encoder.TokenGrid, (rm.GridSize, rm.GridSize)); // [B, T, D_e]
        var projected = rm.Projector.Forward(capture.Hidden);                                                    // [B, T, D_e]
        var repa = RepaLoss.Compute(projected, target);
        float lambda = (float)Options.Lambda;
        var total = inner.Loss + repa.Loss * lambda;
        var per = inner.PerSample + repa.PerSample * lambda;
        LastTerms = new RepaLossTerms(inner.Loss.Item(), repa.Loss.Item(), total.Item());
        return new ObjectiveLoss(total, per, inner.MeanT, inner.MeanStateTime);
    }

    /// <summary>Forwards to the REPA model and keeps the hidden tokens of its (single) call.</summary>
    private sealed class CapturingModel(RepaModel model) : IFlowModel
    {
        public int Calls { get; private set; }

        public Tensor? Hidden { get; private set; }

        public int NumClasses => model.NumClasses;

        public Tensor Forward(Tensor x, Tensor t, int[]? labels)
        {
            Calls++;
            var r = model.ForwardWithHidden(x, t, labels, out var hidden);
            Hidden = hidden;
            return r;
        }
    }
}
