namespace MixFlow.Representation;

/// <summary>The fixed, seeded recipe of <see cref="RaeDecoderTrainer"/> (AdamW, constant learning rate).</summary>
public sealed record RaeDecoderRecipe
{
    /// <summary>Passes over the training set (ignored when <see cref="MaxSteps"/> is set). Default 2.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>When set, the number of steps instead of <see cref="Epochs"/>. Default null.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Images per step. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW learning rate. Default 2e-3.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>AdamW decoupled weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Seed of the initialisation, data order and noise augmentation. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Decoder refinement channels (<c>RaeDecoderOptions.HiddenChannels</c>). Default 32.</summary>
    public int HiddenChannels { get; init; } = 32;

    /// <summary>Weight of the L1 term added to the pixel MSE (0 = MSE only). Default 0.</summary>
    public double L1Weight { get; init; }

    /// <summary>
    /// Noise augmentation (RAE): each sample's tokens get σ·std_d·ε with σ = |N(0, 1)|·NoiseScale and std_d the token
    /// statistics, so the decoder tolerates the imprecise latents a diffusion model produces. Default 0 (off).
    /// </summary>
    public double NoiseScale { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        void Fail(string m) => throw new ArgumentException($"RaeDecoderRecipe: {m}");
        if (Epochs < 1) Fail($"Epochs must be >= 1 (got {Epochs})");
        if (MaxSteps is < 1) Fail($"MaxSteps must be >= 1 when set (got {MaxSteps})");
        if (BatchSize < 1) Fail($"BatchSize must be >= 1 (got {BatchSize})");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) Fail($"LearningRate must be a finite value > 0 (got {LearningRate})");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) Fail($"WeightDecay must be a finite value >= 0 (got {WeightDecay})");
        if (HiddenChannels < 1) Fail($"HiddenChannels must be >= 1 (got {HiddenChannels})");
        if (!(L1Weight >= 0) || double.IsInfinity(L1Weight)) Fail($"L1Weight must be a finite value >= 0 (got {L1Weight})");
        if (!(NoiseScale >= 0) || double.IsInfinity(NoiseScale)) Fail($"NoiseScale must be a finite value >= 0 (got {NoiseScale})");
    }
}
