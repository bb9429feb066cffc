using System.Globalization;
using System.Text;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Training;

namespace MixFlow.Experiments;

/// <summary>
/// Settings of a replication experiment (<see cref="ExperimentRunner"/>). Start from <see cref="ForScale"/> and
/// override with <c>with</c>. Every value that affects a result enters the config hash of the stages it affects.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>Which experiment.</summary>
    public ExperimentKind Kind { get; init; }

    /// <summary>The preset the values came from (recorded in the report).</summary>
    public ExperimentScale Scale { get; init; } = ExperimentScale.Small;

    /// <summary>Run directory; each stage writes into <c>&lt;RunDirectory&gt;/&lt;stage&gt;/</c>.</summary>
    public string RunDirectory { get; init; } = "runs/experiment";

    /// <summary>Toy distribution of the 2-D experiment (default checkerboard).</summary>
    public Toy2D Toy { get; init; } = Toy2D.Checkerboard;

    /// <summary>Model preset (<see cref="ModelPresets"/>).</summary>
    public string Model { get; init; } = ModelPresets.DefaultImages;

    /// <summary>Pretraining optimizer steps.</summary>
    public int PretrainSteps { get; init; } = 1000;

    /// <summary>Post-training optimizer steps of every variant.</summary>
    public int PosttrainSteps { get; init; } = 250;

    /// <summary>Samples per step (pretraining and post-training).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW learning rate (pretraining and post-training).</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps of the pretraining (post-training continues at the full rate).</summary>
    public int Warmup { get; init; } = 100;

    /// <summary>EMA decay; the EMA weights are evaluated.</summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Gradient-norm clip.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Seed of the pretraining (initialisation, data order, noise).</summary>
    public ulong Seed { get; init; }

    /// <summary>Seed of every post-training run (the same for all variants: same batches and noise).</summary>
    public ulong PosttrainSeed { get; init; } = 1;

    /// <summary>Post-training continues from the pretraining's AdamW moments (same optimizer state), default true.</summary>
    public bool KeepOptimizer { get; init; } = true;

    /// <summary>Checkpoint interval of training stages (resume granularity).</summary>
    public int CkptEvery { get; init; } = 100;

    /// <summary>Samples per evaluation cell (balanced labels for the class-conditional model).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Samples per sampler call.</summary>
    public int EvalBatchSize { get; init; } = 250;

    /// <summary>Noise seed of every evaluation cell (common random numbers across cells).</summary>
    public ulong EvalSeed { get; init; } = 2024;

    /// <summary>NFE budgets of the unguided Euler/Heun grid (even numbers: Heun uses NFE / 2 steps).</summary>
    public IReadOnlyList<int> Nfes { get; init; } = [10, 20, 50];

    /// <summary>Classifier-free guidance scale of the guided cells (images only).</summary>
    public double GuidanceScale { get; init; } = 1.5;

    /// <summary>NFE budgets evaluated with guidance (Euler and Heun; empty: none).</summary>
    public IReadOnlyList<int> GuidanceNfes { get; init; } = [20];

    /// <summary>Samplers of the guided cells (default Euler and Heun).</summary>
    public IReadOnlyList<EvalSamplerKind> GuidanceSamplers { get; init; } = [EvalSamplerKind.Euler, EvalSamplerKind.Heun];

    /// <summary>NFE budgets of the sampling-time rivals (epsilon scaling, time shift) on variant (a).</summary>
    public IReadOnlyList<int> RivalNfes { get; init; } = [10, 20];

    /// <summary>Epsilon-scaling λ.</summary>
    public double EpsilonLambda { get; init; } = 1.005;

    /// <summary>Trajectories of the Slow-Flow diagnostic.</summary>
    public int SlowFlowSamples { get; init; } = 200;

    /// <summary>Euler steps of the Slow-Flow diagnostic.</summary>
    public int SlowFlowSteps { get; init; } = 10;

    /// <summary>Test points of the 2-D negative log-likelihood.</summary>
    public int NllSamples { get; init; } = 1000;

    /// <summary>RK4 steps of the 2-D likelihood ODE.</summary>
    public int NllSteps { get; init; } = 100;

    /// <summary>Feature-network cache folder (null: <see cref="FeatureNetworkCache.DefaultDirectory"/>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Feature-network recipe (null: the default recipe; tests inject a tiny one).</summary>
    public FeatureNetworkRecipe? FeatureRecipe { get; init; }

    /// <summary>Engine threads (0: all processors).</summary>
    public int Threads { get; init; }

    /// <summary>True for the image experiment.</summary>
    public bool IsImages => Kind == ExperimentKind.FashionMnist;

    /// <summary>The preset values of a scale (see the XML docs of each property for its meaning).</summary>
    /// <param name="kind">Experiment.</param>
    /// <param name="scale">Size preset.</param>
    /// <param name="runDirectory">Run directory, or null for <c>runs/experiment-&lt;name&gt;</c>.</param>
    public static ExperimentOptions ForScale(ExperimentKind kind, ExperimentScale scale, string? runDirectory = null)
    {
        string dir = runDirectory ?? Path.Combine("runs", "experiment-" + Name(kind));
        if (kind == ExperimentKind.FashionMnist)
            return scale switch
            {
                ExperimentScale.Smoke => new ExperimentOptions
                {
                    Kind = kind, Scale = scale, RunDirectory = dir, PretrainSteps = 4, PosttrainSteps = 2, BatchSize = 8, Warmup = 0,
                    CkptEvery = 2, Samples = 20, EvalBatchSize = 10, Nfes = [2, 4], GuidanceNfes = [2], RivalNfes = [2],
                    SlowFlowSamples = 8, SlowFlowSteps = 4,
                },
                ExperimentScale.Small => new ExperimentOptions
                {
                    Kind = kind, Scale = scale, RunDirectory = dir, PosttrainSteps = 200, Samples = 500, GuidanceSamplers = [EvalSamplerKind.Euler],
                },
                _ => new ExperimentOptions
                {
                    Kind = kind, Scale = scale, RunDirectory = dir, PretrainSteps = 40000, PosttrainSteps = 10000, BatchSize = 128,
                    Warmup = 1000, EmaDecay = 0.999, CkptEvery = 1000, Samples = 10000, GuidanceNfes = [10, 20, 50], RivalNfes = [10, 20, 50],
                    SlowFlowSamples = 1000,
                },
            };
        var toy = new ExperimentOptions { Kind = kind, Scale = scale, RunDirectory = dir, Model = ModelPresets.DefaultPoints, GuidanceNfes = [] };
        return scale switch
        {
            ExperimentScale.Smoke => toy with
            {
                PretrainSteps = 30, PosttrainSteps = 10, BatchSize = 64, Warmup = 0, CkptEvery = 10, Samples = 200, EvalBatchSize = 100,
                Nfes = [2, 4], RivalNfes = [2], SlowFlowSamples = 16, SlowFlowSteps = 4, NllSamples = 40, NllSteps = 4, Model = "flow-mlp-s",
            },
            ExperimentScale.Small => toy with
            {
                PretrainSteps = 4000, PosttrainSteps = 1000, BatchSize = 256, Warmup = 100, EmaDecay = 0.995, CkptEvery = 500,
                Samples = 4000, EvalBatchSize = 1000, SlowFlowSamples = 1000,
            },
            _ => toy with
            {
                PretrainSteps = 20000, PosttrainSteps = 5000, BatchSize = 512, Warmup = 500, EmaDecay = 0.999, CkptEvery = 1000,
                Samples = 10000, EvalBatchSize = 2000, RivalNfes = [10, 20, 50], SlowFlowSamples = 2000, NllSamples = 5000,
            },
        };
    }

    /// <summary>Command-line name of an experiment: <c>fmnist</c> or <c>toy2d</c>.</summary>
    public static string Name(ExperimentKind kind) => kind == ExperimentKind.FashionMnist ? "fmnist" : "toy2d";

    /// <summary>The data specification of the experiment.</summary>
    public DataSpec Data => IsImages ? new DataSpec(DataKind.FashionMnist, null) : new DataSpec(DataKind.Toy, ToyName(Toy));

    /// <summary>The <c>toy:&lt;name&gt;</c> argument of a toy kind.</summary>
    public static string ToyName(Toy2D kind) => kind switch
    {
        Toy2D.EightGaussians => "8gaussians",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option (as its command-line flag).</exception>
    public void Validate()
    {
        static void Fail(string flag, string msg) => throw new ArgumentException($"experiment: --{flag} {msg}");
        if (string.IsNullOrWhiteSpace(RunDirectory)) Fail("out", "must be a directory name");
        if (PretrainSteps < 1) Fail("pretrain-steps", $"must be >= 1 (got {PretrainSteps})");
        if (PosttrainSteps < 1) Fail("posttrain-steps", $"must be >= 1 (got {PosttrainSteps})");
        if (BatchSize < 2) Fail("batch-size", $"must be >= 2 (got {BatchSize})");
        if (!(Lr > 0) || !double.IsFinite(Lr)) Fail("lr", $"must be a finite number > 0 (got {Lr})");
        if (Warmup < 0) Fail("warmup", $"must be >= 0 (got {Warmup})");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) Fail("ema-decay", $"must be in [0, 1) (got {EmaDecay})");
        if (CkptEvery < 1) Fail("ckpt-every", $"must be >= 1 (got {CkptEvery})");
        int minSamples = IsImages ? 11 : 2;
        if (Samples < minSamples) Fail("samples", $"must be >= {minSamples} (got {Samples})");
        if (IsImages && Samples % 10 != 0) Fail("samples", $"must be a multiple of 10 for equal labels per class (got {Samples})");
        if (EvalBatchSize < 2) Fail("eval-batch", $"must be >= 2 (got {EvalBatchSize})");
        if (Nfes.Count == 0) Fail("nfe", "needs at least one budget");
        foreach (var n in Nfes.Concat(GuidanceNfes).Concat(RivalNfes))
            if (n < 2 || n % 2 != 0) Fail("nfe", $"budgets must be even numbers >= 2 (Heun uses NFE/2 steps); got {n}");
        if (!(GuidanceScale >= 0) || !double.IsFinite(GuidanceScale)) Fail("cfg", $"must be a finite number >= 0 (got {GuidanceScale})");
        if (!IsImages && GuidanceNfes.Count > 0) Fail("cfg-nfe", "the 2-D experiment is unconditional (no guidance)");
        foreach (var k in GuidanceSamplers)
            if (k is not (EvalSamplerKind.Euler or EvalSamplerKind.Heun)) Fail("cfg-sampler", $"guided cells use euler or heun (got {k})");
        if (!(EpsilonLambda >= 1) || !double.IsFinite(EpsilonLambda)) Fail("eps-lambda", $"must be a finite number >= 1 (got {EpsilonLambda})");
        if (SlowFlowSamples < 2) Fail("slowflow-samples", $"must be >= 2 (got {SlowFlowSamples})");
        if (SlowFlowSteps < 1) Fail("slowflow-steps", $"must be >= 1 (got {SlowFlowSteps})");
        if (NllSamples < 1) Fail("nll-samples", $"must be >= 1 (got {NllSamples})");
        if (NllSteps < 1) Fail("nll-steps", $"must be >= 1 (got {NllSteps})");
        if (Threads < 0) Fail("threads", $"must be >= 0 (got {Threads})");
    }

    /// <summary>Canonical text of the training settings (part of the training stages' config hashes).</summary>
    public string TrainingText() => string.Create(CultureInfo.InvariantCulture,
        $"kind={Name(Kind)};data={Data};model={Model};pretrain={PretrainSteps};post={PosttrainSteps};batch={BatchSize};lr={Lr:R};warmup={Warmup};ema={EmaDecay:R};clip={GradClip:R};seed={Seed};postseed={PosttrainSeed};keepopt={KeepOptimizer}");

    /// <summary>Canonical text of the evaluation settings shared by all cells.</summary>
    public string EvalText()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"n={Samples};evalseed={EvalSeed};lambda={EpsilonLambda:R}");
        if (!IsImages) sb.Append(CultureInfo.InvariantCulture, $";nll={NllSamples}x{NllSteps}");
        else sb.Append(";recipe=").Append((FeatureRecipe ?? new FeatureNetworkRecipe()).CanonicalText());
        return sb.ToString();
    }
}
