using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

/// <summary>
/// The module trained with REPA: a flow backbone (<see cref="SiT"/> or <see cref="DiTDH"/>) and its
/// <see cref="RepaProjector"/>, as one module so that one optimizer and one checkpoint hold both. The backbone's
/// state keeps its own names (its children and buffers are registered here under the same names) and the projector
/// is added under <c>repa_projector.*</c>, so a REPA checkpoint loads into the bare backbone for sampling once the
/// projector entries are dropped (<see cref="BackboneState"/>, or a non-strict load).
/// </summary>
/// <remarks>
/// <see cref="Forward"/> is the backbone's forward (the projector is not used); <see cref="ForwardWithHidden"/>
/// additionally returns the backbone's hidden tokens after block <see cref="CaptureBlock"/> from the same pass, which
/// <c>RepaObjective</c> projects and aligns with the encoder tokens.
/// </remarks>
public sealed class RepaModel : Module, IFlowModel
{
    /// <summary>Prefix of the projector's entries in the state dict.</summary>
    public const string ProjectorPrefix = "repa_projector.";

    private delegate Tensor HiddenForward(Tensor x, Tensor t, int[]? labels, int block, out Tensor hidden);

    private readonly HiddenForward _hiddenForward;

    /// <summary>Wraps a SiT.</summary>
    /// <param name="backbone">The flow model.</param>
    /// <param name="projector">Projector with InputDim = the SiT's hidden size.</param>
    /// <param name="captureBlock">k ∈ [1, Depth]: hidden tokens after block k (null: <see cref="DefaultCaptureBlock"/>).</param>
    /// <exception cref="ArgumentException">The projector's input width differs from the hidden size, or k is out of range.</exception>
    public RepaModel(SiT backbone, RepaProjector projector, int? captureBlock = null)
        : this(backbone, backbone.Options.HiddenSize, backbone.Options.Depth, backbone.Options.InputSize / backbone.Options.PatchSize,
               projector, captureBlock, backbone.ForwardWithHidden) { }

    /// <summary>Wraps a DiT-DH (hidden tokens of its trunk).</summary>
    /// <param name="backbone">The flow model.</param>
    /// <param name="projector">Projector with InputDim = the trunk width.</param>
    /// <param name="captureBlock">k ∈ [1, Depth] of the trunk (null: <see cref="DefaultCaptureBlock"/>).</param>
    /// <exception cref="ArgumentException">The projector's input width differs from the trunk width, or k is out of range.</exception>
    public RepaModel(DiTDH backbone, RepaProjector projector, int? captureBlock = null)
        : this(backbone, backbone.Options.HiddenSize, backbone.Options.Depth, backbone.Options.InputSize / backbone.Options.PatchSize,
               projector, captureBlock, backbone.ForwardWithHidden) { }

    private RepaModel(Module backbone, int hidden, int depth, int grid, RepaProjector projector, int? captureBlock, HiddenForward forward)
    {
        ArgumentNullException.ThrowIfNull(projector);
        int k = captureBlock ?? DefaultCaptureBlock(depth);
        if (depth < 1) throw new ArgumentException($"RepaModel: the backbone has no blocks (depth {depth}); REPA aligns the hidden tokens of a block");
        if (k < 1 || k > depth) throw new ArgumentException($"RepaModel: captureBlock must be in [1, {depth}] (got {k})");
        if (projector.Options.InputDim != hidden) throw new ArgumentException($"RepaModel: the projector takes tokens of width {projector.Options.InputDim}, the backbone's hidden size is {hidden}");
        Backbone = backbone;
        Flow = (IFlowModel)backbone;
        HiddenSize = hidden; CaptureBlock = k; GridSize = grid;
        _hiddenForward = forward;
        foreach (var (name, p) in backbone.NamedParameters()) if (!name.Contains('.')) RegisterParameter(name, p);
        foreach (var (name, b) in backbone.NamedBuffers()) if (!name.Contains('.')) RegisterBuffer(name, b);
        foreach (var (name, c) in backbone.Children) RegisterModule(name, c);
        Projector = RegisterModule("repa_projector", projector);
    }

    /// <summary>
    /// A SiT with a fresh projector Linear(D, hidden)–SiLU–Linear(hidden, hidden)–SiLU–Linear(hidden, tokenDim) aligned
    /// at block k (default <see cref="DefaultCaptureBlock"/>).
    /// </summary>
    /// <param name="backbone">The SiT.</param>
    /// <param name="tokenDim">The encoder's token width.</param>
    /// <param name="gen">Projector initialisation.</param>
    /// <param name="captureBlock">k, or null for depth / 3.</param>
    /// <param name="projectorHiddenDim">Projector hidden width (default 512).</param>
    /// <exception cref="ArgumentException">Invalid widths or k.</exception>
    public static RepaModel ForSiT(SiT backbone, int tokenDim, Generator gen, int? captureBlock = null, int projectorHiddenDim = 512) =>
        new(backbone, new RepaProjector(new RepaProjectorOptions { InputDim = backbone.Options.HiddenSize, HiddenDim = projectorHiddenDim, OutputDim = tokenDim }, gen), captureBlock);

    /// <summary>A DiT-DH with a fresh projector on its trunk tokens (see <see cref="ForSiT"/>).</summary>
    /// <exception cref="ArgumentException">Invalid widths or k.</exception>
    public static RepaModel ForDiTDH(DiTDH backbone, int tokenDim, Generator gen, int? captureBlock = null, int projectorHiddenDim = 512) =>
        new(backbone, new RepaProjector(new RepaProjectorOptions { InputDim = backbone.Options.HiddenSize, HiddenDim = projectorHiddenDim, OutputDim = tokenDim }, gen), captureBlock);

    /// <summary>REPA's default alignment depth for a backbone of <paramref name="depth"/> blocks: max(1, depth / 3).</summary>
    public static int DefaultCaptureBlock(int depth) => Math.Max(1, depth / 3);

    /// <summary>The wrapped backbone module.</summary>
    public Module Backbone { get; }

    /// <summary>The backbone as a flow model (use it, or this, for sampling).</summary>
    public IFlowModel Flow { get; }

    /// <summary>The projector (<c>repa_projector</c>).</summary>
    public RepaProjector Projector { get; }

    /// <summary>The block k whose output tokens are aligned (1-based).</summary>
    public int CaptureBlock { get; }

    /// <summary>Width of the hidden tokens.</summary>
    public int HiddenSize { get; }

    /// <summary>Side of the backbone's square token grid (tokens = GridSize²).</summary>
    public int GridSize { get; }

    /// <inheritdoc/>
    public int NumClasses => Flow.NumClasses;

    /// <inheritdoc/>
    public override void Train(bool training = true)
    {
        base.Train(training);
        Backbone.Train(training);
    }

    /// <summary>The backbone's prediction (the projector is not evaluated).</summary>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the backbone.</exception>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels) => Flow.Forward(x, t, labels);

    /// <summary>The backbone's prediction and its hidden tokens [N, T, HiddenSize] after block <see cref="CaptureBlock"/>, from one pass.</summary>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the backbone.</exception>
    public Tensor ForwardWithHidden(Tensor x, Tensor t, int[]? labels, out Tensor hidden) => _hiddenForward(x, t, labels, CaptureBlock, out hidden);

    /// <summary>The entries of a state dict that belong to the backbone (everything but <c>repa_projector.*</c>).</summary>
    public static Dictionary<string, Tensor> BackboneState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var r = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in state) if (!k.StartsWith(ProjectorPrefix, StringComparison.Ordinal)) r[k] = v;
        return r;
    }
}
