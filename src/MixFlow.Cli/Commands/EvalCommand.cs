using System.CommandLine;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow eval</c>: sample-quality metrics of a checkpoint (samples drawn here) or of a sample file. Images: FD,
/// precision, recall, class accuracy and the IS analogue against the Fashion-MNIST test split via the feature
/// network (trained and cached on first use). 2-D sets: sliced W2, MMD² and (checkpoints) the test NLL.
/// Prints a table (always with N) and writes <c>--json</c>.
/// </summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("eval", "Evaluate a checkpoint (--ckpt, samples drawn here) or a sample file (--samples): FD/precision/recall/class accuracy/IS for images, sliced W2/MMD/NLL for 2-D sets.");
        var ckpt = new Option<string?>("--ckpt", "--checkpoint") { Description = "checkpoint or run directory to sample from", HelpName = "CKPT" };
        var samplesFile = new Option<string?>("--samples") { Description = "sample file: .npz (images: arr_0 uint8 NHWC or float32 NCHW, optional arr_1 labels; 2-D: float32 [N, 2]) or .npy [N, 2]", HelpName = "FILE" };
        var toy = new Option<string?>("--toy") { Description = "true 2-D distribution of a --samples file (checkerboard, 8gaussians, moons, …); checkpoints use their training set", HelpName = "NAME" };
        var sampler = new Option<string>("--sampler") { Description = "euler | heun | midpoint | rk4 | dopri5 | em (default euler)", DefaultValueFactory = _ => "euler" };
        var steps = new Option<int>("--steps") { Description = "integration steps (default 50)", DefaultValueFactory = _ => 50 };
        var n = new Option<int>("--n") { Description = "samples drawn from --ckpt (default 10000)", DefaultValueFactory = _ => 10000 };
        var batch = new Option<int>("--batch-size", "--batch") { Description = "samples per sampler call (default 250)", DefaultValueFactory = _ => 250 };
        var cfgScale = new Option<double>("--cfg") { Description = "classifier-free guidance scale (default 1: none)", DefaultValueFactory = _ => 1.0 };
        var cfgInterval = new Option<string?>("--cfg-interval") { Description = "guidance interval in t as 'lo,hi' (default 0,1)", HelpName = "LO,HI" };
        var auto = new Option<string?>("--autoguidance") { Description = "weak checkpoint for autoguidance (instead of --cfg)", HelpName = "CKPT" };
        var autoScale = new Option<double>("--autoguidance-scale") { Description = "autoguidance scale (default 2)", DefaultValueFactory = _ => 2.0 };
        var labels = new Option<string?>("--labels") { Description = "none | balanced | random (default balanced for conditional models, none otherwise)", HelpName = "MODE" };
        var noEma = new Option<bool>("--no-ema") { Description = "evaluate the raw weights instead of the EMA" };
        var seed = new Option<ulong>("--seed") { Description = "noise seed (default 0)" };
        var k = new Option<int?>("--k") { Description = "k of the k-NN precision/recall (default 3)", HelpName = "K" };
        var isSplits = new Option<int?>("--is-splits") { Description = "IS-analogue splits (default 10)", HelpName = "N" };
        var blockRows = new Option<int?>("--block-rows") { Description = "rows per distance block (default 1024)", HelpName = "N" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "feature-network cache folder (default $MIXFLOW_CACHE_DIR, else ~/.cache/mixflow)", HelpName = "DIR" };
        var projections = new Option<int?>("--projections") { Description = "sliced-W2 projections (default 256)", HelpName = "N" };
        var bandwidth = new Option<string?>("--mmd-bandwidth") { Description = "MMD RBF bandwidths 'h,h,…' (default median heuristic ×{1/2, 1, 2})", HelpName = "H,H,…" };
        var nllSamples = new Option<int?>("--nll-samples") { Description = "test points of the 2-D NLL (default 1000)", HelpName = "N" };
        var nllSteps = new Option<int?>("--nll-steps") { Description = "RK4 steps of the 2-D likelihood (default 100)", HelpName = "N" };
        var json = new Option<string?>("--json") { Description = "write the result as JSON", HelpName = "FILE" };
        var threads = ThreadsOption.Create();
        foreach (var o in new Option[] { ckpt, samplesFile, toy, sampler, steps, n, batch, cfgScale, cfgInterval, auto, autoScale, labels, noEma, seed, k, isSplits, blockRows, cacheDir, projections, bandwidth, nllSamples, nllSteps, json, threads })
            cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            ThreadsOption.Apply(parse, threads);
            string? ck = parse.GetValue(ckpt), file = parse.GetValue(samplesFile);
            if ((ck is null) == (file is null)) throw new ConfigException("ckpt", "eval: give exactly one of --ckpt CKPT or --samples FILE");
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null) EnsureParent(jsonPath, "json");
            var imgOptions = new ImageMetricsOptions();
            if (parse.GetValue(k) is int kk) imgOptions = imgOptions with { K = kk };
            if (parse.GetValue(isSplits) is int sp) imgOptions = imgOptions with { InceptionSplits = sp };
            if (parse.GetValue(blockRows) is int br) imgOptions = imgOptions with { BlockRows = br };
            try { imgOptions.Validate(); } catch (ArgumentException e) { throw new ConfigException("k", $"eval: {e.Message}"); }
            var toyOptions = new ToyMetricsOptions { Seed = parse.GetValue(seed) };
            if (parse.GetValue(projections) is int pr) toyOptions = toyOptions with { Projections = pr };
            if (parse.GetValue(bandwidth) is { } bw) toyOptions = toyOptions with { MmdBandwidths = ParseReals(bw, "mmd-bandwidth") };
            if (parse.GetValue(nllSamples) is int nl) toyOptions = toyOptions with { NllSamples = nl };
            if (parse.GetValue(nllSteps) is int nst) toyOptions = toyOptions with { Likelihood = new LikelihoodOptions(Steps: nst) };
            try { toyOptions.Validate(); } catch (ArgumentException e) { throw new ConfigException("projections", $"eval: {e.Message}"); }
            string? cache = parse.GetValue(cacheDir);

            string table, resultJson, what;
            if (file is not null)
            {
                var toyKind = parse.GetValue(toy) is { } toyName ? TrainingSetup.ParseToy(toyName) : (Toy2D?)null;
                if (!File.Exists(file)) throw new FileNotFoundException($"eval: --samples file '{file}' does not exist", file);
                if (toyKind is Toy2D kind)
                {
                    var pts = ReadPoints(file);
                    var r = Evaluator.EvaluateToySamples(pts, kind, toyOptions);
                    (table, resultJson, what) = (r.ToTable(), r.ToJson(), $"{r.Samples} points from {file} vs {MixFlow.Experiments.ExperimentOptions.ToyName(kind)}");
                }
                else
                {
                    var ev = CreateEvaluator(cache, imgOptions);
                    var r = ev.EvaluateNpz(file);
                    (table, resultJson, what) = (r.ToTable(), r.ToJson(), $"{r.Samples} images from {file}");
                }
            }
            else
            {
                var checkpoint = Checkpoint.Open(ck!);
                bool rae = RepresentationSetup.KindOf(checkpoint.State.ModelPreset) == RepresentationKind.Rae;
                var kindS = SampleCommand.ParseSampler(parse.GetValue(sampler)!);
                int count = parse.GetValue(n), bs = parse.GetValue(batch);
                if (count < 2) throw new ConfigException("n", $"n: must be >= 2 (got {count})");
                if (bs < 1) throw new ConfigException("batch-size", $"batch-size: must be >= 1 (got {bs})");
                var (model, _) = SampleCommand.LoadModel(checkpoint, !parse.GetValue(noEma));
                var flow = (IFlowModel)model;
                double w = parse.GetValue(cfgScale);
                var (lo, hi) = (0.0, 1.0);
                double autoW = parse.GetValue(autoScale);
                var weak = SampleCommand.LoadWeakModel(parse.GetValue(auto), w, checkpoint, flow.NumClasses, !parse.GetValue(noEma), autoW);
                if (w != 1)
                {
                    if (flow.NumClasses == 0) throw new ConfigException("cfg", "cfg: the model is unconditional (no classes); guidance needs a class-conditional checkpoint");
                    if (parse.GetValue(cfgInterval) is { } iv) (lo, hi) = ParseInterval(iv);
                }
                string stepsText = kindS == SamplerKind.Dopri5 ? "adaptive" : $"{parse.GetValue(steps)} steps";
                string cfgText = weak is not null ? $", autoguidance {autoW.ToString(CultureInfo.InvariantCulture)} with {parse.GetValue(auto)}"
                    : w != 1 ? $", CFG {w.ToString(CultureInfo.InvariantCulture)}" : "";
                if (rae)
                {
                    // An RAE model lives in the encoder's token space: sample there with the model's time shift (and
                    // guidance), decode with the checkpoint's decoder, then score the decoded images like any others.
                    var mode = ParseLabels(parse.GetValue(labels), flow.NumClasses);
                    var ev = CreateEvaluator(cache, imgOptions);
                    if (count <= ev.Options.K) throw new ConfigException("n", $"n: must be > k = {ev.Options.K} (got {count})");
                    var lab = Evaluator.MakeLabels(mode, count, flow.NumClasses, parse.GetValue(seed));
                    var req = RepresentationSetup.ForCheckpoint(checkpoint, new SampleRequest
                    {
                        Sampler = kindS, Steps = parse.GetValue(steps), Count = count, BatchSize = bs, CfgScale = w, CfgTMin = lo, CfgTMax = hi,
                        AutoguidanceScale = autoW, Labels = lab, Seed = parse.GetValue(seed),
                    });
                    var r = ConsoleUi.RunStatus("eval", () => ev.EvaluateImages(Evaluator.Quantize(SampleGenerator.Generate(flow, checkpoint.State.SampleShape, req, weak).X), lab));
                    (table, resultJson, what) = (r.ToTable(), r.ToJson(), $"{r.Samples} decoded samples of RAE checkpoint {checkpoint.Directory} ({kindS}, {stepsText}, time shift {req.TimeShift.ToString("0.####", CultureInfo.InvariantCulture)}{cfgText}, labels {mode.ToString().ToLowerInvariant()})");
                }
                else
                {
                    var transport = TrainingSetup.Transport();
                    var smp = SampleGenerator.CreateSampler(kindS, parse.GetValue(steps), transport);
                    IFlowModel net = weak is not null ? new AutoGuidance(flow, weak, autoW) : w != 1 ? new ClassifierFreeGuidance(flow, w, lo, hi) : flow;
                    if (checkpoint.State.SampleShape.Length == 1)
                    {
                        if (!checkpoint.Config.Data.IsPoints) throw new ConfigException("ckpt", $"eval: checkpoint '{checkpoint.Directory}' is not a 2-D toy model");
                        var kind = TrainingSetup.ParseToy(checkpoint.Config.Data.Argument!);
                        if (parse.GetValue(toy) is { } tn && TrainingSetup.ParseToy(tn) != kind)
                            throw new ConfigException("toy", $"toy: the checkpoint was trained on {checkpoint.Config.Data}, not '{tn}'");
                        var r = ConsoleUi.RunStatus("eval", () => Evaluator.EvaluateToyModel(net, smp, transport, kind, count, parse.GetValue(seed), toyOptions));
                        (table, resultJson, what) = (r.ToTable(), r.ToJson(), $"{r.Samples} samples of {checkpoint.Directory} ({kindS}, {stepsText}{cfgText}) vs {checkpoint.Config.Data}");
                    }
                    else
                    {
                        var mode = ParseLabels(parse.GetValue(labels), flow.NumClasses);
                        var ev = CreateEvaluator(cache, imgOptions);
                        if (count <= ev.Options.K) throw new ConfigException("n", $"n: must be > k = {ev.Options.K} (got {count})");
                        var r = ConsoleUi.RunStatus("eval", () => ev.EvaluateModel(net, smp, count, mode, parse.GetValue(seed), bs));
                        (table, resultJson, what) = (r.ToTable(), r.ToJson(), $"{r.Samples} samples of {checkpoint.Directory} ({kindS}, {stepsText}{cfgText}, labels {mode.ToString().ToLowerInvariant()})");
                    }
                }
            }
            ConsoleUi.Line($"eval: {what}");
            ConsoleUi.Line(table);
            if (jsonPath is not null)
            {
                File.WriteAllText(jsonPath, resultJson);
                ConsoleUi.Line($"eval: wrote {jsonPath}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Test hook: replaces the standard evaluator (cache dir, options → evaluator); null uses <see cref="Evaluator.Create"/>.</summary>
    internal static Func<string?, ImageMetricsOptions, Evaluator>? EvaluatorFactory { get; set; }

    /// <summary>The standard evaluator with a feature-network progress printer.</summary>
    internal static Evaluator CreateEvaluator(string? cacheDir, ImageMetricsOptions options) =>
        EvaluatorFactory is { } f ? f(cacheDir, options) : Evaluator.Create(cacheDir, FeatureProgressPrinter(), options);

    /// <summary>Prints the feature network's preparation (training on first use) as plain progress lines.</summary>
    internal static IProgress<FeatureTrainingProgress> FeatureProgressPrinter() => new FeaturePrinter();

    private sealed class FeaturePrinter : IProgress<FeatureTrainingProgress>
    {
        private FeatureTrainingPhase? _last;
        private long _lastStep = -1;

        public void Report(FeatureTrainingProgress p)
        {
            switch (p.Phase)
            {
                case FeatureTrainingPhase.Training:
                    if (_last != FeatureTrainingPhase.Training) ConsoleUi.Line("eval: training the feature network (first use; cached afterwards)");
                    if (p.Step != _lastStep && (p.Step % 200 == 0 || p.Step == p.TotalSteps))
                    {
                        int width = 30, filled = p.TotalSteps > 0 ? (int)(width * p.Step / p.TotalSteps) : 0;
                        ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture,
                            $"eval: features [{new string('#', filled)}{new string('.', width - filled)}] {p.Step}/{p.TotalSteps} epoch {p.Epoch} loss {p.Loss:0.0000} {p.Elapsed.TotalSeconds:0} s"));
                        _lastStep = p.Step;
                    }
                    break;
                case FeatureTrainingPhase.Done when p.TestAccuracy is double a:
                    ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture, $"eval: feature network ready (test accuracy {a:0.0000})"));
                    break;
                case FeatureTrainingPhase.LoadingCache when _last != FeatureTrainingPhase.LoadingCache:
                    ConsoleUi.Line("eval: loading the cached feature network");
                    break;
            }
            _last = p.Phase;
        }
    }

    /// <summary>Parses a label mode; the default depends on the model.</summary>
    /// <exception cref="ConfigException">Unknown mode, or a mode that does not fit the model (key <c>labels</c>).</exception>
    public static SampleLabelMode ParseLabels(string? text, int numClasses)
    {
        if (text is null) return numClasses > 0 ? SampleLabelMode.Balanced : SampleLabelMode.None;
        var mode = text.Trim().ToLowerInvariant() switch
        {
            "none" => SampleLabelMode.None,
            "balanced" => SampleLabelMode.Balanced,
            "random" => SampleLabelMode.Random,
            _ => throw new ConfigException("labels", $"labels: unknown mode '{text}' (allowed: none | balanced | random)"),
        };
        if (numClasses > 0 && mode == SampleLabelMode.None) throw new ConfigException("labels", $"labels: the model is class-conditional ({numClasses} classes); use balanced or random");
        if (numClasses == 0 && mode != SampleLabelMode.None) throw new ConfigException("labels", $"labels: the model is unconditional; '{text}' needs a class-conditional model (use none)");
        return mode;
    }

    /// <summary>Reads 2-D points [N, 2] from a <c>.npy</c> or the first/only (or <c>arr_0</c>) array of a <c>.npz</c>.</summary>
    /// <exception cref="InvalidDataException">Not a float array of shape [N, 2]; the message names the file.</exception>
    public static Tensor ReadPoints(string path)
    {
        NpyArray a;
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) a = NpyFile.Read(path);
        else
        {
            var arrays = NpzFile.Read(path);
            a = arrays.TryGetValue("arr_0", out var a0) ? a0 : arrays.TryGetValue("samples", out var a1) ? a1 : arrays.Count >= 1 ? arrays.Values.First()
                : throw new InvalidDataException($"eval: '{path}' holds no arrays");
        }
        if (a.Shape.Length != 2 || a.Shape[1] != 2) throw new InvalidDataException($"eval: '{path}' holds an array of shape [{string.Join(", ", a.Shape)}]; 2-D samples must be [N, 2]");
        if (a.DType is not (NpyDType.Float32 or NpyDType.Float64)) throw new InvalidDataException($"eval: '{path}' holds {a.DType} points; expected float32 or float64");
        if (a.Shape[0] < 2) throw new InvalidDataException($"eval: '{path}' holds {a.Shape[0]} points; at least 2 are needed");
        return Tensor.FromArray(a.ToFloat32(), a.Shape);
    }

    /// <summary>Creates the parent folder of an output file.</summary>
    /// <exception cref="ConfigException">The folder cannot be created (names the option).</exception>
    internal static void EnsureParent(string path, string key)
    {
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException(key, $"{key}: cannot create the folder of '{path}': {e.Message}");
        }
    }

    private static double[] ParseReals(string s, string key)
    {
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ConfigException(key, $"{key}: empty list");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v
            : throw new ConfigException(key, $"{key}: '{p}' is not a positive number")).ToArray();
    }

    private static (double, double) ParseInterval(string s)
    {
        var p = s.Split(',', StringSplitOptions.TrimEntries);
        if (p.Length != 2 || !double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || !(a >= 0 && a < b && b <= 1))
            throw new ConfigException("cfg-interval", $"cfg-interval: '{s}' is not 'lo,hi' with 0 <= lo < hi <= 1");
        return (a, b);
    }
}
