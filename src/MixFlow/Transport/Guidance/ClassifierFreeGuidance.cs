using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Classifier-free guidance as a model wrapper: one batched call of the conditional model on
/// concat(x, x) with labels concat(y, null) (null label = <see cref="IFlowModel.NumClasses"/>), then
/// out = u + w·(c − u) for samples whose time lies in [tMin, tMax] and out = c outside (w = 1 there; when no sample is
/// inside, only the conditional half is evaluated). Linear in the prediction, so valid for every prediction type.
/// </summary>
public sealed class ClassifierFreeGuidance : IFlowModel
{
    /// <summary>Wraps a conditional model.</summary>
    /// <param name="model">A class-conditional network (NumClasses &gt; 0) trained with label dropout.</param>
    /// <param name="scale">Guidance scale w ≥ 0 (1 = no guidance).</param>
    /// <param name="tMin">Start of the guidance interval (default 0).</param>
    /// <param name="tMax">End of the guidance interval (default 1); tMin ≤ tMax.</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative scale, interval outside [0, 1] or tMin &gt; tMax.</exception>
    /// <exception cref="ArgumentException">The model is unconditional.</exception>
    public ClassifierFreeGuidance(IFlowModel model, double scale, double tMin = 0, double tMax = 1)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model), "ClassifierFreeGuidance: a model is required");
        if (model.NumClasses <= 0) throw new ArgumentException($"ClassifierFreeGuidance: the model must be class-conditional (NumClasses > 0), got NumClasses = {model.NumClasses}", nameof(model));
        if (!(scale >= 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"ClassifierFreeGuidance: scale must be a finite value ≥ 0, got {scale}");
        if (!(tMin >= 0 && tMin <= 1)) throw new ArgumentOutOfRangeException(nameof(tMin), $"ClassifierFreeGuidance: tMin must be in [0, 1], got {tMin}");
        if (!(tMax >= 0 && tMax <= 1)) throw new ArgumentOutOfRangeException(nameof(tMax), $"ClassifierFreeGuidance: tMax must be in [0, 1], got {tMax}");
        if (tMin > tMax) throw new ArgumentOutOfRangeException(nameof(tMin), $"ClassifierFreeGuidance: tMin ({tMin}) must be ≤ tMax ({tMax})");
        Scale = scale; TMin = tMin; TMax = tMax;
    }

    /// <summary>The wrapped network.</summary>
    public IFlowModel Model { get; }

    /// <summary>Guidance scale w.</summary>
    public double Scale { get; }

    /// <summary>Start of the guidance interval.</summary>
    public double TMin { get; }

    /// <summary>End of the guidance interval.</summary>
    public double TMax { get; }

    /// <inheritdoc/>
    public int NumClasses => Model.NumClasses;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Labels are missing, of the wrong length or out of range.</exception>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        if (x.Rank < 1) throw new ArgumentException("ClassifierFreeGuidance.Forward: states must be [B, …]");
        int b = x.Size(0);
        if (labels is null || labels.Length != b) throw new ArgumentException($"ClassifierFreeGuidance.Forward: {b} class labels are required, got {(labels is null ? "none" : labels.Length.ToString())}");
        foreach (var l in labels)
            if (l < 0 || l > NumClasses) throw new ArgumentException($"ClassifierFreeGuidance.Forward: label {l} is outside [0, {NumClasses}] (NumClasses = {NumClasses} is the null label)");
        var tv = InterpolationPath.TimeValues(t, x, "ClassifierFreeGuidance.Forward");
        var w = new float[b];
        bool any = false;
        for (int i = 0; i < b; i++)
        {
            bool inside = tv[i] >= TMin && tv[i] <= TMax;
            w[i] = inside ? (float)Scale : 1f;
            any |= inside;
        }
        if (!any) return Model.Forward(x, t, labels);
        var both = new int[2 * b];
        labels.CopyTo(both, 0);
        Array.Fill(both, NumClasses, b, b);
        var y = Model.Forward(Tensor.Concat([x, x], 0), Tensor.Concat([t, t], 0), both);
        if (y.Rank < 1 || y.Size(0) != 2 * b) throw new InvalidOperationException($"ClassifierFreeGuidance.Forward: the model returned {TensorShape.Format(y.Shape)} for a doubled batch of {2 * b}");
        var c = y.Slice(0, 0, b);
        var u = y.Slice(0, b, 2 * b);
        return u + Tensor.FromArray(w, InterpolationPath.BroadcastShape(b, y.Rank)) * (c - u);
    }
}
