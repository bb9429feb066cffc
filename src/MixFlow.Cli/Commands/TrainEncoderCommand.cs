using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow train-encoder</c>: trains the representation encoder of REPA and RAE — a small CNN classifier on labelled
/// images whose last feature map gives the tokens (<see cref="CnnPatchEncoder"/>), with its token statistics — and saves
/// it as one <c>.safetensors</c> file. Deterministic for a seed.
/// </summary>
public static class TrainEncoderCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("train-encoder", "Train the representation encoder for REPA/RAE (a small CNN classifier whose feature map gives the tokens) and save it.");
        var data = new Option<string>("--data") { Description = "labelled training images: fmnist | mnist | npz:<path> | png:<dir> (default fmnist)", DefaultValueFactory = _ => "fmnist" };
        var epochs = new Option<int>("--epochs") { Description = "passes over the data (default 1)", DefaultValueFactory = _ => 1 };
        var steps = new Option<int?>("--steps") { Description = "optimizer steps instead of --epochs", HelpName = "N" };
        var batch = new Option<int>("--batch-size") { Description = "images per step (default 128)", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate (default 2e-3)", DefaultValueFactory = _ => 2e-3 };
        var channels = new Option<string>("--channels") { Description = "channels of the three convolutions; the last is the token width (default 32,64,128)", DefaultValueFactory = _ => "32,64,128", HelpName = "C1,C2,C3" };
        var stats = new Option<int>("--stats-samples") { Description = "images used for the token statistics (default 10000)", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initialisation and data order (default 0)" };
        var threads = ThreadsOption.Create();
        var outPath = new Option<string>("--out") { Description = "output file (default runs/encoder.safetensors)", DefaultValueFactory = _ => "runs/encoder.safetensors", HelpName = "FILE" };
        foreach (var o in new Option[] { data, epochs, steps, batch, lr, channels, stats, seed, threads, outPath }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            int ep = parse.GetValue(epochs), bs = parse.GetValue(batch), ns = parse.GetValue(stats);
            int? st = parse.GetValue(steps);
            double rate = parse.GetValue(lr);
            CheckPositive("epochs", ep); CheckPositive("batch-size", bs); CheckPositive("stats-samples", ns);
            if (st is int s0) CheckPositive("steps", s0);
            if (!(rate > 0) || !double.IsFinite(rate)) throw new ConfigException("lr", $"lr: must be a finite value > 0 (got {rate.ToString(CultureInfo.InvariantCulture)})");
            ThreadsOption.Apply(parse, threads);
            var ch = ParseChannels(parse.GetValue(channels)!);
            string file = PrepareOutput(parse.GetValue(outPath)!);
            var ds = LoadImages(parse.GetValue(data)!, parse.GetValue(seed));
            var recipe = new RepresentationEncoderRecipe
            {
                Epochs = ep, MaxSteps = st, BatchSize = Math.Min(bs, ds.Count), LearningRate = rate, Seed = parse.GetValue(seed),
                Channels = ch, StatsSamples = Math.Min(ns, ds.Count),
            };
            using var signal = new ShutdownSignal();
            var r = RunTrainer("train-encoder", p => RepresentationEncoderTrainer.Train(ds, recipe, p, signal.Token), x => (x.Steps, x.FinalLoss));
            r.Encoder.Save(file);
            var (gh, gw) = r.Encoder.TokenGrid;
            ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture,
                $"train-encoder: {r.Steps} steps, final loss {ConsoleUi.Fmt(r.FinalLoss)}, train accuracy {100 * r.TrainAccuracy:0.0}%, {r.Encoder.TokenDim}-d tokens on a {gh}×{gw} grid → {file}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Loads labelled images for the encoder/decoder tools (<c>--data</c>).</summary>
    /// <exception cref="ConfigException">Bad spelling, or 2-D points instead of images (key <c>data</c>).</exception>
    internal static IDataset LoadImages(string text, ulong seed)
    {
        var spec = DataSpec.Parse(text, "data");
        if (spec.IsPoints) throw new ConfigException("data", $"data: '{text}' is a 2-D point set; the encoder and decoder work on images (fmnist | mnist | npz:<path> | png:<dir>)");
        var ds = TrainingSetup.LoadData(spec, seed);
        if (ds.SampleShape.Length != 3) throw new ConfigException("data", $"data: '{text}' has samples [{string.Join(", ", ds.SampleShape)}], expected images [C, H, W]");
        return ds;
    }

    /// <summary>Makes the output file's directory and returns its full path.</summary>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    internal static string PrepareOutput(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ConfigException("out", "out: empty file name");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ConfigException("out", $"out: '{full}' is a directory, expected a file name such as {Path.Combine(path, "encoder.safetensors")}");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    internal static void CheckPositive(string key, int v)
    {
        if (v < 1) throw new ConfigException(key, $"{key}: must be >= 1 (got {v})");
    }

    private static int[] ParseChannels(string s)
    {
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var r = parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : -1).ToArray();
        if (r.Length != 3 || r.Any(v => v < 1)) throw new ConfigException("channels", $"channels: '{s}' is not three positive integers C1,C2,C3 (e.g. 32,64,128)");
        return r;
    }

    /// <summary>
    /// Runs a step-reporting trainer under a progress display (a bar on a terminal, a line every 50 steps otherwise) and
    /// reports its end.
    /// </summary>
    internal static T RunTrainer<T>(string title, Func<IProgress<TrainerProgress>, T> work, Func<T, (int Steps, double Loss)> summary) =>
        ConsoleUi.Run(title, sink =>
        {
            var clock = Stopwatch.StartNew();
            var r = work(new SinkProgress(sink));
            var (steps, loss) = summary(r);
            sink.OnEnd(new TrainResult(TrainStopReason.Completed, 0, steps, 0, loss, null, "", clock.Elapsed.TotalSeconds, []));
            return r;
        });

    /// <summary>Forwards trainer steps to a progress sink, synchronously on the training thread.</summary>
    private sealed class SinkProgress(IProgressSink sink) : IProgress<TrainerProgress>
    {
        private const int LogEvery = 50;
        private bool _started;

        public void Report(TrainerProgress value)
        {
            if (!_started) { sink.OnStart("training", 0, value.TotalSteps); _started = true; }
            sink.OnStep(value.Step, value.Loss);
            if (!ConsoleUi.Interactive && (value.Step % LogEvery == 0 || value.Step == value.TotalSteps))
                sink.OnMessage(string.Create(CultureInfo.InvariantCulture, $"step {value.Step}/{value.TotalSteps} loss {ConsoleUi.Fmt(value.Loss)}"));
        }
    }
}
