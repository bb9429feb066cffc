using System.Diagnostics;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Tensors.Nn;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Experiments;

/// <summary>
/// The replication experiment of issue 6 as resumable stages in one run directory: pretraining, four post-training
/// runs from the pretrained checkpoint (flow matching, MixFlow γ 0.8 and 0.4, input perturbation 0.1), evaluation
/// cells of the EMA weights of each and of the pretrained model (Euler and Heun at each NFE budget, optional guidance,
/// sampling-time rivals on the flow-matching post-train), the Slow-Flow diagnostic of (a), (b) and (e), and a
/// <c>report.md</c>/<c>report.json</c> (rewritten after every stage, so a partial run reports what finished).
/// </summary>
/// <remarks>
/// A finished stage has <c>stage.json</c> with the hash of its configuration and is skipped on a rerun with the same
/// settings; a changed configuration redoes it (the old directory is moved aside). Training stages resume from their
/// latest checkpoint when its stored configuration matches. Evaluation cells are ordered cheapest first (NFE budgets
/// ascending; the largest budget last) so that an interrupted run still covers the whole comparison at low NFE.
/// </remarks>
public sealed class ExperimentRunner
{
    /// <summary>Stage name of the pretraining.</summary>
    public const string PretrainStage = "pretrain";

    /// <summary>Stage name of the Slow-Flow diagnostic.</summary>
    public const string SlowFlowStage = "slowflow";

    /// <summary>File in the run directory describing the feature network used by the image metrics.</summary>
    public const string FeatureNetworkFile = "feature-network.txt";

    /// <summary>Variants shown in the Slow-Flow plots.</summary>
    public static IReadOnlyList<string> SlowFlowVariants { get; } = ["a", "b", "e"];

    /// <summary>
    /// Configuration keys that do not change the training trajectory up to a given step. <c>steps</c> is one of them: the
    /// learning-rate schedule (linear warm-up, then constant) and everything else in a step depend on the step index,
    /// never on the total, so a checkpoint at step k of a run configured for more steps is the same state as step k of a
    /// run configured for k steps (see <see cref="MatchingCheckpoint"/>: it is adopted only when k does not exceed the wanted total).
    /// </summary>
    private static readonly HashSet<string> TrajectoryNeutralKeys = ["out", "log-every", "keep", "threads", "sample-every", "ckpt-every", "steps"];

    private readonly ExperimentOptions _o;
    private readonly IExperimentHost _host;
    private readonly string _command;
    private readonly StageStore _store;
    private readonly Dictionary<string, (Module Model, int[] Shape)> _models = new();
    private Evaluator? _evaluator;
    private double? _dataVariance;
    private long _parameters;

    /// <summary>Creates a runner.</summary>
    /// <param name="options">Settings (validated here).</param>
    /// <param name="host">Messages and progress (null: silent).</param>
    /// <param name="command">The command line to record in the report.</param>
    /// <exception cref="ArgumentException">Invalid options; the message names the option.</exception>
    public ExperimentRunner(ExperimentOptions options, IExperimentHost? host = null, string? command = null)
    {
        _o = options ?? throw new ArgumentNullException(nameof(options), "ExperimentRunner: options are required");
        _o.Validate();
        _host = host ?? new PlainExperimentHost();
        _command = command ?? "";
        _store = new StageStore(_o.RunDirectory);
    }

    /// <summary>The stage bookkeeping of the run directory.</summary>
    public StageStore Store => _store;

    /// <summary>The variants of the experiment.</summary>
    public static IReadOnlyList<ExperimentVariant> Variants => ExperimentVariant.Standard;

    /// <summary>The evaluation cells in execution order.</summary>
    public IReadOnlyList<EvalCellSpec> Cells()
    {
        var list = new List<EvalCellSpec>();
        var nfes = _o.Nfes.Distinct().OrderBy(n => n).ToList();
        int max = nfes[^1];
        foreach (int n in nfes.Where(n => n != max || nfes.Count == 1)) AddBudget(list, n);
        if (nfes.Count > 1) AddBudget(list, max);
        return list;
    }

    private void AddBudget(List<EvalCellSpec> list, int n)
    {
        foreach (var v in Variants)
        {
            list.Add(new EvalCellSpec(v.Id, EvalSamplerKind.Euler, n, 1));
            list.Add(new EvalCellSpec(v.Id, EvalSamplerKind.Heun, n, 1));
        }
        if (_o.IsImages && _o.GuidanceNfes.Contains(n))
            foreach (var v in Variants)
                foreach (var k in _o.GuidanceSamplers.Distinct())
                    list.Add(new EvalCellSpec(v.Id, k, n, _o.GuidanceScale));
        if (_o.RivalNfes.Contains(n))
        {
            list.Add(new EvalCellSpec("a", EvalSamplerKind.EpsilonScaling, n, 1));
            list.Add(new EvalCellSpec("a", EvalSamplerKind.TimeShift, n, 1));
        }
    }

    /// <summary>All stages in execution order (the report is written after each).</summary>
    public IReadOnlyList<string> PlannedStages()
    {
        var s = new List<string> { PretrainStage };
        s.AddRange(Variants.Where(v => !v.IsPretrained).Select(v => v.Stage));
        if (!_o.IsImages) s.AddRange(Variants.Select(v => "nll-" + v.Id));
        var cells = Cells();
        int max = _o.Nfes.Max();
        bool hasLarge = _o.Nfes.Distinct().Count() > 1;
        foreach (var c in cells.Where(c => !hasLarge || c.Nfe != max)) s.Add(c.Stage);
        s.Add(SlowFlowStage);
        if (hasLarge) foreach (var c in cells.Where(c => c.Nfe == max)) s.Add(c.Stage);
        return s;
    }

    /// <summary>How often a runner retries a stage that another runner holds.</summary>
    public TimeSpan ClaimPoll { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The least time between two progress lines of an evaluation cell (default 2 min).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Writes "k / N samples, elapsed, time left" lines for a cell, at most one per interval.</summary>
    private sealed class SamplingProgress(IExperimentHost host, string stage, int total, Stopwatch clock, TimeSpan interval) : IProgress<int>
    {
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(int done)
        {
            var now = clock.Elapsed;
            if (done >= total || now - _last < interval) return;
            _last = now;
            double left = now.TotalSeconds * (total - done) / Math.Max(done, 1);
            host.Message(string.Create(CultureInfo.InvariantCulture, $"experiment: {stage}: {done} / {total} samples, {now.TotalMinutes:0.0} min, about {left / 60:0.0} min left"));
        }
    }

    /// <summary>
    /// Runs (or resumes) every stage and writes the report. Several runners (processes) may share one run directory:
    /// each stage is run under a <see cref="StageClaim"/>. A runner takes the stages in <see cref="PlannedStages"/>
    /// order, but passes over a stage that another runner holds and over a stage whose inputs (<see cref="Dependencies"/>)
    /// are not finished yet, and goes on with the next one it can run; after each stage it starts again from the
    /// first unfinished one. When it can run nothing, it waits. So two runners post-train two variants at once, and
    /// every runner returns with all stages finished (the last one writes the full report).
    /// </summary>
    /// <param name="cancel">Stops training at the next step (a checkpoint is written) and evaluation between cells.</param>
    /// <returns>The summary of the finished stages.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; finished stages stay finished.</exception>
    public ExperimentSummary Run(CancellationToken cancel = default)
    {
        if (_o.Threads > 0) Engine.Threads = _o.Threads;
        var cellsByStage = Cells().ToDictionary(c => c.Stage);
        var pending = PlannedStages().ToList(); // not yet seen finished by this runner, in planned order
        var announced = new HashSet<string>();
        bool waiting = false;
        while (pending.Count > 0)
        {
            cancel.ThrowIfCancellationRequested();
            string? ran = null;
            foreach (var stage in pending)
            {
                if (Dependencies(stage).Any(pending.Contains)) continue; // its inputs are not made yet (here or elsewhere)
                var claim = StageClaim.TryAcquire(_store.RunDirectory, stage);
                if (claim is null)
                {
                    if (announced.Add(stage)) _host.Message($"experiment: {stage} is being run by another runner; going on with other stages");
                    continue;
                }
                using (claim) RunStage(stage, cellsByStage, cancel); // a stage another runner finished is skipped inside
                WriteReport();
                ran = stage;
                break;
            }
            if (ran is not null) { pending.Remove(ran); waiting = false; continue; }
            if (!waiting) _host.Message($"experiment: waiting for another runner to finish {string.Join(", ", pending.Where(announced.Contains).Take(4))}");
            waiting = true;
            if (cancel.WaitHandle.WaitOne(ClaimPoll)) cancel.ThrowIfCancellationRequested();
        }
        return WriteReport();
    }

    /// <summary>
    /// The stages whose outputs <paramref name="stage"/> reads: pretraining for a post-training; the model's training
    /// stage for an evaluation cell, a 2-D NLL and the Slow-Flow diagnostic; and for a 2-D cell its variant's NLL.
    /// </summary>
    public IReadOnlyList<string> Dependencies(string stage)
    {
        if (stage == PretrainStage) return [];
        if (Variants.Any(v => v.Stage == stage)) return [PretrainStage];
        if (stage.StartsWith("nll-", StringComparison.Ordinal)) return [Variant(stage[4..]).Stage];
        if (stage == SlowFlowStage) return SlowFlowVariants.Select(id => Variant(id).Stage).Distinct().ToList();
        var cell = Cells().FirstOrDefault(c => c.Stage == stage)
                   ?? throw new ArgumentException($"experiment: '{stage}' is not a stage of this run", nameof(stage));
        string model = Variant(cell.Variant).Stage;
        return _o.IsImages ? [model] : [model, "nll-" + cell.Variant];
    }

    private void RunStage(string stage, Dictionary<string, EvalCellSpec> cellsByStage, CancellationToken cancel)
    {
        if (stage == PretrainStage) RunPretrain(cancel);
        else if (Variants.FirstOrDefault(v => v.Stage == stage) is { } v) RunPosttrain(v, cancel);
        else if (stage.StartsWith("nll-", StringComparison.Ordinal)) RunNll(stage[4..]);
        else if (stage == SlowFlowStage) RunSlowFlow();
        else RunCell(cellsByStage[stage]);
    }

    /// <summary>Collects the finished results and writes <c>report.md</c> and <c>report.json</c> into the run directory.</summary>
    public ExperimentSummary WriteReport()
    {
        var summary = Summarize();
        ExperimentReport.Write(summary, _store.RunDirectory);
        return summary;
    }

    // ---------------------------------------------------------------- configuration texts

    private string PretrainText() => "pretrain;" + _o.TrainingText();

    private string PosttrainText(ExperimentVariant v) => string.Create(CultureInfo.InvariantCulture,
        $"{v.Stage};objective={v.Objective};gamma={v.Gamma:R};perturbation={v.Perturbation:R};time={v.TimeSampler};parent={StageStore.Hash(PretrainText())}");

    private string TrainText(ExperimentVariant v) => v.IsPretrained ? PretrainText() : PosttrainText(v);

    private string CellText(EvalCellSpec c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.Stage};model={StageStore.Hash(TrainText(Variant(c.Variant)))};sampler={c.Sampler};nfe={c.Nfe};cfg={c.Cfg:R};{_o.EvalText()}");

    private string NllText(string v) => $"nll-{v};model={StageStore.Hash(TrainText(Variant(v)))};{_o.EvalText()}";

    private string SlowFlowText() => string.Create(CultureInfo.InvariantCulture,
        $"slowflow;models={string.Join(",", SlowFlowVariants.Select(v => StageStore.Hash(TrainText(Variant(v)))))};steps={_o.SlowFlowSteps};n={_o.SlowFlowSamples};seed={_o.EvalSeed}");

    private static ExperimentVariant Variant(string id) => Variants.First(v => v.Id == id);

    // ---------------------------------------------------------------- training stages

    private TrainConfig PretrainConfig(string dir) => new()
    {
        Data = _o.Data, Model = _o.Model, Objective = ObjectiveKind.FlowMatching, TimeSampler = TimeSamplerSpec.Uniform,
        Steps = _o.PretrainSteps, BatchSize = _o.BatchSize, Lr = _o.Lr, Warmup = _o.Warmup, EmaDecay = _o.EmaDecay,
        GradClip = _o.GradClip, Seed = _o.Seed, Out = dir, LogEvery = Math.Clamp(_o.PretrainSteps / 20, 1, 50),
        SampleEvery = 0, CkptEvery = _o.CkptEvery, Keep = 2, Threads = _o.Threads,
    };

    private TrainConfig PosttrainConfig(TrainConfig parent, ExperimentVariant v, string dir) => parent with
    {
        Objective = v.Objective, Gamma = v.Objective == ObjectiveKind.MixFlow ? v.Gamma : parent.Gamma,
        Perturbation = v.Objective == ObjectiveKind.InputPerturbation ? v.Perturbation : parent.Perturbation,
        TimeSampler = v.TimeSampler, Steps = _o.PosttrainSteps, Warmup = 0, Seed = _o.PosttrainSeed, Out = dir,
        LogEvery = Math.Clamp(_o.PosttrainSteps / 20, 1, 50), SampleEvery = 0, CkptEvery = _o.CkptEvery, Keep = 2, Threads = _o.Threads,
    };

    private static string TrajectoryText(TrainConfig c) =>
        string.Join(";", TrainConfigKeys.ToDictionary(c).Where(kv => !TrajectoryNeutralKeys.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>
    /// The latest checkpoint of a stage directory whose stored configuration matches (up to trajectory-neutral keys, the
    /// total step count among them) and whose step does not exceed the wanted total, or null.
    /// </summary>
    private static Checkpoint? MatchingCheckpoint(string dir, TrainConfig wanted, string? parent)
    {
        if (!Directory.Exists(dir) || CheckpointManager.Latest(dir) is not { } latest) return null;
        var ck = Checkpoint.Open(latest);
        if (ck.State.Step > wanted.Steps) return null; // trained past the wanted total: that state cannot be the wanted run's
        if (TrajectoryText(ck.Config) != TrajectoryText(wanted)) return null;
        if (parent is not null && (ck.State.Parent is null || Path.GetFullPath(ck.State.Parent) != Path.GetFullPath(parent))) return null;
        return ck;
    }

    private string FinalCheckpoint(string stage, int steps)
    {
        string dir = _store.DirectoryOf(stage);
        string p = Path.Combine(dir, CheckpointManager.DirectoryName(steps));
        if (!Directory.Exists(p)) throw new InvalidDataException($"experiment: stage '{stage}' is marked finished but its final checkpoint '{p}' is missing; delete '{dir}' to redo it");
        return p;
    }

    private void RunPretrain(CancellationToken cancel)
    {
        string text = PretrainText();
        if (_store.IsDone(PretrainStage, text)) { _host.Message($"experiment: {PretrainStage} finished earlier (skipped)"); return; }
        string dir = _store.DirectoryOf(PretrainStage);
        var wanted = PretrainConfig(dir);
        dir = _store.Prepare(PretrainStage, text, d => CheckpointManager.Latest(d) is null || MatchingCheckpoint(d, wanted, null) is not null);
        var ck = MatchingCheckpoint(dir, wanted, null);
        var clock = Stopwatch.StartNew();
        int from = 0;
        if (ck is null || ck.State.Step < _o.PretrainSteps)
        {
            TrainingSession session;
            if (ck is not null) { session = TrainingSetup.Resume(ck, _o.PretrainSteps); from = ck.State.Step; _host.Message($"experiment: {PretrainStage} resumes at step {from}"); }
            else session = TrainingSetup.Create(wanted);
            _parameters = session.Model.ParameterCount;
            _host.Message($"experiment: {PretrainStage}: {session.ModelPreset} ({session.Model.ParameterCount:N0} parameters), {wanted.Steps} steps of {wanted.BatchSize}, seed {wanted.Seed}");
            Train(PretrainStage, session, cancel);
        }
        else from = ck.State.Step;
        _store.MarkDone(PretrainStage, text, clock.Elapsed.TotalSeconds, from);
    }

    private void RunPosttrain(ExperimentVariant v, CancellationToken cancel)
    {
        string text = PosttrainText(v);
        if (_store.IsDone(v.Stage, text)) { _host.Message($"experiment: {v.Stage} finished earlier (skipped)"); return; }
        var parent = Checkpoint.Open(FinalCheckpoint(PretrainStage, _o.PretrainSteps));
        string dir = _store.DirectoryOf(v.Stage);
        var wanted = PosttrainConfig(parent.Config, v, dir);
        dir = _store.Prepare(v.Stage, text, d => CheckpointManager.Latest(d) is null || MatchingCheckpoint(d, wanted, parent.Directory) is not null);
        var ck = MatchingCheckpoint(dir, wanted, parent.Directory);
        var clock = Stopwatch.StartNew();
        int from = 0;
        if (ck is null || ck.State.Step < _o.PosttrainSteps)
        {
            TrainingSession session;
            if (ck is not null) { session = TrainingSetup.Resume(ck, _o.PosttrainSteps); from = ck.State.Step; _host.Message($"experiment: {v.Stage} resumes at step {from}"); }
            else session = TrainingSetup.PostTrain(parent, wanted, _o.KeepOptimizer);
            _host.Message($"experiment: {v.Stage}: {session.ObjectiveDescription}, {wanted.Steps} steps from {parent.Directory}");
            Train(v.Stage, session, cancel);
        }
        else from = ck.State.Step;
        _store.MarkDone(v.Stage, text, clock.Elapsed.TotalSeconds, from);
    }

    private void Train(string title, TrainingSession session, CancellationToken cancel)
    {
        var r = _host.Train(title, sink => new Trainer(session, sink).Run(cancel));
        if (r.Reason == TrainStopReason.Cancelled) throw new OperationCanceledException($"experiment: {title} stopped at step {r.FinalStep} (checkpoint {r.CheckpointPath}); rerun the same command to resume");
    }

    // ---------------------------------------------------------------- evaluation stages

    private (Module Model, int[] Shape) Load(string variantId)
    {
        if (_models.TryGetValue(variantId, out var m)) return m;
        var v = Variant(variantId);
        var ck = Checkpoint.Open(FinalCheckpoint(v.Stage, v.IsPretrained ? _o.PretrainSteps : _o.PosttrainSteps));
        var model = ModelPresets.Create(ck.State.ModelPreset, ck.State.SampleShape, ck.State.NumClasses, new Generator(0));
        var ema = new Ema(model, (float)ck.Config.EmaDecay);
        ck.RestoreWeights(model, ema);
        ema.CopyTo(model);
        model.Eval();
        _parameters = model.ParameterCount;
        m = (model, ck.State.SampleShape);
        _models[variantId] = m;
        return m;
    }

    private Evaluator GetEvaluator()
    {
        if (_evaluator is not null) return _evaluator;
        _host.Message("experiment: loading the feature network (trained and cached on first use)");
        _evaluator = Evaluator.Create(_o.CacheDirectory, _host.FeatureProgress, null, _o.FeatureRecipe);
        var net = _evaluator.Network;
        File.WriteAllText(Path.Combine(_store.RunDirectory, FeatureNetworkFile), string.Create(CultureInfo.InvariantCulture,
            $"ClassifierCnn feature network, cache key {net.Key ?? "(not cached)"}, test accuracy {(net.TestAccuracy is double a ? a.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a")}, weights {net.WeightsPath ?? "(in memory)"}"));
        return _evaluator;
    }

    /// <summary>Per-element data variance for the time-shift sampler (mean over positions of the variance across samples).</summary>
    private double DataVariance()
    {
        if (_dataVariance is double d) return d;
        using var scope = new TensorScope();
        Tensor x;
        if (_o.IsImages)
        {
            var ds = TrainingSetup.LoadData(_o.Data, _o.Seed);
            int n = Math.Min(ds.Count, 2000);
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            x = ds.Gather(idx, out _);
        }
        else x = ToyDataset.Sample(_o.Toy, 4000, new Generator(_o.EvalSeed ^ 0x7153UL));
        _dataVariance = TimeShiftSampler.EstimateVariance(x);
        return _dataVariance.Value;
    }

    private ISampler Sampler(EvalCellSpec c, FlowTransport transport) => c.Sampler switch
    {
        EvalSamplerKind.Heun => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Heun, c.Steps)),
        EvalSamplerKind.TimeShift => new TimeShiftSampler(transport, new TimeShiftOptions(Steps: c.Steps, DataVariance: DataVariance())),
        _ => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Euler, c.Steps)),
    };

    private void RunCell(EvalCellSpec c)
    {
        string text = CellText(c);
        if (_store.IsDone(c.Stage, text)) return;
        var (model, shape) = Load(c.Variant);
        var transport = TrainingSetup.Transport();
        IFlowModel net = (IFlowModel)model;
        if (c.Cfg != 1) net = new ClassifierFreeGuidance(net, c.Cfg);
        if (c.Sampler == EvalSamplerKind.EpsilonScaling) net = new EpsilonScaling(net, transport, _o.EpsilonLambda);
        var counter = new CountingFlowModel(net);
        var sampler = Sampler(c, transport);
        int batch = Math.Min(_o.EvalBatchSize, _o.Samples);
        if (_o.Samples % batch == 1) batch--; // the time-shift estimator needs batches of at least two samples
        int batches = (_o.Samples + batch - 1) / batch;
        _store.Prepare(c.Stage, text);
        if (_o.IsImages) GetEvaluator();
        var clock = Stopwatch.StartNew();
        _host.Message(string.Create(CultureInfo.InvariantCulture, $"experiment: {c.Stage}: sampling {_o.Samples} in {batches} batches of {batch}"));
        var progress = new SamplingProgress(_host, c.Stage, _o.Samples, clock, ProgressInterval);
        ImageMetricsResult? img = null;
        ToyMetricsResult? toy = null;
        if (_o.IsImages) img = _evaluator!.EvaluateModel(counter, sampler, _o.Samples, SampleLabelMode.Balanced, _o.EvalSeed, batch, progress);
        else
        {
            var nll = _store.ReadResult<NllResult>("nll-" + c.Variant);
            toy = ToyMetrics.Compute(SampleToy(counter, sampler, batch, progress), _o.Toy, ToyOptions(), nll?.TestNll);
        }
        double sec = clock.Elapsed.TotalSeconds;
        int nfe = (int)Math.Round((double)counter.Calls / batches);
        var result = new CellResult(c, nfe, img, toy, sec);
        _store.WriteResult(c.Stage, result);
        _store.MarkDone(c.Stage, text, sec);
        _host.Message(string.Create(CultureInfo.InvariantCulture, $"experiment: {c.Stage}: {Describe(result)} ({sec:0.0} s)"));
    }

    private static string Describe(CellResult r) => r.Image is { } i
        ? string.Create(CultureInfo.InvariantCulture, $"N {i.Samples}, NFE {r.MeasuredNfe}, FD {i.Fd:0.00}, precision {i.Precision:0.000}, recall {i.Recall:0.000}, class acc {i.ClassAccuracy:0.000}")
        : string.Create(CultureInfo.InvariantCulture, $"N {r.Toy!.Samples}, NFE {r.MeasuredNfe}, SW2 {r.Toy.SlicedW2:0.0000}, MMD² {r.Toy.Mmd2:0.00000}");

    private ToyMetricsOptions ToyOptions() => new() { Seed = _o.EvalSeed, NllSamples = _o.NllSamples, Likelihood = new LikelihoodOptions(Steps: _o.NllSteps) };

    private Tensor SampleToy(IFlowModel model, ISampler sampler, int batch, IProgress<int> progress)
    {
        var gen = new Generator(_o.EvalSeed);
        var all = new float[_o.Samples * 2];
        using (GradMode.NoGrad())
            for (int s = 0; s < _o.Samples; s += batch)
            {
                int e = Math.Min(_o.Samples, s + batch);
                using var scope = new TensorScope();
                var x0 = Tensor.RandN(gen, e - s, 2);
                sampler.Sample(model, x0, null, gen).X.Contiguous().AsSpan().CopyTo(all.AsSpan(s * 2, (e - s) * 2));
                progress.Report(e);
            }
        return Tensor.FromArray(all, [_o.Samples, 2]);
    }

    private void RunNll(string variant)
    {
        string stage = "nll-" + variant, text = NllText(variant);
        if (_store.IsDone(stage, text)) return;
        var (model, _) = Load(variant);
        _store.Prepare(stage, text);
        var clock = Stopwatch.StartNew();
        var o = ToyOptions();
        var test = ToyDataset.Sample(_o.Toy, o.NllSamples, new Generator(o.Seed ^ ToyMetrics.ReferenceSeedSalt ^ 0xA5A5A5A5UL));
        double nll = ToyMetrics.TestNll((IFlowModel)model, TrainingSetup.Transport(), test, o.Likelihood, o.NllBatchSize);
        _store.WriteResult(stage, new NllResult(variant, nll, o.NllSamples, _o.NllSteps));
        _store.MarkDone(stage, text, clock.Elapsed.TotalSeconds);
        _host.Message(string.Create(CultureInfo.InvariantCulture, $"experiment: {stage}: test NLL {nll:0.0000} nats ({clock.Elapsed.TotalSeconds:0.0} s)"));
    }

    private void RunSlowFlow()
    {
        string text = SlowFlowText();
        if (_store.IsDone(SlowFlowStage, text)) return;
        string dir = _store.Prepare(SlowFlowStage, text);
        var clock = Stopwatch.StartNew();
        var diag = new SlowFlowDiagnostic(TrainingSetup.Transport(), new SlowFlowOptions
        {
            Method = OdeMethod.Euler, Steps = _o.SlowFlowSteps, Samples = _o.SlowFlowSamples, BatchSize = Math.Min(128, _o.SlowFlowSamples),
            Seed = _o.EvalSeed, Labels = _o.IsImages ? SampleLabelMode.Balanced : SampleLabelMode.None,
        });
        var reports = new List<SlowFlowReport>();
        foreach (var id in SlowFlowVariants)
        {
            var (model, shape) = Load(id);
            reports.Add(diag.Run((IFlowModel)model, shape, Variant(id).Label));
        }
        foreach (var (name, pick) in SlowFlowPlotFiles)
            SlowFlowPlot.Save(reports.Select(pick).ToList(), Path.Combine(dir, name + ".png"), Path.Combine(dir, name + ".svg"));
        _store.WriteResult(SlowFlowStage, new SlowFlowSet(_o.SlowFlowSteps, reports));
        _store.MarkDone(SlowFlowStage, text, clock.Elapsed.TotalSeconds);
        _host.Message(string.Create(CultureInfo.InvariantCulture,
            $"experiment: slowflow: mean lag (t − median m_t, x0-share) {string.Join(", ", reports.Select(r => $"{r.NoiseShare.Label} {r.NoiseShare.MeanLag:0.0000}"))} ({clock.Elapsed.TotalSeconds:0.0} s)"));
    }

    private static readonly (string Name, Func<SlowFlowReport, SlowFlowResult> Pick)[] SlowFlowPlotFiles =
        [("slowflow-least-squares", r => r.LeastSquares), ("slowflow-x0-share", r => r.NoiseShare)];

    // ---------------------------------------------------------------- summary

    private ExperimentSummary Summarize()
    {
        var done = new List<StageRecord>();
        var missing = new List<string>();
        var cells = new List<CellResult>();
        var nll = new List<NllResult>();
        var byStage = Cells().ToDictionary(c => c.Stage);
        SlowFlowSet? sf = null;
        foreach (var stage in PlannedStages())
        {
            string text = stage == PretrainStage ? PretrainText()
                : Variants.FirstOrDefault(v => v.Stage == stage) is { } v ? PosttrainText(v)
                : stage.StartsWith("nll-", StringComparison.Ordinal) ? NllText(stage[4..])
                : stage == SlowFlowStage ? SlowFlowText()
                : CellText(byStage[stage]);
            var rec = _store.Read(stage);
            if (rec is null || rec.Hash != StageStore.Hash(text)) { missing.Add(stage); continue; }
            done.Add(rec);
            if (byStage.ContainsKey(stage) && _store.ReadResult<CellResult>(stage) is { } cr) cells.Add(cr);
            else if (stage.StartsWith("nll-", StringComparison.Ordinal) && _store.ReadResult<NllResult>(stage) is { } nr) nll.Add(nr);
            else if (stage == SlowFlowStage) sf = _store.ReadResult<SlowFlowSet>(stage);
        }
        string fpath = Path.Combine(_store.RunDirectory, FeatureNetworkFile);
        string? fnet = File.Exists(fpath) ? File.ReadAllText(fpath).Trim() : null;
        var plots = sf is null ? new List<string>() : SlowFlowPlotFiles.Select(p => Path.Combine(SlowFlowStage, p.Name + ".png")).ToList();
        if (_parameters == 0 && missing.Count < PlannedStages().Count && !missing.Contains(PretrainStage))
        {
            var ck = Checkpoint.Open(FinalCheckpoint(PretrainStage, _o.PretrainSteps));
            _parameters = ck.State.Parameters;
        }
        return new ExperimentSummary(ExperimentOptions.Name(_o.Kind), _o, _command, _parameters, fnet, done, missing, cells, nll, sf, plots);
    }
}
