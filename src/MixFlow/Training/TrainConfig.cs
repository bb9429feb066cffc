using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// The full, typed configuration of a training or post-training run, as assembled from a YAML file and command-line
/// flags (see <see cref="TrainConfigKeys"/> for the key names, the parsing and the allowed values). It is stored in
/// every checkpoint's <c>state.json</c> so that a run can be resumed or continued exactly. Immutable: derive changed
/// copies with <c>with</c> or <see cref="TrainConfigKeys.Apply(TrainConfig, string, string)"/>.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Training data (default <c>fmnist</c>, Fashion-MNIST).</summary>
    public DataSpec Data { get; init; } = new(DataKind.FashionMnist, null);

    /// <summary>Model preset name; null picks the default for the data (a flow MLP for 2-D sets, a small SiT for images).</summary>
    public string? Model { get; init; }

    /// <summary>Objective (default flow matching).</summary>
    public ObjectiveKind Objective { get; init; } = ObjectiveKind.FlowMatching;

    /// <summary>MixFlow slowing range γ ∈ [0, 1] (default 0.8, the paper's choice; 0 is flow matching); only used by <see cref="ObjectiveKind.MixFlow"/>.</summary>
    public double Gamma { get; init; } = 0.8;

    /// <summary>MixFlow regression target (default the slowed velocity, as in the paper).</summary>
    public MixFlowTarget MixFlowTarget { get; init; } = MixFlowTarget.SlowedVelocity;

    /// <summary>Input-perturbation strength (default 0.1); only used by <see cref="ObjectiveKind.InputPerturbation"/>.</summary>
    public double Perturbation { get; init; } = 0.1;

    /// <summary>
    /// Distribution of training times; null (the default, spelt <c>auto</c>) means the objective's own default:
    /// Beta(2, 1) for MixFlow (the paper's recipe), uniform for flow matching and input perturbation
    /// (see <see cref="EffectiveTimeSampler"/>).
    /// </summary>
    public TimeSamplerSpec? TimeSampler { get; init; }

    /// <summary>The time distribution actually used: <see cref="TimeSampler"/>, or the objective's default when it is null.</summary>
    public TimeSamplerSpec EffectiveTimeSampler => TimeSampler ?? TimeSamplerSpec.DefaultFor(Objective);

    /// <summary>
    /// The configuration of a post-training run from this (parent) configuration with <paramref name="objective"/>:
    /// everything is kept, except that the time distribution goes back to the new objective's default (<c>auto</c>)
    /// when the objective changes — post-training a flow-matching model with MixFlow draws t ~ Beta(2, 1) as the paper
    /// does, while standard post-training (same objective) keeps the parent's distribution. Explicit settings applied
    /// afterwards override this.
    /// </summary>
    /// <remarks>Switching an RAE latent model (<c>rae-*</c>) to MixFlow also sets γ to the RAE value 0.4
    /// (<see cref="MixFlow.Representation.RaeDefaults.Gamma"/>); an explicit <c>gamma</c> applied afterwards wins.</remarks>
    public TrainConfig ForPostTraining(ObjectiveKind objective) =>
        this with
        {
            Objective = objective,
            TimeSampler = objective == Objective ? TimeSampler : null,
            Gamma = objective == ObjectiveKind.MixFlow && Objective != ObjectiveKind.MixFlow && MixFlow.Representation.RepresentationModels.IsRae(Model)
                ? new MixFlow.Representation.RaeDefaults().Gamma : Gamma,
        };

    /// <summary>
    /// Representation encoder file (a <c>CnnPatchEncoder</c> from <c>mixflow train-encoder</c>); required by the
    /// <c>repa-*</c> and <c>rae-*</c> models, null otherwise (default). Stored as a full path in checkpoints.
    /// </summary>
    public string? Encoder { get; init; }

    /// <summary>RAE pixel decoder file (from <c>mixflow train-decoder</c>); required by the <c>rae-*</c> models, null otherwise (default).</summary>
    public string? Decoder { get; init; }

    /// <summary>Weight λ ≥ 0 of the REPA alignment loss of <c>repa-*</c> models (default 0.5, as in REPA).</summary>
    public double RepaLambda { get; init; } = 0.5;

    /// <summary>Block k (1-based) whose hidden tokens REPA aligns; null (default, spelt <c>auto</c>) is depth / 3.</summary>
    public int? RepaDepth { get; init; }

    /// <summary>Total optimizer steps of the run (default 2000); a resumed run continues up to this count.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Samples per step (default 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Peak learning rate (default 1e-3).</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>AdamW decoupled weight decay (default 0).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Linear learning-rate warm-up steps (default 0: constant rate from the first step).</summary>
    public int Warmup { get; init; }

    /// <summary>EMA decay of the weights (default 0.999; 0 makes the EMA a copy of the weights).</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Global gradient-norm clip (default 1.0; 0 disables clipping).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Seed of every random stream of the run (default 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>Output directory (checkpoints, metrics.jsonl, previews; default <c>runs/train</c>).</summary>
    public string Out { get; init; } = "runs/train";

    /// <summary>Log a line / a metrics record every this many steps (default 50).</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Write a preview image every this many steps (default 500; 0 disables).</summary>
    public int SampleEvery { get; init; } = 500;

    /// <summary>Write a checkpoint every this many steps (default 500; 0: only at the end). A final checkpoint is always written.</summary>
    public int CkptEvery { get; init; } = 500;

    /// <summary>Number of most recent checkpoints kept (default 3).</summary>
    public int Keep { get; init; } = 3;

    /// <summary>Engine threads (default 0: all processors).</summary>
    public int Threads { get; init; }

    /// <summary>Steps with a non-finite loss or gradient are skipped; the run aborts after this many in total (default 20).</summary>
    public int MaxNonFinite { get; init; } = 20;
}
