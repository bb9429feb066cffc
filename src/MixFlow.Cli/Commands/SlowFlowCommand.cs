using System.CommandLine;
using System.Globalization;
using MixFlow.Evaluation;
using MixFlow.Imaging;
using MixFlow.Models;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow slowflow</c>: the Slow-Flow diagnostic (see <c>docs/slowflow.md</c>) of one or more checkpoints, with
/// both estimators: a table on the console, <c>&lt;out&gt;.json</c> and an overlay plot <c>&lt;out&gt;.png/.svg</c>
/// (paper Figure 1 style).
/// </summary>
public static class SlowFlowCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("slowflow", "Slow-Flow diagnostic: how far each sampler state lags behind its time, for one or more checkpoints (overlaid): table, JSON, PNG/SVG.");
        var ckpts = new Option<string[]>("--ckpt", "--checkpoint") { Description = "checkpoint or run directory (repeat to overlay several)", Required = true, HelpName = "CKPT", AllowMultipleArgumentsPerToken = false };
        var names = new Option<string[]>("--label") { Description = "legend label of the corresponding --ckpt (repeatable; default: the checkpoint's run folder and step)", HelpName = "TEXT" };
        var method = new Option<string>("--method") { Description = "euler | heun | midpoint | rk4 (default euler)", DefaultValueFactory = _ => "euler" };
        var steps = new Option<int>("--steps") { Description = "sampler steps (default 50)", DefaultValueFactory = _ => 50 };
        var shift = new Option<double>("--shift") { Description = "time-grid shift (default 1: uniform)", DefaultValueFactory = _ => 1.0 };
        var samples = new Option<int>("--samples") { Description = "trajectories per checkpoint (default 256)", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch-size", "--batch") { Description = "trajectories per sampler call (default 128)", DefaultValueFactory = _ => 128 };
        var seed = new Option<ulong>("--seed") { Description = "noise seed (default 0)" };
        var labels = new Option<string?>("--labels") { Description = "balanced | random class labels for conditional models (default balanced)", HelpName = "MODE" };
        var estimator = new Option<string>("--estimator") { Description = "least-squares | x0-share | both: which curves go to the plot (default both)", DefaultValueFactory = _ => "both" };
        var noEma = new Option<bool>("--no-ema") { Description = "use the raw weights instead of the EMA" };
        var outPrefix = new Option<string>("--out") { Description = "output prefix: <out>.json, <out>.png, <out>.svg (default slowflow)", DefaultValueFactory = _ => "slowflow", HelpName = "PREFIX" };
        var threads = ThreadsOption.Create();
        foreach (var o in new Option[] { ckpts, names, method, steps, shift, samples, batch, seed, labels, estimator, noEma, outPrefix, threads }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            ThreadsOption.Apply(parse, threads);
            var paths = parse.GetValue(ckpts) ?? [];
            var given = parse.GetValue(names) ?? [];
            if (given.Length > paths.Length) throw new ConfigException("label", $"label: {given.Length} labels for {paths.Length} checkpoints");
            var est = ParseEstimator(parse.GetValue(estimator)!);
            var options = new SlowFlowOptions
            {
                Method = ParseMethod(parse.GetValue(method)!), Steps = parse.GetValue(steps), Shift = parse.GetValue(shift),
                Samples = parse.GetValue(samples), BatchSize = parse.GetValue(batch), Seed = parse.GetValue(seed),
                Labels = parse.GetValue(labels) is { } lm ? ParseLabelMode(lm) : SampleLabelMode.Balanced,
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new ConfigException("steps", $"slowflow: {e.Message}"); }
            string prefix = parse.GetValue(outPrefix)!;
            EvalCommand.EnsureParent(prefix + ".json", "out");
            var checkpoints = paths.Select(Checkpoint.Open).ToList();
            var diag = new SlowFlowDiagnostic(TrainingSetup.Transport(), options);
            var reports = new List<SlowFlowReport>();
            for (int i = 0; i < checkpoints.Count; i++)
            {
                var ck = checkpoints[i];
                string label = i < given.Length ? given[i] : $"{Path.GetFileName(Path.GetDirectoryName(ck.Directory))} step {ck.State.Step}";
                var (model, _) = SampleCommand.LoadModel(ck, !parse.GetValue(noEma));
                var rep = ConsoleUi.RunStatus($"slowflow {label}", () => diag.Run((IFlowModel)model, ck.State.SampleShape, label));
                reports.Add(rep);
                ConsoleUi.Line(rep.ToTable());
            }
            ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture, $"slowflow: mean lag t − median m_t ({options.Method.ToString().ToLowerInvariant()}, {options.Steps} steps, {options.Samples} trajectories):"));
            foreach (var r in reports)
                ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture, $"  {r.LeastSquares.Label}: least squares {r.LeastSquares.MeanLag:0.0000}, x0 share {r.NoiseShare.MeanLag:0.0000}"));
            File.WriteAllText(prefix + ".json", EvaluationJson.Serialize(reports));
            var plotOptions = new PlotOptions
            {
                Width = 640, Height = 480, XLabel = "sampler time t", YLabel = "estimated time m_t", XRange = (0, 1), YRange = (0, 1),
                Title = string.Create(CultureInfo.InvariantCulture, $"Slow-Flow diagnostic ({options.Method.ToString().ToLowerInvariant()}, {options.Steps} steps)"),
            };
            var chosen = reports.SelectMany(r => est switch
            {
                SlowFlowEstimatorChoice.LeastSquares => [r.LeastSquares],
                SlowFlowEstimatorChoice.NoiseShare => [r.NoiseShare],
                _ => new[] { r.LeastSquares, r.NoiseShare },
            }).ToList();
            SlowFlowPlot.Save(chosen, prefix + ".png", prefix + ".svg", plotOptions);
            var written = new List<string> { prefix + ".json", prefix + ".png", prefix + ".svg" };
            if (est == SlowFlowEstimatorChoice.Both && reports.Count > 1)
            {
                SlowFlowPlot.Save(reports.Select(r => r.LeastSquares).ToList(), prefix + "-least-squares.png", prefix + "-least-squares.svg", plotOptions with { Title = plotOptions.Title + ": least squares" });
                SlowFlowPlot.Save(reports.Select(r => r.NoiseShare).ToList(), prefix + "-x0-share.png", prefix + "-x0-share.svg", plotOptions with { Title = plotOptions.Title + ": x0 share" });
                written.AddRange([prefix + "-least-squares.png", prefix + "-x0-share.png"]);
            }
            ConsoleUi.Line($"slowflow: wrote {string.Join(", ", written)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Which estimator's curves go to the plot.</summary>
    public enum SlowFlowEstimatorChoice
    {
        /// <summary>Least-squares slowed timestep.</summary>
        LeastSquares,
        /// <summary>x0 share.</summary>
        NoiseShare,
        /// <summary>Both.</summary>
        Both,
    }

    /// <summary>Parses <c>least-squares | x0-share | both</c>.</summary>
    /// <exception cref="ConfigException">Unknown name (key <c>estimator</c>).</exception>
    public static SlowFlowEstimatorChoice ParseEstimator(string s) => s.Trim().ToLowerInvariant() switch
    {
        "least-squares" or "ls" => SlowFlowEstimatorChoice.LeastSquares,
        "x0-share" or "noise-share" => SlowFlowEstimatorChoice.NoiseShare,
        "both" => SlowFlowEstimatorChoice.Both,
        _ => throw new ConfigException("estimator", $"estimator: unknown estimator '{s}' (allowed: least-squares | x0-share | both)"),
    };

    /// <summary>Parses an ODE method name.</summary>
    /// <exception cref="ConfigException">Unknown name (key <c>method</c>).</exception>
    public static OdeMethod ParseMethod(string s) => s.Trim().ToLowerInvariant() switch
    {
        "euler" => OdeMethod.Euler,
        "heun" => OdeMethod.Heun,
        "midpoint" => OdeMethod.Midpoint,
        "rk4" => OdeMethod.Rk4,
        _ => throw new ConfigException("method", $"method: unknown method '{s}' (allowed: euler | heun | midpoint | rk4)"),
    };

    private static SampleLabelMode ParseLabelMode(string s) => s.Trim().ToLowerInvariant() switch
    {
        "balanced" => SampleLabelMode.Balanced,
        "random" => SampleLabelMode.Random,
        _ => throw new ConfigException("labels", $"labels: unknown mode '{s}' (allowed: balanced | random)"),
    };
}
