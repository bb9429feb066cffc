using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixFlow.Models;

// SiT / DiT: a diffusion transformer over image patches with adaLN-Zero conditioning on time and class, following
// the structure and state-dict names of facebookresearch/DiT models.py (which SiT reuses): embedders → blocks →
// final layer → model → positional-embedding helpers → presets and registry → official checkpoint loader.

/// <summary>
/// Architecture of a <see cref="SiT"/> model. Defaults are DiT-XL/2's on 256-px latents (32×32×4, 1000 classes,
/// class dropout 0.1) except <see cref="LearnSigma"/> (false) and <see cref="TimeScale"/> (1000).
/// </summary>
public sealed record SiTOptions
{
    /// <summary>Height = width of the input in pixels (or latent cells). Default 32.</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Input channels. Default 4.</summary>
    public int InChannels { get; init; } = 4;

    /// <summary>Patch side p; InputSize must be a multiple. Default 2.</summary>
    public int PatchSize { get; init; } = 2;

    /// <summary>Token width D (a multiple of 4 and of <see cref="NumHeads"/>). Default 1152.</summary>
    public int HiddenSize { get; init; } = 1152;

    /// <summary>Number of transformer blocks. Default 28.</summary>
    public int Depth { get; init; } = 28;

    /// <summary>Attention heads. Default 16.</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>MLP hidden width as a multiple of D (hidden = (int)(D·ratio)). Default 4.</summary>
    public float MlpRatio { get; init; } = 4f;

    /// <summary>Number of classes; 0 makes the model unconditional (no label embedder). Default 1000.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>
    /// Label-dropout probability during training (classifier-free guidance). When &gt; 0 the label table has one more
    /// row, index <see cref="NumClasses"/>, the null label. Default 0.1.
    /// </summary>
    public float ClassDropoutProb { get; init; } = 0.1f;

    /// <summary>When true the network outputs 2·C channels (SiT/DiT's learn_sigma) of which the first C are returned. Default false.</summary>
    public bool LearnSigma { get; init; }

    /// <summary>
    /// Factor applied to t ∈ [0, 1] before the sinusoidal time embedding. Default 1000 (matches the DiT
    /// discrete-timestep range and the PyTorch benchmark model); official SiT checkpoints use 1.
    /// </summary>
    public float TimeScale { get; init; } = 1000f;

    /// <summary>Size of the sinusoidal time embedding fed to the time MLP (DiT: 256). Default 256.</summary>
    public int FrequencyEmbeddingSize { get; init; } = 256;

    /// <summary>Tokens per image (InputSize / PatchSize)².</summary>
    public int NumTokens => (InputSize / PatchSize) * (InputSize / PatchSize);

    /// <summary>Output channels of the final layer (2·C with <see cref="LearnSigma"/>).</summary>
    public int OutChannels => LearnSigma ? 2 * InChannels : InChannels;

    /// <summary>MLP hidden width.</summary>
    public int MlpHidden => (int)(HiddenSize * MlpRatio);

    /// <summary>Whether the label table has a null row (for classifier-free guidance).</summary>
    public bool HasNullClass => NumClasses > 0 && ClassDropoutProb > 0;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string msg) => throw new ArgumentException($"SiTOptions: {msg}");
        if (InputSize < 1) Fail($"InputSize must be >= 1 (got {InputSize})");
        if (InChannels < 1) Fail($"InChannels must be >= 1 (got {InChannels})");
        if (PatchSize < 1 || InputSize % PatchSize != 0) Fail($"PatchSize must be >= 1 and divide InputSize {InputSize} (got {PatchSize})");
        if (HiddenSize < 4 || HiddenSize % 4 != 0) Fail($"HiddenSize must be a positive multiple of 4 (2-D sin-cos position embedding) (got {HiddenSize})");
        if (NumHeads < 1 || HiddenSize % NumHeads != 0) Fail($"NumHeads must be >= 1 and divide HiddenSize {HiddenSize} (got {NumHeads})");
        if (Depth < 0) Fail($"Depth must be >= 0 (got {Depth})");
        if (!(MlpRatio > 0) || MlpHidden < 1) Fail($"MlpRatio must give an MLP width >= 1 (got {MlpRatio})");
        if (NumClasses < 0) Fail($"NumClasses must be >= 0 (got {NumClasses})");
        if (!(ClassDropoutProb >= 0 && ClassDropoutProb < 1)) Fail($"ClassDropoutProb must be in [0, 1) (got {ClassDropoutProb})");
        if (!(TimeScale > 0) || float.IsInfinity(TimeScale)) Fail($"TimeScale must be a finite value > 0 (got {TimeScale})");
        if (FrequencyEmbeddingSize < 2) Fail($"FrequencyEmbeddingSize must be >= 2 (got {FrequencyEmbeddingSize})");
    }
}

// ==================================================================== fused adaLN ops

/// <summary>
/// The two element-wise patterns of adaLN-Zero blocks as single fused ops with their own backward (one pass over the
/// token tensor forward, one backward, instead of the 2 + 6 passes of the composed broadcasting ops):
/// <see cref="Modulate"/> y = x·(1 + scale) + shift and <see cref="GatedResidual"/> y = x + gate·h, where the
/// per-sample vectors [B, 1, D] broadcast over the tokens of x [B, T, D].
/// </summary>
public static class AdaLN
{
    /// <summary>y = x·(1 + scale) + shift; x [B, T, D], shift and scale [B, 1, D] (any layout).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public static Tensor Modulate(Tensor x, Tensor shift, Tensor scale)
    {
        Check(x, shift, "Modulate", "shift"); Check(x, scale, "Modulate", "scale");
        int b = x.Size(0), t = x.Size(1), d = x.Size(2);
        var xc = x.Contiguous();
        Tensor sh, onePlus;
        using (MixFlow.Tensors.Autograd.GradMode.NoGrad()) { sh = shift.Contiguous(); onePlus = scale + 1f; onePlus = onePlus.Contiguous(); }
        var y = Tensor.Empty(b, t, d);
        Rows(b * t, d, (r0, nr) =>
        {
            var xs = xc.AsSpan(); var ys = y.AsSpan(); var ss = sh.AsSpan(); var ps = onePlus.AsSpan();
            for (int r = r0; r < r0 + nr; r++)
            {
                int bi = r / t;
                TensorPrimitives.MultiplyAdd(xs.Slice(r * d, d), ps.Slice(bi * d, d), ss.Slice(bi * d, d), ys.Slice(r * d, d));
            }
        });
        if (MixFlow.Tensors.Autograd.GradMode.IsEnabled && (xc.RequiresGrad || shift.RequiresGrad || scale.RequiresGrad))
        {
            y.WithGrad("adaln_modulate", [xc, shift, scale], g =>
            {
                g = g.Contiguous();
                if (xc.RequiresGrad)
                {
                    var dx = Tensor.Empty(b, t, d);                             // dx = g·(1 + scale)
                    Rows(b * t, d, (r0, nr) =>
                    {
                        var gs = g.AsSpan(); var ds = dx.AsSpan(); var ps = onePlus.AsSpan();
                        for (int r = r0; r < r0 + nr; r++) TensorPrimitives.Multiply(gs.Slice(r * d, d), ps.Slice(r / t * d, d), ds.Slice(r * d, d));
                    });
                    SetOrAccumulate(xc, dx);
                }
                if (shift.RequiresGrad || scale.RequiresGrad)
                {
                    var dScale = Tensor.Zeros(b, 1, d); var dShift = Tensor.Zeros(b, 1, d); // Σ_t g·x and Σ_t g
                    Rows(b, d * t, (b0, nb) =>
                    {
                        var gs = g.AsSpan(); var xs = xc.AsSpan(); var cs = dScale.AsSpan(); var hs = dShift.AsSpan();
                        for (int bi = b0; bi < b0 + nb; bi++)
                        {
                            var cRow = cs.Slice(bi * d, d); var hRow = hs.Slice(bi * d, d);
                            for (int ti = 0; ti < t; ti++)
                            {
                                int o = (bi * t + ti) * d;
                                TensorPrimitives.MultiplyAdd(gs.Slice(o, d), xs.Slice(o, d), cRow, cRow);
                                TensorPrimitives.Add(hRow, gs.Slice(o, d), hRow);
                            }
                        }
                    });
                    if (scale.RequiresGrad) scale.AccumulateGrad(dScale);
                    if (shift.RequiresGrad) shift.AccumulateGrad(dShift);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// y = LayerNorm(x)·(1 + scale) + shift in one pass (DiT's <c>modulate(norm(x), shift, scale)</c> with a
    /// parameter-free LayerNorm over the last dimension, biased variance); x [B, T, D], shift and scale [B, 1, D].
    /// Backward recomputes the normalised rows from the saved per-row mean and 1/σ.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit or <paramref name="eps"/> is not positive.</exception>
    public static Tensor NormModulate(Tensor x, Tensor shift, Tensor scale, float eps)
    {
        Check(x, shift, "NormModulate", "shift"); Check(x, scale, "NormModulate", "scale");
        if (!(eps > 0)) throw new ArgumentException($"AdaLN.NormModulate: eps must be > 0 (got {eps})");
        int b = x.Size(0), t = x.Size(1), d = x.Size(2);
        var xc = x.Contiguous();
        Tensor sh, onePlus;
        using (MixFlow.Tensors.Autograd.GradMode.NoGrad()) { sh = shift.Contiguous(); onePlus = scale + 1f; onePlus = onePlus.Contiguous(); }
        var y = Tensor.Empty(b, t, d);
        var stats = Tensor.Empty(b * t, 2);                                     // per row: mean, 1/σ
        Rows(b * t, d, (r0, nr) =>
        {
            var xs = xc.AsSpan(); var ys = y.AsSpan(); var ss = sh.AsSpan(); var ps = onePlus.AsSpan(); var st = stats.AsSpan();
            for (int r = r0; r < r0 + nr; r++)
            {
                int bi = r / t;
                var xr = xs.Slice(r * d, d); var yr = ys.Slice(r * d, d);
                float mean = TensorPrimitives.Sum(xr) / d;
                TensorPrimitives.Subtract(xr, mean, yr);
                float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / d + eps);
                TensorPrimitives.Multiply(yr, rstd, yr);
                TensorPrimitives.MultiplyAdd(yr, ps.Slice(bi * d, d), ss.Slice(bi * d, d), yr);
                st[2 * r] = mean; st[2 * r + 1] = rstd;
            }
        });
        if (MixFlow.Tensors.Autograd.GradMode.IsEnabled && (xc.RequiresGrad || shift.RequiresGrad || scale.RequiresGrad))
        {
            y.WithGrad("adaln_norm_modulate", [xc, shift, scale], g =>
            {
                g = g.Contiguous();
                var dx = xc.RequiresGrad ? Tensor.Empty(b, t, d) : null;
                var dScale = Tensor.Zeros(b, 1, d); var dShift = Tensor.Zeros(b, 1, d);
                Rows(b, d * t, (b0, nb) =>
                {
                    var xhat = new float[d]; var dxh = new float[d];
                    var gs = g.AsSpan(); var xs = xc.AsSpan(); var ps = onePlus.AsSpan(); var st = stats.AsSpan();
                    var cs = dScale.AsSpan(); var hs = dShift.AsSpan();
                    var ds = dx is null ? Span<float>.Empty : dx.AsSpan();
                    for (int bi = b0; bi < b0 + nb; bi++)
                    {
                        var cRow = cs.Slice(bi * d, d); var hRow = hs.Slice(bi * d, d); var pRow = ps.Slice(bi * d, d);
                        for (int ti = 0; ti < t; ti++)
                        {
                            int r = bi * t + ti, o = r * d;
                            var gr = gs.Slice(o, d);
                            float mean = st[2 * r], rstd = st[2 * r + 1];
                            TensorPrimitives.Subtract(xs.Slice(o, d), mean, xhat);
                            TensorPrimitives.Multiply(xhat, rstd, xhat);                 // x̂
                            TensorPrimitives.MultiplyAdd(gr, xhat, cRow, cRow);          // dscale += g·x̂
                            TensorPrimitives.Add(hRow, gr, hRow);                        // dshift += g
                            if (dx is null) continue;
                            TensorPrimitives.Multiply(gr, pRow, dxh);                    // dx̂ = g·(1 + scale)
                            float m1 = TensorPrimitives.Sum(dxh) / d;
                            float m2 = TensorPrimitives.Dot(dxh, xhat) / d;
                            var dr = ds.Slice(o, d);
                            TensorPrimitives.Subtract(dxh, m1, dr);
                            TensorPrimitives.MultiplyAdd(xhat, -m2, dr, dr);
                            TensorPrimitives.Multiply(dr, rstd, dr);                     // dx = (dx̂ − mean dx̂ − x̂·mean(dx̂·x̂))/σ
                        }
                    }
                });
                if (dx is not null) SetOrAccumulate(xc, dx);
                if (scale.RequiresGrad) scale.AccumulateGrad(dScale);
                if (shift.RequiresGrad) shift.AccumulateGrad(dShift);
            });
        }
        return y;
    }

    /// <summary>y = x + gate·h; x and h [B, T, D], gate [B, 1, D] (any layout).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public static Tensor GatedResidual(Tensor x, Tensor gate, Tensor h)
    {
        Check(x, gate, "GatedResidual", "gate");
        if (!TensorShape.Equal(x.Shape, h.Shape))
            throw new ArgumentException($"AdaLN.GatedResidual: h shape {TensorShape.Format(h.Shape)} differs from x shape {TensorShape.Format(x.Shape)}");
        int b = x.Size(0), t = x.Size(1), d = x.Size(2);
        var xc = x.Contiguous(); var hc = h.Contiguous();
        Tensor gc;
        using (MixFlow.Tensors.Autograd.GradMode.NoGrad()) gc = gate.Contiguous();
        var y = Tensor.Empty(b, t, d);
        Rows(b * t, d, (r0, nr) =>
        {
            var xs = xc.AsSpan(); var hs = hc.AsSpan(); var gs = gc.AsSpan(); var ys = y.AsSpan();
            for (int r = r0; r < r0 + nr; r++)
                TensorPrimitives.MultiplyAdd(hs.Slice(r * d, d), gs.Slice(r / t * d, d), xs.Slice(r * d, d), ys.Slice(r * d, d));
        });
        if (MixFlow.Tensors.Autograd.GradMode.IsEnabled && (xc.RequiresGrad || gate.RequiresGrad || hc.RequiresGrad))
        {
            y.WithGrad("adaln_gated_residual", [xc, gate, hc], g =>
            {
                g = g.Contiguous();
                if (hc.RequiresGrad)
                {
                    var dh = Tensor.Empty(b, t, d);                             // dh = g·gate
                    Rows(b * t, d, (r0, nr) =>
                    {
                        var gs = g.AsSpan(); var ds = dh.AsSpan(); var ws = gc.AsSpan();
                        for (int r = r0; r < r0 + nr; r++) TensorPrimitives.Multiply(gs.Slice(r * d, d), ws.Slice(r / t * d, d), ds.Slice(r * d, d));
                    });
                    SetOrAccumulate(hc, dh);
                }
                if (gate.RequiresGrad)
                {
                    var dGate = Tensor.Zeros(b, 1, d);                          // Σ_t g·h
                    Rows(b, d * t, (b0, nb) =>
                    {
                        var gs = g.AsSpan(); var hs = hc.AsSpan(); var cs = dGate.AsSpan();
                        for (int bi = b0; bi < b0 + nb; bi++)
                        {
                            var cRow = cs.Slice(bi * d, d);
                            for (int ti = 0; ti < t; ti++) { int o = (bi * t + ti) * d; TensorPrimitives.MultiplyAdd(gs.Slice(o, d), hs.Slice(o, d), cRow, cRow); }
                        }
                    });
                    gate.AccumulateGrad(dGate);
                }
                if (xc.RequiresGrad) xc.AccumulateGradFrom(y, g);               // dx = g (shares g's buffer when it can)
            });
        }
        return y;
    }

    private static void Check(Tensor x, Tensor v, string op, string what)
    {
        if (x.Rank != 3 || v.Rank != 3 || v.Size(0) != x.Size(0) || v.Size(1) != 1 || v.Size(2) != x.Size(2))
            throw new ArgumentException($"AdaLN.{op}: x {TensorShape.Format(x.Shape)} and {what} {TensorShape.Format(v.Shape)} do not fit (expected x [B, T, D] and {what} [B, 1, D])");
    }

    /// <summary>A fresh gradient buffer becomes the gradient of a non-leaf without a copy; otherwise it is accumulated.</summary>
    internal static void SetOrAccumulate(Tensor target, Tensor g)
    {
        if (!target.IsLeaf && target.Grad is null) target.Grad = g;
        else target.AccumulateGrad(g);
    }

    /// <summary>Runs body(start, count) over [0, n) items of <paramref name="itemLen"/> floats, in contiguous chunks over the engine's threads when large.</summary>
    internal static void Rows(int n, int itemLen, Action<int, int> body)
    {
        long work = (long)n * itemLen;
        int chunks = (int)Math.Min(Math.Min(Engine.Threads, n), Math.Max(1, work / (1 << 15)));
        if (chunks <= 1) { if (n > 0) body(0, n); return; }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Engine.Threads }, c =>
        {
            int s = (int)((long)n * c / chunks), e = (int)((long)n * (c + 1) / chunks);
            body(s, e - s);
        });
    }
}

/// <summary>Queries, keys and values split into heads, each [B, H, T, hd] and contiguous.</summary>
/// <param name="Q">Queries.</param>
/// <param name="K">Keys.</param>
/// <param name="V">Values.</param>
public sealed record QkvHeads(Tensor Q, Tensor K, Tensor V);

/// <summary>
/// Head layout changes of multi-head attention as single parallel copies with their own backward (instead of a
/// reshape → permute → contiguous chain, whose backward makes several full-size copies):
/// <see cref="Split"/> [B, T, 3·D] → q, k, v [B, H, T, hd]; <see cref="Merge"/> [B, H, T, hd] → [B, T, H·hd].
/// </summary>
public static class AttentionHeads
{
    /// <summary>Splits a fused qkv projection [B, T, 3·D] (feature order (s, h, j), as timm's reshape(B, T, 3, H, hd)) into heads.</summary>
    /// <exception cref="ArgumentException">The shape is not [B, T, 3·H·hd].</exception>
    public static QkvHeads Split(Tensor qkv, int heads)
    {
        if (qkv.Rank != 3 || heads < 1 || qkv.Size(2) % (3 * heads) != 0)
            throw new ArgumentException($"AttentionHeads.Split: qkv shape {TensorShape.Format(qkv.Shape)} is not [B, T, 3·D] with D divisible by {heads} heads");
        int b = qkv.Size(0), t = qkv.Size(1), d = qkv.Size(2) / 3, hd = d / heads;
        var src = qkv.Contiguous();
        var outs = new[] { Tensor.Empty(b, heads, t, hd), Tensor.Empty(b, heads, t, hd), Tensor.Empty(b, heads, t, hd) };
        AdaLN.Rows(b, t * 3 * d, (b0, nb) =>
        {
            var ss = src.AsSpan();
            for (int part = 0; part < 3; part++)
            {
                var os = outs[part].AsSpan();
                for (int bi = b0; bi < b0 + nb; bi++)
                    for (int h = 0; h < heads; h++)
                        for (int ti = 0; ti < t; ti++)
                            ss.Slice((bi * t + ti) * 3 * d + part * d + h * hd, hd).CopyTo(os.Slice(((bi * heads + h) * t + ti) * hd, hd));
            }
        });
        if (MixFlow.Tensors.Autograd.GradMode.IsEnabled && src.RequiresGrad)
        {
            for (int part = 0; part < 3; part++)
            {
                int pIdx = part;
                outs[part].WithGrad("split_heads", [src], g =>
                {
                    g = g.Contiguous();
                    // A fresh buffer gets this part copied in and the other two parts zeroed in the same pass (no
                    // separate zero fill); later parts add into it.
                    Tensor target; bool temp = src.IsLeaf, fresh = temp || src.Grad is null || !src.Grad.IsContiguous;
                    if (temp) target = Tensor.Empty(b, t, 3 * d);
                    else if (fresh) { target = Tensor.Empty(b, t, 3 * d); if (src.Grad is null) src.Grad = target; }
                    else target = src.Grad!;
                    AdaLN.Rows(b, t * d, (b0, nb) =>
                    {
                        var gs = g.AsSpan(); var ds = target.AsSpan();
                        for (int bi = b0; bi < b0 + nb; bi++)
                            for (int ti = 0; ti < t; ti++)
                            {
                                var row = ds.Slice((bi * t + ti) * 3 * d, 3 * d);
                                if (fresh)
                                    for (int q = 0; q < 3; q++) if (q != pIdx) row.Slice(q * d, d).Clear();
                                for (int h = 0; h < heads; h++)
                                {
                                    var dst = row.Slice(pIdx * d + h * hd, hd);
                                    var gsrc = gs.Slice(((bi * heads + h) * t + ti) * hd, hd);
                                    if (fresh) gsrc.CopyTo(dst); else TensorPrimitives.Add(dst, gsrc, dst);
                                }
                            }
                    });
                    if (temp || !ReferenceEquals(target, src.Grad)) src.AccumulateGrad(target);
                });
            }
        }
        return new QkvHeads(outs[0], outs[1], outs[2]);
    }

    /// <summary>Merges heads [B, H, T, hd] into tokens [B, T, H·hd] (timm's transpose(1, 2).reshape(B, T, D)).</summary>
    /// <exception cref="ArgumentException">The input is not rank 4.</exception>
    public static Tensor Merge(Tensor o)
    {
        if (o.Rank != 4) throw new ArgumentException($"AttentionHeads.Merge: input shape {TensorShape.Format(o.Shape)} is not [B, H, T, hd]");
        int b = o.Size(0), heads = o.Size(1), t = o.Size(2), hd = o.Size(3), d = heads * hd;
        var src = o.Contiguous();
        var y = Tensor.Empty(b, t, d);
        AdaLN.Rows(b, t * d, (b0, nb) =>
        {
            var ss = src.AsSpan(); var ys = y.AsSpan();
            for (int bi = b0; bi < b0 + nb; bi++)
                for (int h = 0; h < heads; h++)
                    for (int ti = 0; ti < t; ti++)
                        ss.Slice(((bi * heads + h) * t + ti) * hd, hd).CopyTo(ys.Slice((bi * t + ti) * d + h * hd, hd));
        });
        if (MixFlow.Tensors.Autograd.GradMode.IsEnabled && src.RequiresGrad)
        {
            y.WithGrad("merge_heads", [src], g =>
            {
                g = g.Contiguous();
                var dx = Tensor.Empty(b, heads, t, hd);
                AdaLN.Rows(b, t * d, (b0, nb) =>
                {
                    var gs = g.AsSpan(); var ds = dx.AsSpan();
                    for (int bi = b0; bi < b0 + nb; bi++)
                        for (int h = 0; h < heads; h++)
                            for (int ti = 0; ti < t; ti++)
                                gs.Slice((bi * t + ti) * d + h * hd, hd).CopyTo(ds.Slice(((bi * heads + h) * t + ti) * hd, hd));
                });
                AdaLN.SetOrAccumulate(src, dx);
            });
        }
        return y;
    }
}

// ==================================================================== embedders

/// <summary>
/// DiT's TimestepEmbedder: a sinusoidal frequency embedding of the (scaled) time followed by
/// <c>mlp</c> = Sequential(Linear(F, D), SiLU, Linear(D, D)) — state names <c>mlp.0.*</c>, <c>mlp.2.*</c>.
/// </summary>
public sealed class TimestepEmbedder : Module
{
    /// <summary>Creates the embedder.</summary>
    public TimestepEmbedder(int hiddenSize, int frequencySize, float timeScale, Generator gen)
    {
        FrequencySize = frequencySize; TimeScale = timeScale;
        Mlp = RegisterModule("mlp", new Sequential(new Linear(frequencySize, hiddenSize, gen), new SiLU(), new Linear(hiddenSize, hiddenSize, gen)));
    }

    /// <summary>Size of the frequency embedding.</summary>
    public int FrequencySize { get; }

    /// <summary>Factor applied to t before the embedding.</summary>
    public float TimeScale { get; }

    /// <summary>The MLP (children "0", "1", "2").</summary>
    public Sequential Mlp { get; }

    /// <summary>
    /// The frequency embedding of DiT's <c>timestep_embedding</c>: for s = timeScale·t and k &lt; half = dim/2,
    /// f_k = exp(−ln(maxPeriod)·k/half); row = [cos(s·f_0) … cos(s·f_{half−1}), sin(s·f_0) … sin(s·f_{half−1})]
    /// (cos first), a zero column appended for odd dim. Computed in float32 in the same order as PyTorch.
    /// </summary>
    /// <returns>[N, dim], no autograd.</returns>
    public static Tensor FrequencyEmbedding(ReadOnlySpan<float> t, int dim, float timeScale, float maxPeriod = 10000f)
    {
        int half = dim / 2, n = t.Length;
        var freqs = new float[half];
        float negLog = (float)-Math.Log(maxPeriod);
        for (int k = 0; k < half; k++) freqs[k] = MathF.Exp(negLog * k / half);
        var e = Tensor.Zeros(n, dim);
        var s = e.AsSpan();
        for (int i = 0; i < n; i++)
        {
            float ts = timeScale * t[i];
            var row = s.Slice(i * dim, dim);
            for (int k = 0; k < half; k++)
            {
                float a = ts * freqs[k];
                row[k] = MathF.Cos(a);
                row[half + k] = MathF.Sin(a);
            }
        }
        return e;
    }

    /// <summary>t [N] (values in [0, 1]) → [N, D]. No gradient flows to t.</summary>
    public Tensor Forward(Tensor t)
    {
        var tv = t.ToArray();                                                   // [N]
        var f = FrequencyEmbedding(tv, FrequencySize, TimeScale);               // [N, F]
        return Mlp.Forward(f);                                                  // [N, D]
    }
}

/// <summary>
/// DiT's LabelEmbedder: <c>embedding_table</c> [num_classes (+1 null row when dropout &gt; 0), D]; during training each
/// label is replaced by the null label with probability <c>dropout</c> (drawn from the embedder's own generator).
/// </summary>
public sealed class LabelEmbedder : Module
{
    private readonly Generator _gen;

    /// <summary>Creates the embedder.</summary>
    public LabelEmbedder(int numClasses, int hiddenSize, float dropoutProb, Generator gen)
    {
        NumClasses = numClasses; DropoutProb = dropoutProb;
        Table = RegisterModule("embedding_table", new Embedding(numClasses + (dropoutProb > 0 ? 1 : 0), hiddenSize, gen));
        _gen = gen.Fork();
    }

    /// <summary>Number of real classes.</summary>
    public int NumClasses { get; }

    /// <summary>Label-dropout probability.</summary>
    public float DropoutProb { get; }

    /// <summary>The table (parameter <c>embedding_table.weight</c>).</summary>
    public Embedding Table { get; }

    /// <summary>Labels (length N) → [N, D]; label dropout applies in training mode when <paramref name="allowDrop"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, NumClasses] (NumClasses only with a null row).</exception>
    public Tensor Forward(int[] labels, bool allowDrop)
    {
        int max = NumClasses + (DropoutProb > 0 ? 1 : 0);
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)max)
                throw new ArgumentOutOfRangeException(nameof(labels), $"SiT label embedder: label {labels[i]} at position {i} is outside [0, {max}){(DropoutProb > 0 ? $" ({NumClasses} is the null label)" : "")}");
        if (allowDrop && Training && DropoutProb > 0)
        {
            var dropped = (int[])labels.Clone();
            for (int i = 0; i < dropped.Length; i++) if (_gen.NextFloat() < DropoutProb) dropped[i] = NumClasses;
            labels = dropped;
        }
        return Table.Forward(labels);                                           // [N, D]
    }
}

/// <summary>
/// Patch embedding (timm's PatchEmbed as used by DiT): parameter <c>proj.weight</c> keeps the official conv shape
/// [D, C, p, p] (and <c>proj.bias</c> [D]) but is applied as one Linear over flattened patches ordered (c, i, j),
/// which equals the stride-p convolution.
/// </summary>
public sealed class PatchEmbed : Module
{
    /// <summary>Creates the embedding.</summary>
    public PatchEmbed(int inChannels, int hiddenSize, int patch, Generator gen)
    {
        InChannels = inChannels; HiddenSize = hiddenSize; Patch = patch;
        Proj = RegisterModule("proj", new Conv2d(inChannels, hiddenSize, patch, gen, stride: patch));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Token width.</summary>
    public int HiddenSize { get; }

    /// <summary>Patch side.</summary>
    public int Patch { get; }

    /// <summary>The conv-shaped projection (weight [D, C, p, p], bias [D]).</summary>
    public Conv2d Proj { get; }

    /// <summary>x [N, C, H, W] → tokens [N, (H/p)(W/p), D], row-major over the patch grid.</summary>
    public Tensor Forward(Tensor x)
    {
        int n = x.Size(0), c = x.Size(1), h = x.Size(2) / Patch, w = x.Size(3) / Patch, p = Patch;
        var patches = x.Reshape(n, c, h, p, w, p)                               // [N, C, h, p, w, p]
            .Permute(0, 2, 4, 1, 3, 5)                                          // [N, h, w, C, p, p]
            .Reshape(n, h * w, c * p * p);                                      // [N, T, C·p·p] (one copy)
        var wFlat = Proj.Weight.Reshape(HiddenSize, c * p * p);                 // [D, C·p·p] (view)
        return Tensor.Linear(patches, wFlat, Proj.Bias);                        // [N, T, D]
    }
}

// ==================================================================== blocks

/// <summary>Multi-head self-attention (timm's Attention): <c>qkv</c> Linear(D, 3D), <c>proj</c> Linear(D, D).</summary>
public sealed class SiTAttention : Module
{
    /// <summary>Creates the layer.</summary>
    public SiTAttention(int dim, int heads, Generator gen)
    {
        Dim = dim; Heads = heads;
        Qkv = RegisterModule("qkv", new Linear(dim, 3 * dim, gen));
        Proj = RegisterModule("proj", new Linear(dim, dim, gen));
    }

    /// <summary>Token width.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int Heads { get; }

    /// <summary>The fused q/k/v projection.</summary>
    public Linear Qkv { get; }

    /// <summary>The output projection.</summary>
    public Linear Proj { get; }

    /// <summary>x [B, T, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x)
    {
        var qkv = Qkv.Forward(x);                                               // [B, T, 3D]
        var heads = AttentionHeads.Split(qkv, Heads);                           // q, k, v [B, H, T, hd] (one parallel copy)
        var o = Tensor.ScaledDotProductAttention(heads.Q, heads.K, heads.V);    // [B, H, T, hd]
        var merged = AttentionHeads.Merge(o);                                   // [B, T, D] (one parallel copy)
        return Proj.Forward(merged);                                            // [B, T, D]
    }
}

/// <summary>The transformer MLP (timm's Mlp): <c>fc1</c> Linear(D, hidden), GELU (tanh), <c>fc2</c> Linear(hidden, D).</summary>
public sealed class SiTMlp : Module
{
    /// <summary>Creates the layer.</summary>
    public SiTMlp(int dim, int hidden, Generator gen)
    {
        Fc1 = RegisterModule("fc1", new Linear(dim, hidden, gen));
        Fc2 = RegisterModule("fc2", new Linear(hidden, dim, gen));
    }

    /// <summary>First layer.</summary>
    public Linear Fc1 { get; }

    /// <summary>Second layer.</summary>
    public Linear Fc2 { get; }

    /// <summary>x [B, T, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x)
    {
        var h = Fc1.Forward(x);                                                 // [B, T, hidden]
        h = h.Gelu(approximateTanh: true);                                      // [B, T, hidden]
        return Fc2.Forward(h);                                                  // [B, T, D]
    }
}

/// <summary>
/// A DiT block with adaLN-Zero: <c>norm1</c>, <c>attn</c>, <c>norm2</c>, <c>mlp</c> and
/// <c>adaLN_modulation</c> = Sequential(SiLU, Linear(D, 6D)) producing shift/scale/gate for attention and MLP.
/// </summary>
public sealed class SiTBlock : Module
{
    /// <summary>Creates the block.</summary>
    public SiTBlock(int dim, int heads, int mlpHidden, Generator gen)
    {
        Dim = dim;
        Norm1 = RegisterModule("norm1", new LayerNorm(dim, 1e-6f, affine: false));
        Attn = RegisterModule("attn", new SiTAttention(dim, heads, gen));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim, 1e-6f, affine: false));
        Mlp = RegisterModule("mlp", new SiTMlp(dim, mlpHidden, gen));
        AdaLNModulation = RegisterModule("adaLN_modulation", new Sequential(new SiLU(), new Linear(dim, 6 * dim, gen)));
    }

    /// <summary>Token width.</summary>
    public int Dim { get; }

    /// <summary>Pre-attention norm (no affine, eps 1e-6).</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Self-attention.</summary>
    public SiTAttention Attn { get; }

    /// <summary>Pre-MLP norm (no affine, eps 1e-6).</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>MLP.</summary>
    public SiTMlp Mlp { get; }

    /// <summary>SiLU then Linear(D, 6D).</summary>
    public Sequential AdaLNModulation { get; }

    /// <summary>The Linear of <see cref="AdaLNModulation"/> (zero-initialised by DiT).</summary>
    public Linear ModulationLinear => (Linear)AdaLNModulation[1];

    /// <summary>x [B, T, D], conditioning c [B, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x, Tensor c)
    {
        int b = c.Size(0);
        var mod = AdaLNModulation.Forward(c).Reshape(b, 6, Dim);                // [B, 6, D]
        var shiftMsa = mod.Slice(1, 0, 1);                                      // [B, 1, D] (view)
        var scaleMsa = mod.Slice(1, 1, 2);                                      // [B, 1, D] (view)
        var gateMsa = mod.Slice(1, 2, 3);                                       // [B, 1, D] (view)
        var shiftMlp = mod.Slice(1, 3, 4);                                      // [B, 1, D] (view)
        var scaleMlp = mod.Slice(1, 4, 5);                                      // [B, 1, D] (view)
        var gateMlp = mod.Slice(1, 5, 6);                                       // [B, 1, D] (view)
        var h = AdaLN.NormModulate(x, shiftMsa, scaleMsa, Norm1.Eps);           // [B, T, D] (norm1 + modulate fused)
        x = AdaLN.GatedResidual(x, gateMsa, Attn.Forward(h));                   // [B, T, D]
        h = AdaLN.NormModulate(x, shiftMlp, scaleMlp, Norm2.Eps);               // [B, T, D] (norm2 + modulate fused)
        return AdaLN.GatedResidual(x, gateMlp, Mlp.Forward(h));                 // [B, T, D]
    }
}

// ==================================================================== final layer

/// <summary>
/// DiT's FinalLayer: <c>norm_final</c> (no affine, eps 1e-6), <c>linear</c> Linear(D, p·p·out) and
/// <c>adaLN_modulation</c> = Sequential(SiLU, Linear(D, 2D)) producing shift and scale.
/// </summary>
public sealed class SiTFinalLayer : Module
{
    /// <summary>Creates the layer.</summary>
    public SiTFinalLayer(int dim, int patch, int outChannels, Generator gen)
    {
        Dim = dim;
        NormFinal = RegisterModule("norm_final", new LayerNorm(dim, 1e-6f, affine: false));
        Linear = RegisterModule("linear", new Linear(dim, patch * patch * outChannels, gen));
        AdaLNModulation = RegisterModule("adaLN_modulation", new Sequential(new SiLU(), new Linear(dim, 2 * dim, gen)));
    }

    /// <summary>Token width.</summary>
    public int Dim { get; }

    /// <summary>Final norm.</summary>
    public LayerNorm NormFinal { get; }

    /// <summary>Projection to patch pixels, ordered (i, j, channel).</summary>
    public Linear Linear { get; }

    /// <summary>SiLU then Linear(D, 2D).</summary>
    public Sequential AdaLNModulation { get; }

    /// <summary>The Linear of <see cref="AdaLNModulation"/>.</summary>
    public Linear ModulationLinear => (Linear)AdaLNModulation[1];

    /// <summary>x [B, T, D], c [B, D] → [B, T, p·p·out].</summary>
    public Tensor Forward(Tensor x, Tensor c)
    {
        int b = c.Size(0);
        var mod = AdaLNModulation.Forward(c).Reshape(b, 2, Dim);                // [B, 2, D]
        var h = AdaLN.NormModulate(x, mod.Slice(1, 0, 1), mod.Slice(1, 1, 2), NormFinal.Eps); // [B, T, D] (norm_final + modulate fused)
        return Linear.Forward(h);                                               // [B, T, p·p·out]
    }
}

// ==================================================================== model

/// <summary>
/// Scalable interpolant transformer (SiT; architecture of DiT): patch embedding + fixed 2-D sin-cos positions,
/// time (and class) embedding summed into a conditioning vector c, <see cref="SiTOptions.Depth"/> adaLN-Zero blocks,
/// final adaLN layer and unpatchify. Parameter names follow DiT's <c>models.py</c> so official checkpoints load with
/// <see cref="SiTCheckpoint.LoadOfficial"/>.
/// </summary>
public sealed class SiT : Module, IFlowModel
{
    /// <summary>Creates the model and applies DiT's initialisation (<see cref="InitializeWeights"/>).</summary>
    /// <param name="options">Architecture.</param>
    /// <param name="gen">Source of all initial values and (through a fork) of label dropout.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SiT(SiTOptions options, Generator gen)
    {
        options.Validate();
        Options = options;
        int d = options.HiddenSize;
        XEmbedder = RegisterModule("x_embedder", new PatchEmbed(options.InChannels, d, options.PatchSize, gen));
        TEmbedder = RegisterModule("t_embedder", new TimestepEmbedder(d, options.FrequencyEmbeddingSize, options.TimeScale, gen));
        if (options.NumClasses > 0)
            YEmbedder = RegisterModule("y_embedder", new LabelEmbedder(options.NumClasses, d, options.ClassDropoutProb, gen));
        int grid = options.InputSize / options.PatchSize;
        PosEmbed = RegisterBuffer("pos_embed", Tensor.FromArray(SiTPosEmbed.Get2dSinCos(d, grid), 1, grid * grid, d));
        Blocks = RegisterModule("blocks", new ModuleList<SiTBlock>(
            Enumerable.Range(0, options.Depth).Select(_ => new SiTBlock(d, options.NumHeads, options.MlpHidden, gen)).ToList()));
        FinalLayer = RegisterModule("final_layer", new SiTFinalLayer(d, options.PatchSize, options.OutChannels, gen));
        InitializeWeights(gen);
    }

    /// <summary>The architecture.</summary>
    public SiTOptions Options { get; }

    /// <inheritdoc />
    public int NumClasses => Options.NumClasses;

    /// <summary>Patch embedding (<c>x_embedder</c>).</summary>
    public PatchEmbed XEmbedder { get; }

    /// <summary>Time embedding (<c>t_embedder</c>).</summary>
    public TimestepEmbedder TEmbedder { get; }

    /// <summary>Label embedding (<c>y_embedder</c>), null for unconditional models.</summary>
    public LabelEmbedder? YEmbedder { get; }

    /// <summary>Fixed 2-D sin-cos position embedding buffer [1, T, D] (<c>pos_embed</c>).</summary>
    public Tensor PosEmbed { get; }

    /// <summary>The transformer blocks (<c>blocks.{i}</c>).</summary>
    public ModuleList<SiTBlock> Blocks { get; }

    /// <summary>The final adaLN layer (<c>final_layer</c>).</summary>
    public SiTFinalLayer FinalLayer { get; }

    /// <summary>
    /// DiT's initialisation: xavier-uniform weights and zero biases for every Linear; the patch embedding xavier-uniform
    /// on its flattened [D, C·p·p] view with zero bias; the label table and both time-MLP weights N(0, 0.02²); the adaLN
    /// modulation Linears and the final Linear zero (so the initial output is exactly 0). Re-fills the position buffer.
    /// </summary>
    public void InitializeWeights(Generator gen)
    {
        foreach (var lin in AllLinears(this))
        {
            Init.XavierUniform(lin.Weight, gen);
            if (lin.Bias is not null) Init.Zeros(lin.Bias);
        }
        var pw = XEmbedder.Proj.Weight;
        Init.XavierUniform(pw, gen, pw.Numel / pw.Size(0), pw.Size(0));
        if (XEmbedder.Proj.Bias is not null) Init.Zeros(XEmbedder.Proj.Bias);
        if (YEmbedder is not null) Init.Normal(YEmbedder.Table.Weight, 0.02f, gen);
        Init.Normal(((Linear)TEmbedder.Mlp[0]).Weight, 0.02f, gen);
        Init.Normal(((Linear)TEmbedder.Mlp[2]).Weight, 0.02f, gen);
        foreach (var blk in Blocks.Items) ZeroLinear(blk.ModulationLinear);
        ZeroLinear(FinalLayer.ModulationLinear);
        ZeroLinear(FinalLayer.Linear);
        int grid = Options.InputSize / Options.PatchSize;
        SiTPosEmbed.Get2dSinCos(Options.HiddenSize, grid).CopyTo(PosEmbed.AsSpan());
    }

    private static void ZeroLinear(Linear l) { Init.Zeros(l.Weight); if (l.Bias is not null) Init.Zeros(l.Bias); }

    private static IEnumerable<Linear> AllLinears(Module m)
    {
        if (m is Linear l) yield return l;
        foreach (var (_, c) in m.Children)
            foreach (var x in AllLinears(c)) yield return x;
    }

    /// <summary>
    /// Predicts the velocity (or the model's prediction type) for states x at times t. In training mode labels are
    /// dropped to the null label with probability <see cref="SiTOptions.ClassDropoutProb"/>.
    /// </summary>
    /// <param name="x">[N, C, H, W] with H = W = InputSize.</param>
    /// <param name="t">[N], t ∈ [0, 1] (t = 1 data); no gradient flows to t.</param>
    /// <param name="labels">Length N, in [0, NumClasses] (NumClasses = null label) for conditional models; null otherwise.</param>
    /// <returns>[N, C, H, W] (the first C output channels when <see cref="SiTOptions.LearnSigma"/>).</returns>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the model.</exception>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels) => ForwardCore(x, t, labels, allowLabelDrop: true);

    /// <summary>
    /// <see cref="Forward"/> that also returns the hidden tokens after block <paramref name="captureBlock"/> (1-based:
    /// the output of the k-th block, as REPA's encoder_depth) from the same pass — for representation alignment.
    /// </summary>
    /// <param name="x">[N, C, H, W].</param>
    /// <param name="t">[N].</param>
    /// <param name="labels">As for <see cref="Forward"/>.</param>
    /// <param name="captureBlock">k ∈ [1, Depth].</param>
    /// <param name="hidden">[N, T, D], part of the autograd graph.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is outside [1, Depth].</exception>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the model.</exception>
    public Tensor ForwardWithHidden(Tensor x, Tensor t, int[]? labels, int captureBlock, out Tensor hidden)
    {
        if (captureBlock < 1 || captureBlock > Options.Depth)
            throw new ArgumentOutOfRangeException(nameof(captureBlock), $"SiT.ForwardWithHidden: captureBlock must be in [1, {Options.Depth}] (got {captureBlock})");
        var r = ForwardCore(x, t, labels, allowLabelDrop: true, captureBlock, out var h);
        hidden = h!;
        return r;
    }

    private Tensor ForwardCore(Tensor x, Tensor t, int[]? labels, bool allowLabelDrop) => ForwardCore(x, t, labels, allowLabelDrop, 0, out _);

    private Tensor ForwardCore(Tensor x, Tensor t, int[]? labels, bool allowLabelDrop, int captureBlock, out Tensor? hidden)
    {
        hidden = null;
        CheckInputs(x, t, labels);
        var o = Options;
        int n = x.Size(0), p = o.PatchSize, g = o.InputSize / p, c = o.OutChannels;
        var h = XEmbedder.Forward(x) + PosEmbed;                                // [N, T, D]
        var cond = TEmbedder.Forward(t);                                        // [N, D]
        if (YEmbedder is not null) cond = cond + YEmbedder.Forward(labels!, allowLabelDrop); // [N, D]
        bool release = !MixFlow.Tensors.Autograd.GradMode.IsEnabled;            // no graph: free each block's temporaries at once
        for (int i = 0; i < Blocks.Count; i++)
        {
            if (release)
            {
                using var scope = new TensorScope();
                h = Blocks[i].Forward(h, cond).MoveToOuterScope();              // [N, T, D]
            }
            else h = Blocks[i].Forward(h, cond);                                // [N, T, D]
            if (i + 1 == captureBlock) hidden = h;                              // [N, T, D]
        }
        h = FinalLayer.Forward(h, cond);                                        // [N, T, p·p·c]
        var img = h.Reshape(n, g, g, p, p, c)                                   // [N, h, w, p, q, c]
            .Permute(0, 5, 1, 3, 2, 4)                                          // [N, c, h, p, w, q]
            .Reshape(n, c, g * p, g * p);                                       // [N, c, H, W] (one copy)
        if (o.LearnSigma) img = img.Slice(1, 0, o.InChannels).Contiguous();    // [N, C, H, W]
        return img;
    }

    /// <summary>
    /// Classifier-free guidance in one batched call: evaluates [x; x] with [labels; null] and returns
    /// uncond + cfgScale·(cond − uncond). Label dropout is not applied.
    /// </summary>
    /// <param name="x">[N, C, H, W].</param>
    /// <param name="t">[N].</param>
    /// <param name="labels">Length N, in [0, NumClasses).</param>
    /// <param name="cfgScale">Guidance scale (1 = conditional model).</param>
    /// <returns>[N, C, H, W].</returns>
    /// <exception cref="InvalidOperationException">The model has no null class (unconditional or class dropout 0).</exception>
    /// <exception cref="ArgumentException">Shapes or labels do not fit.</exception>
    public Tensor ForwardWithCfg(Tensor x, Tensor t, int[] labels, float cfgScale)
    {
        if (!Options.HasNullClass)
            throw new InvalidOperationException($"SiT.ForwardWithCfg: the model has no null class (NumClasses {Options.NumClasses}, ClassDropoutProb {Options.ClassDropoutProb}); guidance needs a class-conditional model trained with label dropout");
        CheckInputs(x, t, labels);
        int n = x.Size(0);
        foreach (var l in labels)
            if (l == Options.NumClasses) throw new ArgumentException($"SiT.ForwardWithCfg: labels must be real classes in [0, {Options.NumClasses}) (got the null label {l})");
        var both = new int[2 * n];
        labels.CopyTo(both, 0);
        Array.Fill(both, Options.NumClasses, n, n);
        var x2 = Tensor.Concat([x, x], 0);                                      // [2N, C, H, W]
        var t2 = Tensor.Concat([t, t], 0);                                      // [2N]
        var out2 = ForwardCore(x2, t2, both, allowLabelDrop: false);            // [2N, C, H, W]
        var cond = out2.Slice(0, 0, n);                                         // [N, C, H, W] (view)
        var uncond = out2.Slice(0, n, 2 * n);                                   // [N, C, H, W] (view)
        return uncond + (cond - uncond) * cfgScale;                             // [N, C, H, W]
    }

    private void CheckInputs(Tensor x, Tensor t, int[]? labels)
    {
        var o = Options;
        if (x.Rank != 4 || x.Size(1) != o.InChannels || x.Size(2) != o.InputSize || x.Size(3) != o.InputSize)
            throw new ArgumentException($"SiT: input shape {TensorShape.Format(x.Shape)} is not [N, {o.InChannels}, {o.InputSize}, {o.InputSize}]");
        int n = x.Size(0);
        if (t.Rank != 1 || t.Size(0) != n)
            throw new ArgumentException($"SiT: time shape {TensorShape.Format(t.Shape)} is not [{n}] (one time per sample)");
        if (o.NumClasses > 0)
        {
            if (labels is null) throw new ArgumentException($"SiT: the model is class-conditional ({o.NumClasses} classes) but no labels were given");
            if (labels.Length != n) throw new ArgumentException($"SiT: {labels.Length} labels given for a batch of {n}");
        }
        else if (labels is not null) throw new ArgumentException($"SiT: the model is unconditional (NumClasses 0) but {labels.Length} labels were given");
    }

    /// <summary>
    /// Number of parameters of a model with these options, computed without building it. With
    /// <paramref name="includePosEmbed"/> the fixed position table is counted too, as PyTorch's DiT does (there it is a
    /// frozen nn.Parameter; here a buffer) — e.g. DiT-XL/2 (learn_sigma, 1000 classes) gives 675,129,632.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static long CountParameters(SiTOptions o, bool includePosEmbed = false)
    {
        o.Validate();
        long d = o.HiddenSize, p = o.PatchSize, c = o.InChannels, f = o.FrequencyEmbeddingSize, hm = o.MlpHidden, oc = o.OutChannels;
        long patch = d * c * p * p + d;
        long time = f * d + d + d * d + d;
        long label = o.NumClasses > 0 ? (o.NumClasses + (o.ClassDropoutProb > 0 ? 1 : 0)) * d : 0;
        long block = (d * 3 * d + 3 * d) + (d * d + d) + (d * hm + hm) + (hm * d + d) + (d * 6 * d + 6 * d);
        long final = d * p * p * oc + p * p * oc + d * 2 * d + 2 * d;
        long pos = includePosEmbed ? o.NumTokens * d : 0;
        return patch + time + label + o.Depth * block + final + pos;
    }
}

// ==================================================================== position embedding

/// <summary>DiT's fixed 2-D sin-cos position embedding (MAE's <c>get_2d_sincos_pos_embed</c>), computed in double.</summary>
public static class SiTPosEmbed
{
    /// <summary>
    /// The [G·G, D] table, row r = i·G + j (grid row i, column j): the first D/2 entries embed j (DiT builds the grid
    /// with meshgrid(w, h) and embeds grid[0] first), the last D/2 embed i; each half is
    /// [sin(pos·ω_0) … sin(pos·ω_{D/4−1}), cos(pos·ω_0) …] with ω_k = 10000^(−k/(D/4)).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not a positive multiple of 4 or the grid is empty.</exception>
    public static float[] Get2dSinCos(int embedDim, int gridSize)
    {
        if (embedDim < 4 || embedDim % 4 != 0) throw new ArgumentException($"SiTPosEmbed: embedDim must be a positive multiple of 4 (got {embedDim})");
        if (gridSize < 1) throw new ArgumentException($"SiTPosEmbed: gridSize must be >= 1 (got {gridSize})");
        int half = embedDim / 2, quarter = embedDim / 4;
        var omega = new double[quarter];
        for (int k = 0; k < quarter; k++) omega[k] = 1.0 / Math.Pow(10000.0, k / (double)quarter);
        var r = new float[gridSize * gridSize * embedDim];
        for (int i = 0; i < gridSize; i++)
            for (int j = 0; j < gridSize; j++)
            {
                int row = (i * gridSize + j) * embedDim;
                for (int k = 0; k < quarter; k++)
                {
                    double aj = j * omega[k], ai = i * omega[k];
                    r[row + k] = (float)Math.Sin(aj);
                    r[row + quarter + k] = (float)Math.Cos(aj);
                    r[row + half + k] = (float)Math.Sin(ai);
                    r[row + half + quarter + k] = (float)Math.Cos(ai);
                }
            }
        return r;
    }
}

// ==================================================================== presets and registry

/// <summary>
/// Named SiT/DiT architectures. Official sizes (S: depth 12, D 384, 6 heads; B: 12, 768, 12; L: 24, 1024, 16;
/// XL: 28, 1152, 16) × patch 2/4/8 on 32×32×4 latents with 1000 classes, as <c>SiT-XL/2</c> (learn_sigma, time scale 1,
/// SiT's convention) and <c>DiT-XL/2</c> (same architecture, learn_sigma, time scale 1000 as DiT's timestep range).
/// Small presets for training on 2 cores (learn_sigma false, time scale 1000, unconditional by default — set
/// <see cref="SiTOptions.NumClasses"/> through <c>configure</c>): <c>SiT-T/2-28</c> (the PyTorch benchmark model:
/// 28×28×1, patch 2, depth 6, D 256, 4 heads), <c>SiT-XS/4-28</c> (depth 4, D 128, 4 heads, patch 4) and their
/// 32×32×3 versions <c>SiT-T/2-32</c>, <c>SiT-XS/4-32</c>.
/// </summary>
public static class SiTRegistry
{
    private static readonly Dictionary<string, SiTOptions> Presets = Build();

    private static Dictionary<string, SiTOptions> Build()
    {
        var r = new Dictionary<string, SiTOptions>(StringComparer.Ordinal);
        var sizes = new (string Name, int Depth, int Hidden, int Heads)[] { ("S", 12, 384, 6), ("B", 12, 768, 12), ("L", 24, 1024, 16), ("XL", 28, 1152, 16) };
        foreach (var family in new[] { "SiT", "DiT" })
            foreach (var (name, depth, hidden, heads) in sizes)
                foreach (var p in new[] { 2, 4, 8 })
                    r[$"{family}-{name}/{p}"] = new SiTOptions
                    {
                        InputSize = 32, InChannels = 4, PatchSize = p, HiddenSize = hidden, Depth = depth, NumHeads = heads,
                        NumClasses = 1000, ClassDropoutProb = 0.1f, LearnSigma = true, TimeScale = family == "SiT" ? 1f : 1000f,
                    };
        foreach (var (size, ch) in new[] { (28, 1), (32, 3) })
        {
            r[$"SiT-T/2-{size}"] = new SiTOptions { InputSize = size, InChannels = ch, PatchSize = 2, HiddenSize = 256, Depth = 6, NumHeads = 4, NumClasses = 0, LearnSigma = false };
            r[$"SiT-XS/4-{size}"] = new SiTOptions { InputSize = size, InChannels = ch, PatchSize = 4, HiddenSize = 128, Depth = 4, NumHeads = 4, NumClasses = 0, LearnSigma = false };
        }
        return r;
    }

    /// <summary>All preset names.</summary>
    public static IReadOnlyList<string> Names => Presets.Keys.ToList();

    /// <summary>The options of a preset.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known names.</exception>
    public static SiTOptions Options(string name)
    {
        if (name is null || !Presets.TryGetValue(name, out var o))
            throw new ArgumentException($"SiTRegistry: unknown model '{name}'; known models: {string.Join(", ", Presets.Keys)}");
        return o;
    }

    /// <summary>Builds a preset, optionally adjusting its options (e.g. <c>o =&gt; o with { NumClasses = 10 }</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name or invalid adjusted options.</exception>
    public static SiT Create(string name, Generator gen, Func<SiTOptions, SiTOptions>? configure = null)
    {
        var o = Options(name);
        if (configure is not null) o = configure(o);
        return new SiT(o, gen);
    }
}

// ==================================================================== official checkpoints

/// <summary>Loads official DiT/SiT state dicts (same names) into a <see cref="SiT"/>.</summary>
public static class SiTCheckpoint
{
    /// <summary>
    /// Copies an official state dict into the model. <c>x_embedder.proj.weight</c> may be conv-shaped [D, C, p, p] or
    /// flattened [D, C·p·p] (reshaped). Every model tensor must be present and every checkpoint tensor used (strict).
    /// </summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors; the message lists them (and hints at
    /// learn_sigma / class-count mismatches).</exception>
    public static void LoadOfficial(SiT model, IReadOnlyDictionary<string, Tensor> state)
    {
        var o = model.Options;
        var fixedState = new Dictionary<string, Tensor>(state, StringComparer.Ordinal);
        const string pw = "x_embedder.proj.weight";
        int cpp = o.InChannels * o.PatchSize * o.PatchSize;
        if (fixedState.TryGetValue(pw, out var w) && w.Rank == 2 && w.Size(0) == o.HiddenSize && w.Size(1) == cpp)
            fixedState[pw] = w.Contiguous().Reshape(o.HiddenSize, o.InChannels, o.PatchSize, o.PatchSize);
        try
        {
            using (MixFlow.Tensors.Autograd.GradMode.NoGrad()) model.LoadStateDict(fixedState, strict: true);
        }
        catch (ArgumentException e)
        {
            var hints = new List<string>();
            if (state.TryGetValue("final_layer.linear.weight", out var fl))
            {
                int pp = o.PatchSize * o.PatchSize;
                if (fl.Size(0) == pp * 2 * o.InChannels && !o.LearnSigma) hints.Add("the checkpoint has learn_sigma outputs: set LearnSigma = true");
                if (fl.Size(0) == pp * o.InChannels && o.LearnSigma) hints.Add("the checkpoint has no learn_sigma outputs: set LearnSigma = false");
            }
            if (state.TryGetValue("y_embedder.embedding_table.weight", out var yt) && yt.Size(0) != o.NumClasses + (o.HasNullClass ? 1 : 0))
                hints.Add($"the label table has {yt.Size(0)} rows, the model expects {o.NumClasses + (o.HasNullClass ? 1 : 0)} (NumClasses + null row)");
            throw new ArgumentException($"SiTCheckpoint.LoadOfficial: the checkpoint does not fit the model: {e.Message}{(hints.Count > 0 ? " Hint: " + string.Join("; ", hints) : "")}", e);
        }
    }
}
