using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Imaging;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow demo</c>: the whole pipeline on a small budget — a flow MLP on a 2-D set and a small SiT on
/// Fashion-MNIST are pretrained with flow matching, each is post-trained for the same number of steps with MixFlow and
/// with flow matching, all are sampled, and <c>report.html</c>/<c>report.md</c> compare them (sliced W2 and MMD against
/// fresh true samples for 2-D data; grids and loss curves for images).
/// </summary>
public static class DemoCommand
{
    /// <summary>Budget of the demo.</summary>
    /// <param name="PointSteps">Pretraining steps of the 2-D model.</param>
    /// <param name="PointPostSteps">Post-training steps of the 2-D model (each objective).</param>
    /// <param name="ImageSteps">Pretraining steps of the image model (0 skips the image part).</param>
    /// <param name="ImagePostSteps">Post-training steps of the image model (each objective).</param>
    /// <param name="ImageBatch">Image batch size.</param>
    /// <param name="EvalPoints">Points per 2-D evaluation.</param>
    /// <param name="WallSeconds">Wall-time budget of the whole demo: the image step counts are lowered (never raised)
    /// to fit it, from the training rate measured during the first image steps.</param>
    public sealed record Budget(int PointSteps, int PointPostSteps, int ImageSteps, int ImagePostSteps, int ImageBatch, int EvalPoints, double WallSeconds);

    /// <summary>The default budget: at most 1500 + 2×500 image steps of 32, the whole demo within 9 minutes (under the 10-minute goal on 2 cores).</summary>
    public static Budget Default { get; } = new(PointSteps: 2000, PointPostSteps: 600, ImageSteps: 1500, ImagePostSteps: 500, ImageBatch: 32, EvalPoints: 2000, WallSeconds: 540);

    /// <summary>A tiny budget for tests and smoke runs (<c>--quick</c>).</summary>
    public static Budget Quick { get; } = new(PointSteps: 60, PointPostSteps: 30, ImageSteps: 0, ImagePostSteps: 0, ImageBatch: 16, EvalPoints: 300, WallSeconds: 60);

    /// <summary>Image steps used to measure the training rate before the image step counts are fixed.</summary>
    public const int CalibrationSteps = 12;

    /// <summary>Sampling steps (NFE with Euler) at which 2-D results are compared.</summary>
    public static IReadOnlyList<int> EvalNfes { get; } = [4, 8, 32];

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("demo", "Train, post-train (MixFlow vs flow matching), sample and report on a 2-D set and Fashion-MNIST; writes runs/demo/report.html.");
        var outDir = new Option<string>("--out") { Description = "output directory (default runs/demo)", DefaultValueFactory = _ => "runs/demo" };
        var toy = new Option<string>("--toy") { Description = $"2-D set ({TrainingSetup.ToyNames}; default checkerboard)", DefaultValueFactory = _ => "checkerboard" };
        var quick = new Option<bool>("--quick") { Description = "tiny budget (seconds; 2-D part only) for smoke tests" };
        var noImages = new Option<bool>("--no-images") { Description = "skip the Fashion-MNIST part" };
        var seed = new Option<ulong>("--seed") { Description = "seed (default 0)" };
        var wall = new Option<double?>("--budget-seconds") { Description = "wall-time budget of the whole demo in seconds (default 540); image steps are reduced to fit", HelpName = "S" };
        var gamma = new Option<string?>("--gamma") { Description = "MixFlow γ of the post-training runs, in [0, 1] (default 0.8)", HelpName = "G" };
        foreach (var o in new Option[] { outDir, toy, quick, noImages, seed, wall, gamma }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            if (MixFlow.Distributed.DistributedRuntime.UnderMpi)
                throw new ConfigException("demo", "demo: runs in a single process (every rank would write the same files); start it without mpirun");
            var budget = parse.GetValue(quick) ? Quick : Default;
            if (parse.GetValue(noImages)) budget = budget with { ImageSteps = 0 };
            if (parse.GetValue(wall) is double w)
                budget = w >= 30 ? budget with { WallSeconds = w } : throw new ConfigException("budget-seconds", $"budget-seconds: must be >= 30 (got {w})");
            double g = parse.GetValue(gamma) is { } gs ? TrainConfigKeys.Apply(new TrainConfig(), "gamma", gs).Gamma : new TrainConfig().Gamma;
            Run(parse.GetValue(outDir)!, TrainingSetup.ParseToy(parse.GetValue(toy)!), budget, parse.GetValue(seed), g);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>One post-training variant's results.</summary>
    public sealed record Variant(string Name, string Checkpoint, IReadOnlyList<TrainLogEntry> Log, string SamplesPng, IReadOnlyDictionary<int, (double Sw2, double Mmd)> Scores);

    /// <summary>Results of one part (2-D or images).</summary>
    public sealed record Part(string Title, string Description, IReadOnlyList<Variant> Variants, string LossPlot, double Seconds, string? Note);

    /// <summary>Runs the demo and writes the report; returns the report path.</summary>
    public static string Run(string outDir, Toy2D toy, Budget budget, ulong seed, double gamma = 0.8)
    {
        var clock = Stopwatch.StartNew();
        outDir = Path.GetFullPath(outDir);
        CheckpointManager.EnsureWritableDirectory(outDir);
        var parts = new List<Part> { PointsPart(outDir, toy, budget, seed, gamma) };
        if (budget.ImageSteps > 0)
        {
            if (FashionMnist.IsAvailable()) parts.Add(ImagesPart(outDir, budget, seed, budget.WallSeconds - clock.Elapsed.TotalSeconds, gamma));
            else
            {
                string note = $"Fashion-MNIST not found in {FashionMnist.DefaultDirectory}: install Debian's package with 'apt-get install dataset-fashion-mnist' (the ./mixflow launcher does this) — image part skipped.";
                ConsoleUi.Line("demo: " + note);
                parts.Add(new Part("Fashion-MNIST", "", [], "", 0, note));
            }
        }
        string report = DemoReport.Write(outDir, parts, clock.Elapsed.TotalSeconds, Engine.Describe());
        ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture, $"demo: finished in {clock.Elapsed.TotalSeconds:0} s → {report} (and report.md)"));
        return report;
    }

    private static TrainConfig Base(string data, string model, int steps, int batch, double lr, string outDir, ulong seed) => new()
    {
        Data = DataSpec.Parse(data), Model = model, Steps = steps, BatchSize = batch, Lr = lr, Out = outDir, Seed = seed,
        LogEvery = Math.Max(1, steps / 40), SampleEvery = 0, CkptEvery = 0, Keep = 1, EmaDecay = 0.999,
    };

    private static TrainResult Train(TrainingSession s, string title)
    {
        using var owned = s;
        using var signal = new ShutdownSignal();
        return ConsoleUi.Run(title, sink => new Trainer(s, sink).Run(signal.Token));
    }

    private static Part PointsPart(string root, Toy2D toy, Budget b, ulong seed, double gamma)
    {
        var clock = Stopwatch.StartNew();
        string dir = Path.Combine(root, "points");
        string data = "toy:" + toy.ToString().ToLowerInvariant() switch { "eightgaussians" => "8gaussians", "twomoons" => "moons", var x => x };
        var ds = TrainingSetup.LoadData(DataSpec.Parse(data), seed);
        var cfg = Base(data, "flow-mlp", b.PointSteps, 256, 1e-3, Path.Combine(dir, "pretrain"), seed) with { EmaDecay = 0.995, Gamma = gamma };
        var pre = TrainingSetup.Create(cfg, ds);
        var preResult = Train(pre, "2-D pretrain");
        var parent = Checkpoint.Open(preResult.CheckpointPath!);
        var variants = new List<Variant> { EvalPoints("pretrained (FM)", parent, preResult.Log, toy, dir, b, seed) };
        foreach (var (name, obj) in new[] { ("+ flow matching", ObjectiveKind.FlowMatching), ("+ MixFlow", ObjectiveKind.MixFlow) })
        {
            var pc = parent.Config.ForPostTraining(obj) with { Steps = b.PointPostSteps, Out = Path.Combine(dir, "post-" + obj.ToCliName()), LogEvery = Math.Max(1, b.PointPostSteps / 20) };
            var s = TrainingSetup.PostTrain(parent, pc, keepOptimizer: false, ds);
            var r = Train(s, "2-D post " + obj.ToCliName());
            variants.Add(EvalPoints(name, Checkpoint.Open(r.CheckpointPath!), r.Log, toy, dir, b, seed));
        }
        string loss = Path.Combine(dir, "loss.png");
        LossPlot(variants, loss, "2-D losses");
        return new Part($"2-D: {toy}", $"flow-mlp ({pre.Model.ParameterCount:N0} parameters), {b.PointSteps} pretraining steps of 256 points, then {b.PointPostSteps} steps of each post-training objective (γ = {parent.Config.Gamma.ToString(CultureInfo.InvariantCulture)} for MixFlow). Scores: Euler sampling from the EMA weights, {b.EvalPoints} samples vs {b.EvalPoints} fresh true points; sliced W2 and unbiased RBF-MMD² (median-heuristic bandwidths) from MixFlow.Evaluation, lower is better.",
            variants, loss, clock.Elapsed.TotalSeconds, null);
    }

    private static Variant EvalPoints(string name, Checkpoint ck, IReadOnlyList<TrainLogEntry> log, Toy2D toy, string dir, Budget b, ulong seed)
    {
        var (model, _) = SampleCommand.LoadModel(ck, useEma: true);
        var flow = (IFlowModel)model;
        var scores = new Dictionary<int, (double, double)>();
        string stem = Slug(name);
        string png = "";
        var truth = ToyDataset.Sample(toy, b.EvalPoints, new Generator(seed + 4242));
        foreach (int nfe in EvalNfes)
        {
            var s = SampleGenerator.Generate(flow, [2], new SampleRequest { Sampler = SamplerKind.Euler, Steps = nfe, Count = b.EvalPoints, BatchSize = 1000, Seed = seed + 7 });
            var m = ToyMetrics.Compute(s.X, truth, new ToyMetricsOptions { Seed = seed + 5 });
            scores[nfe] = (m.SlicedW2, m.Mmd2);
            if (nfe == EvalNfes[^1] || nfe == EvalNfes[0])
            {
                string p = Path.Combine(dir, $"samples-{stem}-nfe{nfe}.png");
                SampleWriter.WriteScatter(s.X, p, truth, $"{name}, {nfe} Euler steps");
                if (nfe == EvalNfes[0]) png = p;
            }
        }
        ConsoleUi.Line($"demo: {name}: " + string.Join(", ", scores.Select(kv => string.Create(CultureInfo.InvariantCulture, $"NFE {kv.Key}: SW2 {kv.Value.Item1:0.0000} MMD² {kv.Value.Item2:0.00000}"))));
        return new Variant(name, ck.Directory, log, png, scores);
    }

    private static Part ImagesPart(string root, Budget b, ulong seed, double secondsLeft, double gamma)
    {
        var clock = Stopwatch.StartNew();
        string dir = Path.Combine(root, "images");
        var ds = ConsoleUi.RunStatus("loading Fashion-MNIST", () => FashionMnist.Load(DatasetSplit.Train));
        // Calibrate: the first steps of pretraining measure the rate; the run then resumes (bit-exactly) with step
        // counts that fit the remaining budget.
        var cfg = Base("fmnist", ModelPresets.DefaultImages, CalibrationSteps, b.ImageBatch, 1e-3, Path.Combine(dir, "pretrain"), seed) with { Warmup = 20, EmaDecay = 0.995, LogEvery = 1, Gamma = gamma };
        var calib = Train(TrainingSetup.Create(cfg, ds), "image pretrain (calibration)");
        var timed = calib.Log.Skip(4).ToList(); // the first steps include JIT compilation
        double rate = timed.Count > 0 ? timed.Count / timed.Sum(e => 1 / Math.Max(e.StepsPerSecond, 1e-9)) : calib.FinalStep / calib.ElapsedSeconds;
        // Reserve: sampling 3 grids (≈ 10 step-equivalents each), checkpoints, loading and a safety margin.
        double usable = secondsLeft - clock.Elapsed.TotalSeconds - 20;
        int total = (int)Math.Max(0, rate * usable) - 20;
        int post = Math.Clamp(total / 5, 10, b.ImagePostSteps);
        int pretrain = Math.Clamp(total - 2 * post, CalibrationSteps + 10, b.ImageSteps);
        ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture,
            $"demo: measured {rate:0.00} image steps/s; {secondsLeft:0} s left → {pretrain} pretraining steps and {post} post-training steps per objective"));
        var pre = TrainingSetup.Resume(Checkpoint.Open(calib.CheckpointPath!), pretrain, ds, logEvery: Math.Max(1, pretrain / 40));
        var preResult = Train(pre, "image pretrain");
        var parent = Checkpoint.Open(preResult.CheckpointPath!);
        // Re-plan the post-training steps from the rate of the pretraining run itself (steadier than the calibration).
        if (preResult.FinalStep > preResult.StartStep && preResult.ElapsedSeconds > 0)
        {
            double rate2 = (preResult.FinalStep - preResult.StartStep) / preResult.ElapsedSeconds;
            double left = secondsLeft - clock.Elapsed.TotalSeconds - 25; // three grids, checkpoints, the report
            post = Math.Clamp((int)(rate2 * left / 2), 10, b.ImagePostSteps);
            ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture, $"demo: pretraining ran at {rate2:0.00} steps/s; {post} post-training steps per objective"));
        }
        var preLog = MetricsWriter.ReadAll(preResult.MetricsPath);
        var variants = new List<Variant> { GridOf("pretrained (FM)", parent, preLog, dir, seed) };
        foreach (var (name, obj) in new[] { ("+ flow matching", ObjectiveKind.FlowMatching), ("+ MixFlow", ObjectiveKind.MixFlow) })
        {
            var pc = parent.Config.ForPostTraining(obj) with { Steps = post, Warmup = 0, Out = Path.Combine(dir, "post-" + obj.ToCliName()), LogEvery = Math.Max(1, b.ImagePostSteps / 20) };
            var s = TrainingSetup.PostTrain(parent, pc, keepOptimizer: false, ds);
            var r = Train(s, "image post " + obj.ToCliName());
            variants.Add(GridOf(name, Checkpoint.Open(r.CheckpointPath!), r.Log, dir, seed));
        }
        string loss = Path.Combine(dir, "loss.png");
        LossPlot(variants, loss, "Fashion-MNIST losses");
        return new Part("Fashion-MNIST", $"{ModelPresets.DefaultImages} class-conditional ({pre.Model.ParameterCount:N0} parameters), {pretrain} pretraining steps of {b.ImageBatch} images, then {post} steps of each post-training objective (step counts fitted to the {b.WallSeconds:0} s budget from the measured training rate). Grids: 10 samples per class (rows by class), Euler with 16 steps from the EMA weights, no guidance. No image metric is computed in this demo.",
            variants, loss, clock.Elapsed.TotalSeconds, null);
    }

    private static Variant GridOf(string name, Checkpoint ck, IReadOnlyList<TrainLogEntry> log, string dir, ulong seed)
    {
        var (model, _) = SampleCommand.LoadModel(ck, useEma: true);
        var flow = (IFlowModel)model;
        int k = Math.Max(1, flow.NumClasses);
        int[]? labels = flow.NumClasses > 0 ? Enumerable.Range(0, 10 * k).Select(i => i / 10).ToArray() : null;
        var s = ConsoleUi.RunStatus($"sampling {name}", () => SampleGenerator.Generate(flow, ck.State.SampleShape,
            new SampleRequest { Sampler = SamplerKind.Euler, Steps = 16, Count = labels?.Length ?? 100, BatchSize = 100, Labels = labels, Seed = seed + 3 }));
        string png = Path.Combine(dir, $"samples-{Slug(name)}.png");
        SampleWriter.WriteGrid(s.X, png, s.X.Size(0));
        return new Variant(name, ck.Directory, log, png, new Dictionary<int, (double, double)>());
    }

    private static void LossPlot(IReadOnlyList<Variant> variants, string path, string title)
    {
        var plot = new LinePlot(new PlotOptions { Width = 640, Height = 360, Title = title, XLabel = "step", YLabel = "loss" });
        int offset = 0, i = 0;
        foreach (var v in variants)
        {
            if (v.Log.Count == 0) continue;
            var x = v.Log.Select(e => (double)(e.Step + (i == 0 ? 0 : offset))).ToArray();
            var y = v.Log.Select(e => e.Loss).ToArray();
            plot.Add(v.Name, x, y, Rgb.Series(i));
            if (i == 0) offset = v.Log[^1].Step;
            i++;
        }
        SampleWriter.SavePng(path, plot.ToImage());
    }

    internal static string Slug(string s) => new string(s.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-').Replace("--", "-").Replace("--", "-");
}
