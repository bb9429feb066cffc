using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>
/// Autoguidance (Karras et al., 2024) as a model wrapper: out = g + w·(f − g), with f the main model and g a weaker
/// (smaller or less trained) version of it, both called with the same inputs and labels.
/// </summary>
public sealed class AutoGuidance : IFlowModel
{
    /// <summary>Wraps a main and a weak model.</summary>
    /// <param name="model">The main network f.</param>
    /// <param name="weakModel">The weak network g (same prediction type and classes).</param>
    /// <param name="scale">w ≥ 0 (1 = the main model alone).</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative scale.</exception>
    /// <exception cref="ArgumentException">The models have different NumClasses.</exception>
    public AutoGuidance(IFlowModel model, IFlowModel weakModel, double scale)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model), "AutoGuidance: a model is required");
        WeakModel = weakModel ?? throw new ArgumentNullException(nameof(weakModel), "AutoGuidance: a weak model is required");
        if (!(scale >= 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"AutoGuidance: scale must be a finite value ≥ 0, got {scale}");
        if (model.NumClasses != weakModel.NumClasses) throw new ArgumentException($"AutoGuidance: the models disagree on NumClasses ({model.NumClasses} vs {weakModel.NumClasses})", nameof(weakModel));
        Scale = scale;
    }

    /// <summary>The main network.</summary>
    public IFlowModel Model { get; }

    /// <summary>The weak network.</summary>
    public IFlowModel WeakModel { get; }

    /// <summary>w.</summary>
    public double Scale { get; }

    /// <inheritdoc/>
    public int NumClasses => Model.NumClasses;

    /// <inheritdoc/>
    public Tensor Forward(Tensor x, Tensor t, int[]? labels)
    {
        var f = Model.Forward(x, t, labels);
        var g = WeakModel.Forward(x, t, labels);
        return g + (f - g) * (float)Scale;
    }
}
