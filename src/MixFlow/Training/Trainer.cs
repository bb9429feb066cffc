using System.Diagnostics;
using System.Reflection;
using MixFlow.Distributed;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;

namespace MixFlow.Training;

/// <summary>
/// Runs the optimization loop of a <see cref="TrainingSession"/>: per step (inside a <see cref="TensorScope"/>, so
/// memory does not grow) it draws a batch, evaluates the objective, back-propagates, clips the global gradient norm,
/// steps the optimizer at the scheduled learning rate and updates the EMA. Steps whose loss or gradient norm is not
/// finite are skipped (no update) and counted; beyond <see cref="TrainConfig.MaxNonFinite"/> the run aborts.
/// Every <see cref="TrainConfig.LogEvery"/> steps a record goes to the sink and to <c>metrics.jsonl</c>; previews and
/// checkpoints are written on their schedules, and a final checkpoint at the end or on cancellation.
/// With an <see cref="IWorld"/> of several ranks (mpirun) the step is data-parallel (<see cref="DataParallelTraining"/>):
/// every rank trains on its shard of each global batch with summed gradients and steps identically; only rank 0
/// reports progress and writes metrics, previews and checkpoints.
/// </summary>
public sealed class Trainer
{
    /// <summary>File name of the metrics log in the output directory.</summary>
    public const string MetricsFile = "metrics.jsonl";

    private readonly TrainingSession _s;
    private readonly IProgressSink _sink;
    private readonly IWorld _world;

    /// <summary>Creates a trainer.</summary>
    /// <param name="session">What to train.</param>
    /// <param name="sink">Progress receiver (null: none; only used on rank 0).</param>
    /// <param name="world">The ranks training together (null: a single process).</param>
    public Trainer(TrainingSession session, IProgressSink? sink = null, IWorld? world = null)
    {
        _s = session ?? throw new ArgumentNullException(nameof(session));
        _world = world ?? SingleProcessWorld.Instance;
        _sink = _world.IsRoot ? sink ?? NullProgressSink.Instance : NullProgressSink.Instance;
    }

    /// <summary>Version of the MixFlow assembly (stored in checkpoints).</summary>
    public static string Version => typeof(Trainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                                    ?? typeof(Trainer).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Trains from <see cref="TrainingSession.Step"/> up to <see cref="TrainConfig.Steps"/>.</summary>
    /// <param name="cancel">When signalled, the current step is finished, a checkpoint written and the run returns <see cref="TrainStopReason.Cancelled"/>.</param>
    /// <exception cref="TrainingAbortedException">More than <see cref="TrainConfig.MaxNonFinite"/> non-finite steps (a checkpoint of the last good state is not written).</exception>
    /// <exception cref="CheckpointException">The output directory or a checkpoint cannot be written.</exception>
    public TrainResult Run(CancellationToken cancel = default)
    {
        var cfg = _s.Config;
        var total = Stopwatch.StartNew();
        var dp = DataParallelTraining.Attach(_s, _world);
        bool root = _world.IsRoot;
        var ckpts = root ? new CheckpointManager(cfg.Out, cfg.Keep) : null;
        string metricsPath = Path.Combine(Path.GetFullPath(cfg.Out), MetricsFile);
        int startStep = _s.Step;
        using var metrics = root ? new MetricsWriter(metricsPath, truncateAfterStep: startStep) : null;
        var parameters = _s.Model.Parameters().ToList();
        var log = new List<TrainLogEntry>();
        _sink.OnStart(_s.Parent is null ? "train" : "posttrain", startStep, cfg.Steps);
        _s.Model.Train();

        double winLoss = 0, winGrad = 0; int winFinite = 0, winSteps = 0; long winSamples = 0;
        var window = Stopwatch.StartNew();
        double paused = 0;
        double lastLoss = double.NaN, lr = 0;
        string? lastCkpt = null; int lastCkptStep = -1;
        var reason = TrainStopReason.Completed;

        while (_s.Step < cfg.Steps)
        {
            if (dp.AgreeToStop(cancel.IsCancellationRequested)) { reason = TrainStopReason.Cancelled; break; }
            lr = _s.Schedule.At(_s.Step);
            _s.Optimizer.LearningRate = lr;
            double lossValue, gradNorm; int batchSize;
            using (new TensorScope())
            {
                using var batch = _s.Data.Next();
                batchSize = dp.GlobalBatchSize(batch);
                _s.Optimizer.ZeroGrad();
                var step = dp.Loss(batch);
                var loss = step.Loss;
                lossValue = step.Value;
                gradNorm = double.NaN;
                if (double.IsFinite(lossValue))
                {
                    loss.Backward();
                    dp.SumGradients(parameters);
                    gradNorm = cfg.GradClip > 0 ? GradClip.ClipGlobalNorm(parameters, (float)cfg.GradClip) : GradClip.GlobalNorm(parameters);
                }
                if (double.IsFinite(lossValue) && double.IsFinite(gradNorm))
                {
                    _s.Optimizer.Step();
                    _s.Ema.Update(_s.Model);
                }
                else
                {
                    _s.Optimizer.ZeroGrad();
                    _s.SkippedSteps++;
                }
            }
            _s.Step++;
            winSteps++; winSamples += batchSize;
            if (double.IsFinite(lossValue) && double.IsFinite(gradNorm))
            {
                winLoss += lossValue; winGrad += gradNorm; winFinite++; lastLoss = lossValue;
            }
            else
            {
                _sink.OnMessage($"step {_s.Step}: non-finite {(double.IsFinite(lossValue) ? "gradient norm" : "loss")} ({(double.IsFinite(lossValue) ? gradNorm : lossValue)}), step skipped ({_s.SkippedSteps} of at most {cfg.MaxNonFinite})");
                if (_s.SkippedSteps > cfg.MaxNonFinite)
                    throw new TrainingAbortedException(_s.Step,
                        $"training aborted at step {_s.Step}: {_s.SkippedSteps} steps had a non-finite loss or gradient, more than max-nonfinite = {cfg.MaxNonFinite} (lower lr, enable grad-clip, or raise max-nonfinite)");
            }
            _sink.OnStep(_s.Step, lossValue);

            if (_s.Step % cfg.LogEvery == 0 || _s.Step == cfg.Steps)
            {
                double secs = Math.Max(window.Elapsed.TotalSeconds - paused, 1e-9);
                var entry = new TrainLogEntry(_s.Step, winFinite > 0 ? winLoss / winFinite : double.NaN, winFinite > 0 ? winGrad / winFinite : double.NaN,
                    lr, winSteps / secs, winSamples / secs, _s.SkippedSteps, total.Elapsed.TotalSeconds);
                metrics?.Write(entry);
                log.Add(entry);
                _sink.OnLog(entry);
                winLoss = winGrad = 0; winFinite = winSteps = 0; winSamples = 0;
                window.Restart(); paused = 0;
            }
            long pauseStart = Stopwatch.GetTimestamp();
            if (root && _s.Preview is not null && cfg.SampleEvery > 0 && _s.Step % cfg.SampleEvery == 0)
                WritePreview(ckpts!.RunDirectory);
            if (root && cfg.CkptEvery > 0 && _s.Step % cfg.CkptEvery == 0)
            {
                lastCkpt = SaveCheckpoint(ckpts!); lastCkptStep = _s.Step;
            }
            paused += Stopwatch.GetElapsedTime(pauseStart).TotalSeconds; // previews/checkpoints do not count against the rate
        }
        if (root && lastCkptStep != _s.Step) lastCkpt = SaveCheckpoint(ckpts!);
        _world.Barrier("barrier(end of training)");
        var result = new TrainResult(reason, startStep, _s.Step, _s.SkippedSteps, lastLoss, lastCkpt, metricsPath, total.Elapsed.TotalSeconds, log);
        _sink.OnEnd(result);
        return result;
    }

    private void WritePreview(string dir)
    {
        _s.Model.Eval();
        try
        {
            string file = _s.Preview!.Write(_s.Step, dir);
            _sink.OnMessage($"step {_s.Step}: preview {file}");
        }
        finally { _s.Model.Train(); }
    }

    private string SaveCheckpoint(CheckpointManager ckpts)
    {
        string dir = ckpts.Save(Capture(_s));
        _sink.OnMessage($"step {_s.Step}: checkpoint {dir}");
        return dir;
    }

    /// <summary>Captures a session's complete state as checkpoint contents.</summary>
    public static CheckpointContents Capture(TrainingSession s)
    {
        var state = new CheckpointState
        {
            Step = s.Step,
            Epoch = s.Data.State.Epoch,
            Loader = s.Data.State,
            Rng = new Dictionary<string, GeneratorState> { ["train"] = s.Rng.GetState() },
            Optimizer = s.Optimizer.Scalars().ToMetadata(),
            Config = TrainConfigKeys.ToDictionary(s.Config),
            Objective = s.ObjectiveDescription,
            ModelPreset = s.ModelPreset,
            Parameters = s.Model.ParameterCount,
            Parent = s.Parent,
            SkippedSteps = s.SkippedSteps,
            SampleShape = s.Data.Dataset.SampleShape,
            NumClasses = s.Data.Dataset.NumClasses,
            EngineVersion = Version,
            Engine = Engine.Describe(),
            CreatedUtc = DateTime.UtcNow.ToString("O"),
        };
        return new CheckpointContents(state, s.Model.StateDict(), s.Ema.StateDict(), s.Optimizer.StateTensors());
    }
}
