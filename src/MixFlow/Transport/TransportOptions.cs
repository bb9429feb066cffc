namespace MixFlow.Transport;

/// <summary>
/// How a transport trains and samples: the path, what the network predicts, the loss weighting and the time epsilons.
/// </summary>
/// <remarks>
/// Epsilons (SiT's rules, t = 1 data): a null <see cref="TrainEps"/>/<see cref="SampleEps"/> resolves to
/// VP: train 1e-5, sample 1e-3; Linear/GVP with noise or score prediction: 1e-3 and 1e-3; otherwise 0.
/// The resolved interval is <see cref="FlowTransport.TrainInterval"/> / <see cref="FlowTransport.OdeSampleInterval"/>; training
/// times drawn in [0, 1] are mapped affinely into it (t ↦ t0 + (t1 − t0)·t), which keeps the shape of the time
/// distribution and avoids the singular ends.
/// </remarks>
/// <param name="Path">The interpolation path (default <see cref="PathKind.Linear"/>).</param>
/// <param name="Prediction">What the network outputs (default <see cref="PredictionType.Velocity"/>).</param>
/// <param name="Weighting">Loss weighting for noise/score prediction (default <see cref="LossWeighting.None"/>).</param>
/// <param name="TrainEps">Training epsilon, ≥ 0 and &lt; 0.5; null = the path's default (see remarks).</param>
/// <param name="SampleEps">Sampling epsilon, ≥ 0 and &lt; 0.5; null = the path's default (see remarks).</param>
public sealed record TransportOptions(
    PathKind Path = PathKind.Linear,
    PredictionType Prediction = PredictionType.Velocity,
    LossWeighting Weighting = LossWeighting.None,
    double? TrainEps = null,
    double? SampleEps = null)
{
    /// <summary>Checks the option values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An epsilon is outside [0, 0.5) or an enum value is undefined.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Path)) throw new ArgumentOutOfRangeException(nameof(Path), $"TransportOptions.Path: {Path} is not one of {string.Join(", ", Enum.GetNames<PathKind>())}");
        if (!Enum.IsDefined(Prediction)) throw new ArgumentOutOfRangeException(nameof(Prediction), $"TransportOptions.Prediction: {Prediction} is not one of {string.Join(", ", Enum.GetNames<PredictionType>())}");
        if (!Enum.IsDefined(Weighting)) throw new ArgumentOutOfRangeException(nameof(Weighting), $"TransportOptions.Weighting: {Weighting} is not one of {string.Join(", ", Enum.GetNames<LossWeighting>())}");
        if (TrainEps is { } te && !(te >= 0 && te < 0.5)) throw new ArgumentOutOfRangeException(nameof(TrainEps), $"TransportOptions.TrainEps must be in [0, 0.5), got {te}");
        if (SampleEps is { } se && !(se >= 0 && se < 0.5)) throw new ArgumentOutOfRangeException(nameof(SampleEps), $"TransportOptions.SampleEps must be in [0, 0.5), got {se}");
    }
}
