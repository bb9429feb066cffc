using MixFlow.Tensors;
using MixFlow.Tensors.Nn;

namespace MixFlow.Models;

// DiT-DH (RAE's diffusion transformer with a wide, shallow "DDT" head), in the DiT models.py style: options →
// head block → final layer → model → presets and registry. The trunk reuses SiT's embedders and blocks; the head
// re-embeds the noisy input at a larger width and is conditioned PER TOKEN on the trunk output (adaLN modulation
// vectors [N, T, ·] instead of DiT's per-image [N, ·]).
//
// State-dict names (T tokens, D trunk width, Dh head width, C channels, p patch):
//   x_embedder.proj.{weight [D, C, p, p], bias [D]}       trunk patch embedding
//   t_embedder.mlp.{0,2}.{weight, bias}                     time MLP (width D)
//   y_embedder.embedding_table.weight [classes (+1), D]     label table (conditional models)
//   pos_embed [1, T, D]                                     fixed 2-D sin-cos buffer
//   blocks.{i}.*                                            trunk SiTBlocks (norm1/attn/norm2/mlp/adaLN_modulation)
//   s_projector.{weight [Dh, D], bias [Dh]}                 trunk tokens (+ c) → head conditioning
//   head_x_embedder.proj.{weight [Dh, C, p, p], bias}       head patch embedding of the noisy input
//   head_pos_embed [1, T, Dh]                               fixed 2-D sin-cos buffer
//   head_blocks.{j}.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2, adaLN_modulation.1}.*
//   final_layer.{linear, adaLN_modulation.1}.*              per-token adaLN final layer, Linear(Dh, p·p·C)

/// <summary>
/// Architecture of a <see cref="DiTDH"/>. Defaults are a small model on the project's RAE latent (7×7 tokens of
/// 128 dimensions, patch 1) — the <c>DiTDH-S</c> preset: trunk depth 4, width 128, 4 heads; head depth 2, width 256,
/// 4 heads; unconditional.
/// </summary>
public sealed record DiTDHOptions
{
    /// <summary>Height = width of the latent grid. Default 7.</summary>
    public int InputSize { get; init; } = 7;

    /// <summary>Latent channels (the encoder's token width). Default 128.</summary>
    public int InChannels { get; init; } = 128;

    /// <summary>Patch side p; InputSize must be a multiple. Default 1.</summary>
    public int PatchSize { get; init; } = 1;

    /// <summary>Trunk token width D (a multiple of 4 and of <see cref="NumHeads"/>). Default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Trunk blocks. Default 4.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Trunk attention heads. Default 4.</summary>
    public int NumHeads { get; init; } = 4;

    /// <summary>Head token width Dh (a multiple of 4 and of <see cref="HeadNumHeads"/>). Default 256.</summary>
    public int HeadHiddenSize { get; init; } = 256;

    /// <summary>Head blocks (≥ 1). Default 2.</summary>
    public int HeadDepth { get; init; } = 2;

    /// <summary>Head attention heads. Default 4.</summary>
    public int HeadNumHeads { get; init; } = 4;

    /// <summary>MLP hidden width as a multiple of the token width (trunk and head). Default 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>Number of classes; 0 = unconditional. Default 0.</summary>
    public int NumClasses { get; init; }

    /// <summary>Label-dropout probability (a null row is added when &gt; 0 and NumClasses &gt; 0). Default 0.1.</summary>
    public float ClassDropoutProb { get; init; } = 0.1f;

    /// <summary>Factor applied to t ∈ [0, 1] before the sinusoidal time embedding. Default 1000.</summary>
    public float TimeScale { get; init; } = 1000f;

    /// <summary>Size of the sinusoidal time embedding. Default 256.</summary>
    public int FrequencyEmbeddingSize { get; init; } = 256;

    /// <summary>Tokens per latent (InputSize / PatchSize)².</summary>
    public int NumTokens => (InputSize / PatchSize) * (InputSize / PatchSize);

    /// <summary>Trunk MLP width.</summary>
    public int MlpHidden => (int)(HiddenSize * MlpRatio);

    /// <summary>Head MLP width.</summary>
    public int HeadMlpHidden => (int)(HeadHiddenSize * MlpRatio);

    /// <summary>Whether the label table has a null row.</summary>
    public bool HasNullClass => NumClasses > 0 && ClassDropoutProb > 0;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string msg) => throw new ArgumentException($"DiTDHOptions: {msg}");
        if (InputSize < 1) Fail($"InputSize must be >= 1 (got {InputSize})");
        if (InChannels < 1) Fail($"InChannels must be >= 1 (got {InChannels})");
        if (PatchSize < 1 || InputSize % PatchSize != 0) Fail($"PatchSize must be >= 1 and divide InputSize {InputSize} (got {PatchSize})");
        if (HiddenSize < 4 || HiddenSize % 4 != 0) Fail($"HiddenSize must be a positive multiple of 4 (got {HiddenSize})");
        if (NumHeads < 1 || HiddenSize % NumHeads != 0) Fail($"NumHeads must be >= 1 and divide HiddenSize {HiddenSize} (got {NumHeads})");
        if (Depth < 0) Fail($"Depth must be >= 0 (got {Depth})");
        if (HeadHiddenSize < 4 || HeadHiddenSize % 4 != 0) Fail($"HeadHiddenSize must be a positive multiple of 4 (got {HeadHiddenSize})");
        if (HeadNumHeads < 1 || HeadHiddenSize % HeadNumHeads != 0) Fail($"HeadNumHeads must be >= 1 and divide HeadHiddenSize {HeadHiddenSize} (got {HeadNumHeads})");
        if (HeadDepth < 1) Fail($"HeadDepth must be >= 1 (got {HeadDepth})");
        if (!(MlpRatio > 0) || MlpHidden < 1 || HeadMlpHidden < 1) Fail($"MlpRatio must give MLP widths >= 1 (got {MlpRatio})");
        if (NumClasses < 0) Fail($"NumClasses must be >= 0 (got {NumClasses})");
        if (!(ClassDropoutProb >= 0 && ClassDropoutProb < 1)) Fail($"ClassDropoutProb must be in [0, 1) (got {ClassDropoutProb})");
        if (!(TimeScale > 0) || float.IsInfinity(TimeScale)) Fail($"TimeScale must be a finite value > 0 (got {TimeScale})");
        if (FrequencyEmbeddingSize < 2) Fail($"FrequencyEmbeddingSize must be >= 2 (got {FrequencyEmbeddingSize})");
    }
}

// ==================================================================== head block

/// <summary>
/// A DiT block with adaLN-Zero whose modulation is per token: <c>norm1</c>, <c>attn</c>, <c>norm2</c>, <c>mlp</c> and
/// <c>adaLN_modulation</c> = Sequential(SiLU, Linear(Dh, 6Dh)) applied to the conditioning tokens s [B, T, Dh].
/// </summary>
public sealed class DiTDHHeadBlock : Module
{
    /// <summary>Creates the block.</summary>
    public DiTDHHeadBlock(int dim, int heads, int mlpHidden, Generator gen)
    {
        Dim = dim;
        Norm1 = RegisterModule("norm1", new LayerNorm(dim, 1e-6f, affine: false));
        Attn = RegisterModule("attn", new SiTAttention(dim, heads, gen));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim, 1e-6f, affine: false));
        Mlp = RegisterModule("mlp", new SiTMlp(dim, mlpHidden, gen));
        AdaLNModulation = RegisterModule("adaLN_modulation", new Sequential(new SiLU(), new Linear(dim, 6 * dim, gen)));
    }

    /// <summary>Token width Dh.</summary>
    public int Dim { get; }

    /// <summary>Pre-attention norm (no affine, eps 1e-6).</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Self-attention.</summary>
    public SiTAttention Attn { get; }

    /// <summary>Pre-MLP norm (no affine, eps 1e-6).</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>MLP.</summary>
    public SiTMlp Mlp { get; }

    /// <summary>SiLU then Linear(Dh, 6Dh).</summary>
    public Sequential AdaLNModulation { get; }

    /// <summary>The Linear of <see cref="AdaLNModulation"/> (zero-initialised).</summary>
    public Linear ModulationLinear => (Linear)AdaLNModulation[1];

    /// <summary>x [B, T, Dh], per-token conditioning s [B, T, Dh] → [B, T, Dh].</summary>
    public Tensor Forward(Tensor x, Tensor s)
    {
        int d = Dim;
        var mod = AdaLNModulation.Forward(s);                                   // [B, T, 6Dh]
        var shiftMsa = mod.Slice(2, 0, d);                                      // [B, T, Dh] (view)
        var scaleMsa = mod.Slice(2, d, 2 * d);                                  // [B, T, Dh] (view)
        var gateMsa = mod.Slice(2, 2 * d, 3 * d);                               // [B, T, Dh] (view)
        var shiftMlp = mod.Slice(2, 3 * d, 4 * d);                              // [B, T, Dh] (view)
        var scaleMlp = mod.Slice(2, 4 * d, 5 * d);                              // [B, T, Dh] (view)
        var gateMlp = mod.Slice(2, 5 * d, 6 * d);                               // [B, T, Dh] (view)
        var h = Norm1.Forward(x) * (scaleMsa + 1f) + shiftMsa;                  // [B, T, Dh]
        x = x + gateMsa * Attn.Forward(h);                                      // [B, T, Dh]
        h = Norm2.Forward(x) * (scaleMlp + 1f) + shiftMlp;                      // [B, T, Dh]
        return x + gateMlp * Mlp.Forward(h);                                    // [B, T, Dh]
    }
}

// ==================================================================== final layer

/// <summary>
/// The per-token adaLN final layer: <c>norm_final</c> (no affine, eps 1e-6), <c>linear</c> Linear(Dh, p·p·C) and
/// <c>adaLN_modulation</c> = Sequential(SiLU, Linear(Dh, 2Dh)) on the conditioning tokens.
/// </summary>
public sealed class DiTDHFinalLayer : Module
{
    /// <summary>Creates the layer.</summary>
    public DiTDHFinalLayer(int dim, int patch, int outChannels, Generator gen)
    {
        Dim = dim;
        NormFinal = RegisterModule("norm_final", new LayerNorm(dim, 1e-6f, affine: false));
        Linear = RegisterModule("linear", new Linear(dim, patch * patch * outChannels, gen));
        AdaLNModulation = RegisterModule("adaLN_modulation", new Sequential(new SiLU(), new Linear(dim, 2 * dim, gen)));
    }

    /// <summary>Token width Dh.</summary>
    public int Dim { get; }

    /// <summary>Final norm.</summary>
    public LayerNorm NormFinal { get; }

    /// <summary>Projection to patch values, ordered (i, j, channel).</summary>
    public Linear Linear { get; }

    /// <summary>SiLU then Linear(Dh, 2Dh).</summary>
    public Sequential AdaLNModulation { get; }

    /// <summary>The Linear of <see cref="AdaLNModulation"/>.</summary>
    public Linear ModulationLinear => (Linear)AdaLNModulation[1];

    /// <summary>x [B, T, Dh], s [B, T, Dh] → [B, T, p·p·C].</summary>
    public Tensor Forward(Tensor x, Tensor s)
    {
        int d = Dim;
        var mod = AdaLNModulation.Forward(s);                                   // [B, T, 2Dh]
        var h = NormFinal.Forward(x) * (mod.Slice(2, d, 2 * d) + 1f) + mod.Slice(2, 0, d); // [B, T, Dh]
        return Linear.Forward(h);                                               // [B, T, p·p·C]
    }
}

// ==================================================================== model

/// <summary>
/// DiT-DH: a DiT trunk (patch embedding + sin-cos positions, time/label conditioning c, <see cref="DiTDHOptions.Depth"/>
/// adaLN-Zero <see cref="SiTBlock"/>s) followed by a wide, shallow head: the trunk tokens plus c are projected to the
/// head width (<c>s_projector</c>) and condition, per token, <see cref="DiTDHOptions.HeadDepth"/> head blocks that
/// process a fresh head-width embedding of the noisy input; a per-token adaLN final layer gives the velocity in
/// latent space. State names: see the comment at the top of DiTDH.cs.
/// </summary>
public sealed class DiTDH : Module, IFlowModel
{
    /// <summary>Creates the model with DiT's initialisation (zero adaLN and final layers: initial output exactly 0).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DiTDH(DiTDHOptions options, Generator gen)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int d = options.HiddenSize, dh = options.HeadHiddenSize, p = options.PatchSize, grid = options.InputSize / p;
        XEmbedder = RegisterModule("x_embedder", new PatchEmbed(options.InChannels, d, p, gen));
        TEmbedder = RegisterModule("t_embedder", new TimestepEmbedder(d, options.FrequencyEmbeddingSize, options.TimeScale, gen));
        if (options.NumClasses > 0)
            YEmbedder = RegisterModule("y_embedder", new LabelEmbedder(options.NumClasses, d, options.ClassDropoutProb, gen));
        PosEmbed = RegisterBuffer("pos_embed", Tensor.FromArray(SiTPosEmbed.Get2dSinCos(d, grid), 1, grid * grid, d));
        Blocks = RegisterModule("blocks", new ModuleList<SiTBlock>(
            Enumerable.Range(0, options.Depth).Select(_ => new SiTBlock(d, options.NumHeads, options.MlpHidden, gen)).ToList()));
        SProjector = RegisterModule("s_projector", new Linear(d, dh, gen));
        HeadXEmbedder = RegisterModule("head_x_embedder", new PatchEmbed(options.InChannels, dh, p, gen));
        HeadPosEmbed = RegisterBuffer("head_pos_embed", Tensor.FromArray(SiTPosEmbed.Get2dSinCos(dh, grid), 1, grid * grid, dh));
        HeadBlocks = RegisterModule("head_blocks", new ModuleList<DiTDHHeadBlock>(
            Enumerable.Range(0, options.HeadDepth).Select(_ => new DiTDHHeadBlock(dh, options.HeadNumHeads, options.HeadMlpHidden, gen)).ToList()));
        FinalLayer = RegisterModule("final_layer", new DiTDHFinalLayer(dh, p, options.InChannels, gen));
        InitializeWeights(gen);
    }

    /// <summary>The architecture.</summary>
    public DiTDHOptions Options { get; }

    /// <inheritdoc />
    public int NumClasses => Options.NumClasses;

    /// <summary>Trunk patch embedding (<c>x_embedder</c>).</summary>
    public PatchEmbed XEmbedder { get; }

    /// <summary>Time embedding (<c>t_embedder</c>).</summary>
    public TimestepEmbedder TEmbedder { get; }

    /// <summary>Label embedding (<c>y_embedder</c>), null for unconditional models.</summary>
    public LabelEmbedder? YEmbedder { get; }

    /// <summary>Trunk position buffer [1, T, D] (<c>pos_embed</c>).</summary>
    public Tensor PosEmbed { get; }

    /// <summary>Trunk blocks (<c>blocks.{i}</c>).</summary>
    public ModuleList<SiTBlock> Blocks { get; }

    /// <summary>Linear(D, Dh) from trunk tokens (+ c) to the head conditioning (<c>s_projector</c>).</summary>
    public Linear SProjector { get; }

    /// <summary>Head patch embedding (<c>head_x_embedder</c>).</summary>
    public PatchEmbed HeadXEmbedder { get; }

    /// <summary>Head position buffer [1, T, Dh] (<c>head_pos_embed</c>).</summary>
    public Tensor HeadPosEmbed { get; }

    /// <summary>Head blocks (<c>head_blocks.{j}</c>).</summary>
    public ModuleList<DiTDHHeadBlock> HeadBlocks { get; }

    /// <summary>The per-token final layer (<c>final_layer</c>).</summary>
    public DiTDHFinalLayer FinalLayer { get; }

    /// <summary>
    /// DiT's initialisation: xavier-uniform weights and zero biases for every Linear; patch embeddings xavier-uniform on
    /// their flattened view; label table and time-MLP weights N(0, 0.02²); every adaLN modulation Linear (trunk, head,
    /// final) and the final Linear zero. Re-fills the position buffers.
    /// </summary>
    public void InitializeWeights(Generator gen)
    {
        foreach (var lin in AllLinears(this))
        {
            Init.XavierUniform(lin.Weight, gen);
            if (lin.Bias is not null) Init.Zeros(lin.Bias);
        }
        foreach (var pe in new[] { XEmbedder, HeadXEmbedder })
        {
            var pw = pe.Proj.Weight;
            Init.XavierUniform(pw, gen, pw.Numel / pw.Size(0), pw.Size(0));
            if (pe.Proj.Bias is not null) Init.Zeros(pe.Proj.Bias);
        }
        if (YEmbedder is not null) Init.Normal(YEmbedder.Table.Weight, 0.02f, gen);
        Init.Normal(((Linear)TEmbedder.Mlp[0]).Weight, 0.02f, gen);
        Init.Normal(((Linear)TEmbedder.Mlp[2]).Weight, 0.02f, gen);
        foreach (var blk in Blocks.Items) ZeroLinear(blk.ModulationLinear);
        foreach (var blk in HeadBlocks.Items) ZeroLinear(blk.ModulationLinear);
        ZeroLinear(FinalLayer.ModulationLinear);
        ZeroLinear(FinalLayer.Linear);
        int grid = Options.InputSize / Options.PatchSize;
        SiTPosEmbed.Get2dSinCos(Options.HiddenSize, grid).CopyTo(PosEmbed.AsSpan());
        SiTPosEmbed.Get2dSinCos(Options.HeadHiddenSize, grid).CopyTo(HeadPosEmbed.AsSpan());
    }

    private static void ZeroLinear(Linear l) { Init.Zeros(l.Weight); if (l.Bias is not null) Init.Zeros(l.Bias); }

    private static IEnumerable<Linear> AllLinears(Module m)
    {
        if (m is Linear l) yield return l;
        foreach (var (_, c) in m.Children)
            foreach (var x in AllLinears(c)) yield return x;
    }

    /// <summary>Predicts the velocity for latents x at times t (label dropout in training mode).</summary>
    /// <param name="x">[N, C, H, W] with H = W = InputSize.</param>
    /// <param name="t">[N], t ∈ [0, 1] (t = 1 data); no gradient flows to t.</param>
    /// <param name="labels">Length N in [0, NumClasses] for conditional models; null otherwise.</param>
    /// <returns>[N, C, H, W].</returns>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the model.</exception>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels) => ForwardCore(x, t, labels, 0, out _);

    /// <summary><see cref="Forward"/> that also returns the trunk tokens after block k (1-based), for REPA.</summary>
    /// <param name="x">[N, C, H, W].</param>
    /// <param name="t">[N].</param>
    /// <param name="labels">As for <see cref="Forward"/>.</param>
    /// <param name="captureBlock">k ∈ [1, Depth].</param>
    /// <param name="hidden">[N, T, D], part of the graph.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is outside [1, Depth].</exception>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the model.</exception>
    public Tensor ForwardWithHidden(Tensor x, Tensor t, int[]? labels, int captureBlock, out Tensor hidden)
    {
        if (captureBlock < 1 || captureBlock > Options.Depth)
            throw new ArgumentOutOfRangeException(nameof(captureBlock), $"DiTDH.ForwardWithHidden: captureBlock must be in [1, {Options.Depth}] (got {captureBlock})");
        var r = ForwardCore(x, t, labels, captureBlock, out var h);
        hidden = h!;
        return r;
    }

    private Tensor ForwardCore(Tensor x, Tensor t, int[]? labels, int captureBlock, out Tensor? hidden)
    {
        hidden = null;
        CheckInputs(x, t, labels);
        var o = Options;
        int n = x.Size(0), p = o.PatchSize, g = o.InputSize / p, c = o.InChannels;
        var h = XEmbedder.Forward(x) + PosEmbed;                                // [N, T, D]
        var cond = TEmbedder.Forward(t);                                        // [N, D]
        if (YEmbedder is not null) cond = cond + YEmbedder.Forward(labels!, allowDrop: true); // [N, D]
        for (int i = 0; i < Blocks.Count; i++)
        {
            h = Blocks[i].Forward(h, cond);                                     // [N, T, D]
            if (i + 1 == captureBlock) hidden = h;                              // [N, T, D]
        }
        var s = SProjector.Forward(h + cond.Unsqueeze(1));                      // [N, T, Dh]
        var z = HeadXEmbedder.Forward(x) + HeadPosEmbed;                        // [N, T, Dh]
        foreach (var blk in HeadBlocks.Items) z = blk.Forward(z, s);            // [N, T, Dh]
        z = FinalLayer.Forward(z, s);                                           // [N, T, p·p·C]
        return z.Reshape(n, g, g, p, p, c)                                      // [N, h, w, p, q, C]
            .Permute(0, 5, 1, 3, 2, 4)                                          // [N, C, h, p, w, q]
            .Reshape(n, c, g * p, g * p);                                       // [N, C, H, W] (one copy)
    }

    private void CheckInputs(Tensor x, Tensor t, int[]? labels)
    {
        var o = Options;
        if (x.Rank != 4 || x.Size(1) != o.InChannels || x.Size(2) != o.InputSize || x.Size(3) != o.InputSize)
            throw new ArgumentException($"DiTDH: input shape {TensorShape.Format(x.Shape)} is not [N, {o.InChannels}, {o.InputSize}, {o.InputSize}]");
        int n = x.Size(0);
        if (t.Rank != 1 || t.Size(0) != n)
            throw new ArgumentException($"DiTDH: time shape {TensorShape.Format(t.Shape)} is not [{n}] (one time per sample)");
        if (o.NumClasses > 0)
        {
            if (labels is null) throw new ArgumentException($"DiTDH: the model is class-conditional ({o.NumClasses} classes) but no labels were given");
            if (labels.Length != n) throw new ArgumentException($"DiTDH: {labels.Length} labels given for a batch of {n}");
        }
        else if (labels is not null) throw new ArgumentException($"DiTDH: the model is unconditional (NumClasses 0) but {labels.Length} labels were given");
    }
}

// ==================================================================== presets and registry

/// <summary>
/// Named DiT-DH architectures for the project's RAE latents (set InputSize/InChannels/classes with <c>configure</c>
/// or <see cref="DiTDHRegistry.ForLatent"/>), sized for training on 2 cores like SiT-XS/4-28: <c>DiTDH-S</c> (trunk
/// 4 × 128, 4 heads; head 2 × 256, 4 heads; ≈ 3.9 M parameters on the 7×7×128 latent) and the smaller
/// <c>DiTDH-XS</c> (trunk 2 × 64, 2 heads; head 1 × 128, 2 heads; ≈ 0.55 M), the weak model for autoguidance.
/// Both: patch 1, 7×7×128 latent, unconditional, time scale 1000.
/// </summary>
public static class DiTDHRegistry
{
    private static readonly Dictionary<string, DiTDHOptions> Presets = new(StringComparer.Ordinal)
    {
        ["DiTDH-S"] = new DiTDHOptions { HiddenSize = 128, Depth = 4, NumHeads = 4, HeadHiddenSize = 256, HeadDepth = 2, HeadNumHeads = 4 },
        ["DiTDH-XS"] = new DiTDHOptions { HiddenSize = 64, Depth = 2, NumHeads = 2, HeadHiddenSize = 128, HeadDepth = 1, HeadNumHeads = 2 },
    };

    /// <summary>All preset names.</summary>
    public static IReadOnlyList<string> Names => Presets.Keys.ToList();

    /// <summary>The options of a preset.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known names.</exception>
    public static DiTDHOptions Options(string name)
    {
        if (name is null || !Presets.TryGetValue(name, out var o))
            throw new ArgumentException($"DiTDHRegistry: unknown model '{name}'; known models: {string.Join(", ", Presets.Keys)}");
        return o;
    }

    /// <summary>A preset's options for a latent of shape [C, S, S] and a class count (label dropout 0.1 when conditional).</summary>
    /// <exception cref="ArgumentException">Unknown name, or a latent shape that is not [C, S, S].</exception>
    public static DiTDHOptions ForLatent(string name, int[] latentShape, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(latentShape);
        if (latentShape.Length != 3 || latentShape[1] != latentShape[2] || latentShape.Any(v => v < 1))
            throw new ArgumentException($"DiTDHRegistry.ForLatent: the latent shape must be [C, S, S], got [{string.Join(", ", latentShape)}]");
        return Options(name) with
        {
            InChannels = latentShape[0], InputSize = latentShape[1], NumClasses = numClasses,
            ClassDropoutProb = numClasses > 0 ? 0.1f : 0f,
        };
    }

    /// <summary>Builds a preset, optionally adjusting its options.</summary>
    /// <exception cref="ArgumentException">Unknown name or invalid adjusted options.</exception>
    public static DiTDH Create(string name, Generator gen, Func<DiTDHOptions, DiTDHOptions>? configure = null)
    {
        var o = Options(name);
        if (configure is not null) o = configure(o);
        return new DiTDH(o, gen);
    }
}
