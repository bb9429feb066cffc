using System.CommandLine;
using System.Globalization;
using MixFlow.Evaluation;
using MixFlow.Experiments;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow experiment fmnist|toy2d</c>: the resumable replication experiment (<see cref="ExperimentRunner"/>):
/// pretraining, four post-training variants, the evaluation grid, the Slow-Flow plots and <c>report.md</c>.
/// </summary>
public static class ExperimentCommand
{
    /// <summary>Builds the command with its two subcommands.</summary>
    public static Command Build()
    {
        var cmd = new Command("experiment", "Run (or resume) the MixFlow replication experiment: pretrain, post-train (FM, MixFlow 0.8/0.4, IP 0.1), evaluate, Slow-Flow, report.md.");
        cmd.Subcommands.Add(BuildOne(ExperimentKind.FashionMnist, "Class-conditional SiT on Fashion-MNIST; FD, precision, recall, class accuracy."));
        cmd.Subcommands.Add(BuildOne(ExperimentKind.Toy2D, "Flow MLP on a 2-D toy set; sliced W2, MMD², test NLL."));
        return cmd;
    }

    private static Command BuildOne(ExperimentKind kind, string description)
    {
        string name = ExperimentOptions.Name(kind);
        var cmd = new Command(name, description);
        var scale = new Option<string>("--scale") { Description = "smoke | small | full (default small): the preset budgets; the flags below override it", DefaultValueFactory = _ => "small" };
        var outDir = new Option<string?>("--out") { Description = $"run directory (default runs/experiment-{name})", HelpName = "DIR" };
        var pre = new Option<int?>("--pretrain-steps") { Description = "pretraining steps", HelpName = "N" };
        var post = new Option<int?>("--posttrain-steps") { Description = "post-training steps per variant", HelpName = "N" };
        var samples = new Option<int?>("--samples") { Description = "samples per evaluation cell", HelpName = "N" };
        var batch = new Option<int?>("--batch-size") { Description = "training batch size", HelpName = "N" };
        var lr = new Option<double?>("--lr") { Description = "AdamW learning rate", HelpName = "LR" };
        var warmup = new Option<int?>("--warmup") { Description = "pretraining warm-up steps", HelpName = "N" };
        var ema = new Option<double?>("--ema-decay") { Description = "EMA decay (EMA weights are evaluated)", HelpName = "D" };
        var model = new Option<string?>("--model") { Description = "model preset", HelpName = "PRESET" };
        var toy = new Option<string?>("--toy") { Description = "toy set of the 2-D experiment (default checkerboard)", HelpName = "NAME" };
        var seed = new Option<ulong?>("--seed") { Description = "pretraining seed (default 0)", HelpName = "SEED" };
        var postSeed = new Option<ulong?>("--posttrain-seed") { Description = "post-training seed of every variant (default 1)", HelpName = "SEED" };
        var evalSeed = new Option<ulong?>("--eval-seed") { Description = "noise seed of every evaluation cell (default 2024)", HelpName = "SEED" };
        var nfe = new Option<string?>("--nfe") { Description = "NFE budgets of the Euler/Heun grid (default 10,20,50)", HelpName = "N,N,…" };
        var cfg = new Option<double?>("--cfg") { Description = "guidance scale of the guided cells (default 1.5)", HelpName = "W" };
        var cfgNfe = new Option<string?>("--cfg-nfe") { Description = "NFE budgets evaluated with guidance ('none' to skip)", HelpName = "N,N,…" };
        var rivalNfe = new Option<string?>("--rival-nfe") { Description = "NFE budgets of epsilon scaling / time shift on (a) ('none' to skip)", HelpName = "N,N,…" };
        var lambda = new Option<double?>("--eps-lambda") { Description = "epsilon-scaling lambda >= 1 (default 1.005)", HelpName = "L" };
        var sfSamples = new Option<int?>("--slowflow-samples") { Description = "Slow-Flow trajectories", HelpName = "N" };
        var sfSteps = new Option<int?>("--slowflow-steps") { Description = "Slow-Flow Euler steps", HelpName = "N" };
        var nllSamples = new Option<int?>("--nll-samples") { Description = "2-D test NLL points", HelpName = "N" };
        var evalBatch = new Option<int?>("--eval-batch") { Description = "samples per sampler call", HelpName = "N" };
        var ckptEvery = new Option<int?>("--ckpt-every") { Description = "checkpoint interval of the training stages", HelpName = "N" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "feature-network cache folder", HelpName = "DIR" };
        var threads = new Option<int?>("--threads") { Description = "engine threads (0 = all)", HelpName = "N" };
        var reportOnly = new Option<bool>("--report-only") { Description = "write report.md/report.json from the finished stages and exit without running any (safe while runners work on the directory)" };
        foreach (var o in new Option[] { scale, outDir, pre, post, samples, batch, lr, warmup, ema, model, toy, seed, postSeed, evalSeed, nfe, cfg, cfgNfe, rivalNfe, lambda, sfSamples, sfSteps, nllSamples, evalBatch, ckptEvery, cacheDir, threads, reportOnly })
            cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var sc = ParseScale(parse.GetValue(scale)!);
            var o = ExperimentOptions.ForScale(kind, sc, parse.GetValue(outDir));
            if (parse.GetValue(pre) is int p) o = o with { PretrainSteps = p };
            if (parse.GetValue(post) is int q) o = o with { PosttrainSteps = q };
            if (parse.GetValue(samples) is int n) o = o with { Samples = n };
            if (parse.GetValue(batch) is int b) o = o with { BatchSize = b };
            if (parse.GetValue(lr) is double l) o = o with { Lr = l };
            if (parse.GetValue(warmup) is int w) o = o with { Warmup = w };
            if (parse.GetValue(ema) is double e) o = o with { EmaDecay = e };
            if (parse.GetValue(model) is { } m) o = o with { Model = m };
            if (parse.GetValue(toy) is { } t)
            {
                if (kind != ExperimentKind.Toy2D) throw new ConfigException("toy", "toy: only the toy2d experiment has a toy set");
                o = o with { Toy = TrainingSetup.ParseToy(t) };
            }
            if (parse.GetValue(seed) is ulong s1) o = o with { Seed = s1 };
            if (parse.GetValue(postSeed) is ulong s2) o = o with { PosttrainSeed = s2 };
            if (parse.GetValue(evalSeed) is ulong s3) o = o with { EvalSeed = s3 };
            if (parse.GetValue(nfe) is { } nf) o = o with { Nfes = ParseList(nf, "nfe", allowNone: false) };
            if (parse.GetValue(cfg) is double c) o = o with { GuidanceScale = c };
            if (parse.GetValue(cfgNfe) is { } cn) o = o with { GuidanceNfes = ParseList(cn, "cfg-nfe", allowNone: true) };
            if (parse.GetValue(rivalNfe) is { } rn) o = o with { RivalNfes = ParseList(rn, "rival-nfe", allowNone: true) };
            if (parse.GetValue(lambda) is double lam) o = o with { EpsilonLambda = lam };
            if (parse.GetValue(sfSamples) is int fs) o = o with { SlowFlowSamples = fs };
            if (parse.GetValue(sfSteps) is int ft) o = o with { SlowFlowSteps = ft };
            if (parse.GetValue(nllSamples) is int ns) o = o with { NllSamples = ns };
            if (parse.GetValue(evalBatch) is int eb) o = o with { EvalBatchSize = eb };
            if (parse.GetValue(ckptEvery) is int ce) o = o with { CkptEvery = ce };
            if (parse.GetValue(cacheDir) is { } cd) o = o with { CacheDirectory = cd };
            if (parse.GetValue(threads) is int th) o = o with { Threads = th };
            bool onlyReport = parse.GetValue(reportOnly);
            string command = "mixflow " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).Where(a => a != "--report-only").Select(Quote));
            if (command.Trim() == "mixflow") command = $"mixflow experiment {name} --scale {sc.ToString().ToLowerInvariant()}";
            if (onlyReport && !Directory.Exists(o.RunDirectory))
                throw new ConfigException("out", $"report-only: there is no run directory '{Path.GetFullPath(o.RunDirectory)}' (give the --out of the run)");
            var runner = new ExperimentRunner(o, new CliExperimentHost(), command);
            string report = Path.Combine(Path.GetFullPath(o.RunDirectory), ExperimentReport.MarkdownFile);
            if (onlyReport)
            {
                var partial = runner.WriteReport();
                ConsoleUi.Line($"experiment {name}: {partial.Stages.Count} of {runner.PlannedStages().Count} stages finished; report {report}");
                return ExitCodes.Ok;
            }
            ConsoleUi.Line($"experiment {name}: {o.Scale.ToString().ToLowerInvariant()} scale, {runner.PlannedStages().Count} stages → {Path.GetFullPath(o.RunDirectory)}");
            using var signal = new ShutdownSignal();
            var summary = runner.Run(signal.Token);
            ConsoleUi.Line($"experiment {name}: {(summary.Missing.Count == 0 ? "all stages finished" : $"{summary.Missing.Count} stages missing")}; report {report}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static string Quote(string a) => a.Length > 0 && a.All(ch => char.IsLetterOrDigit(ch) || "-_./:=,+".Contains(ch)) ? a : "'" + a.Replace("'", "'\\''") + "'";

    /// <summary>Parses <c>smoke | small | full</c>.</summary>
    /// <exception cref="ConfigException">Unknown scale (key <c>scale</c>).</exception>
    public static ExperimentScale ParseScale(string text) => text.Trim().ToLowerInvariant() switch
    {
        "smoke" => ExperimentScale.Smoke,
        "small" => ExperimentScale.Small,
        "full" => ExperimentScale.Full,
        _ => throw new ConfigException("scale", $"scale: unknown scale '{text}' (allowed: smoke | small | full)"),
    };

    /// <summary>Parses a comma-separated list of positive integers (or <c>none</c> when allowed).</summary>
    /// <exception cref="ConfigException">Not a list of integers (names the option).</exception>
    public static IReadOnlyList<int> ParseList(string text, string key, bool allowNone)
    {
        if (allowNone && text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ConfigException(key, $"{key}: empty list (expected e.g. 10,20,50{(allowNone ? " or none" : "")})");
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
            : throw new ConfigException(key, $"{key}: '{p}' is not a positive integer (expected e.g. 10,20,50{(allowNone ? " or none" : "")})")).ToList();
    }

    /// <summary>Console host: progress bars or plain lines for training, one line per stage.</summary>
    private sealed class CliExperimentHost : IExperimentHost
    {
        public void Message(string text) => ConsoleUi.Line(text);

        public TrainResult Train(string title, Func<IProgressSink, TrainResult> run) => ConsoleUi.Run(title, run);

        public IProgress<FeatureTrainingProgress>? FeatureProgress { get; } = EvalCommand.FeatureProgressPrinter();
    }
}
