using MixFlow.Models;

namespace MixFlow.Representation;

/// <summary>
/// The fixed, seeded recipe of <see cref="RepresentationEncoderTrainer"/>: the <see cref="ClassifierCnn"/> is trained as
/// a classifier with AdamW on cross-entropy for a short run, then the token statistics are measured.
/// </summary>
public sealed record RepresentationEncoderRecipe
{
    /// <summary>Passes over the training set (ignored when <see cref="MaxSteps"/> is set). Default 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>When set, the number of optimisation steps instead of <see cref="Epochs"/>. Default null.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Images per step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>AdamW learning rate (constant). Default 2e-3.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>AdamW decoupled weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Seed of the initialisation and of the data order. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Channels of the three convolutions (the last is the token width). Default (32, 64, 128).</summary>
    public int[] Channels { get; init; } = [32, 64, 128];

    /// <summary>Images used for the token statistics (the first ones of the set). Default 10 000.</summary>
    public int StatsSamples { get; init; } = 10_000;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"RepresentationEncoderRecipe: {m}");
        if (Epochs < 1) Fail($"Epochs must be >= 1 (got {Epochs})");
        if (MaxSteps is < 1) Fail($"MaxSteps must be >= 1 when set (got {MaxSteps})");
        if (BatchSize < 1) Fail($"BatchSize must be >= 1 (got {BatchSize})");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"LearningRate must be a finite value > 0 (got {LearningRate})");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) Fail($"WeightDecay must be a finite value >= 0 (got {WeightDecay})");
        if (Channels is null || Channels.Length != 3 || Channels.Any(c => c < 1)) Fail($"Channels must hold three positive counts (got {(Channels is null ? "null" : string.Join(", ", Channels))})");
        if (StatsSamples < 1) Fail($"StatsSamples must be >= 1 (got {StatsSamples})");
    }
}
