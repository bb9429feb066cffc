namespace MixFlow.Experiments;

/// <summary>Size preset of a replication experiment (<see cref="ExperimentOptions.ForScale"/>).</summary>
public enum ExperimentScale
{
    /// <summary>Seconds: a handful of steps and samples, for tests of the pipeline (numbers are meaningless).</summary>
    Smoke,
    /// <summary>What a shared 2-core machine can run in well under an hour (reduced budgets and sample counts).</summary>
    Small,
    /// <summary>The design: long pretraining, 10 000 samples per evaluation cell, the full guidance grid.</summary>
    Full,
}

/// <summary>Which replication experiment.</summary>
public enum ExperimentKind
{
    /// <summary>Class-conditional small SiT on Fashion-MNIST 28×28 (image metrics).</summary>
    FashionMnist,
    /// <summary>Unconditional flow MLP on a 2-D toy distribution (sliced W2, MMD², test NLL).</summary>
    Toy2D,
}

/// <summary>How an evaluation cell integrates the ODE.</summary>
public enum EvalSamplerKind
{
    /// <summary>Euler, steps = NFE.</summary>
    Euler,
    /// <summary>Heun (two network evaluations per step), steps = NFE / 2.</summary>
    Heun,
    /// <summary>Euler with epsilon scaling of the noise prediction (sampling-time rival), steps = NFE.</summary>
    EpsilonScaling,
    /// <summary>Time-shift sampler (Euler with re-estimated network times; sampling-time rival), steps = NFE.</summary>
    TimeShift,
}
