using System.CommandLine;
using System.Globalization;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Cli.Commands;

/// <summary><c>mixflow sample</c>: draws samples from a checkpoint.</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("sample", "Sample from a checkpoint: a PNG grid and samples.npz (images) or samples.npy and a scatter plot (2-D data).");
        var ckpt = new Option<string>("--ckpt") { Description = "checkpoint or run directory", Required = true, HelpName = "CKPT" };
        var sampler = new Option<string>("--sampler") { Description = "euler | heun | midpoint | rk4 | dopri5 | em (default euler)", DefaultValueFactory = _ => "euler" };
        var steps = new Option<int>("--steps") { Description = "integration steps (default 50; dopri5 is adaptive)", DefaultValueFactory = _ => 50 };
        var n = new Option<int>("--n") { Description = "number of samples (default 64)", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch-size") { Description = "samples per network batch (default 256)", DefaultValueFactory = _ => 256 };
        var cfgScale = new Option<double>("--cfg") { Description = "classifier-free guidance scale (default 1: none)", DefaultValueFactory = _ => 1.0 };
        var cfgInterval = new Option<string?>("--cfg-interval") { Description = "guidance interval in t as 'lo,hi' (default 0,1)", HelpName = "LO,HI" };
        var auto = new Option<string?>("--autoguidance") { Description = "weak checkpoint for autoguidance", HelpName = "CKPT" };
        var autoScale = new Option<double>("--autoguidance-scale") { Description = "autoguidance scale (default 2)", DefaultValueFactory = _ => 2.0 };
        var labels = new Option<string?>("--labels") { Description = "class labels, e.g. 1,2,3 (repeated to --n)", HelpName = "L,L,…" };
        var perClass = new Option<int?>("--per-class") { Description = "this many samples of every class (sets --n)", HelpName = "K" };
        var ema = new Option<bool>("--ema") { Description = "sample with the EMA weights (default)", DefaultValueFactory = _ => true };
        var noEma = new Option<bool>("--no-ema") { Description = "sample with the raw weights" };
        var seed = new Option<ulong>("--seed") { Description = "noise seed (default 0)" };
        var outDir = new Option<string?>("--out") { Description = "output directory (default <ckpt>/samples)", HelpName = "DIR" };
        var threads = ThreadsOption.Create();
        foreach (var o in new Option[] { ckpt, sampler, steps, n, batch, cfgScale, cfgInterval, auto, autoScale, labels, perClass, ema, noEma, seed, outDir, threads }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            ThreadsOption.Apply(parse, threads);
            var kind = ParseSampler(parse.GetValue(sampler)!);
            var ck = Checkpoint.Open(parse.GetValue(ckpt)!);
            bool useEma = parse.GetValue(ema) && !parse.GetValue(noEma);
            var (model, _) = LoadModel(ck, useEma);
            var flow = (IFlowModel)model;
            var weak = LoadWeakModel(parse.GetValue(auto), parse.GetValue(cfgScale), ck, flow.NumClasses, useEma, parse.GetValue(autoScale));
            int count = parse.GetValue(n);
            int[]? lbl = null;
            if (parse.GetValue(perClass) is int k)
            {
                if (k < 1) throw new ConfigException("per-class", $"per-class: must be >= 1 (got {k})");
                if (flow.NumClasses == 0) throw new ConfigException("per-class", "per-class: the model is unconditional (no classes)");
                lbl = Enumerable.Range(0, flow.NumClasses).SelectMany(c => Enumerable.Repeat(c, k)).ToArray();
                count = lbl.Length;
            }
            else if (parse.GetValue(labels) is { } ls)
            {
                var given = ParseInts(ls, "labels");
                lbl = Enumerable.Range(0, count).Select(i => given[i % given.Length]).ToArray();
            }
            var (tmin, tmax) = parse.GetValue(cfgInterval) is { } iv ? ParseInterval(iv) : (0.0, 1.0);
            var req = new SampleRequest
            {
                Sampler = kind, Steps = parse.GetValue(steps), Count = count, BatchSize = parse.GetValue(batch),
                CfgScale = parse.GetValue(cfgScale), CfgTMin = tmin, CfgTMax = tmax, AutoguidanceScale = parse.GetValue(autoScale),
                Labels = lbl, Seed = parse.GetValue(seed),
            };
            req = RepresentationSetup.ForCheckpoint(ck, req); // RAE: shifted time grid, latents decoded to images
            string dir = parse.GetValue(outDir) ?? Path.Combine(ck.Directory, "samples");
            CheckpointManager.EnsureWritableDirectory(dir);
            var result = Generate(ck, flow, req, weak, dir);
            if (result is null) return ExitCodes.Ok; // another MPI rank: rank 0 writes the files
            ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture,
                $"sample: {count} samples with {kind} ({result.Samples.Nfe} NFE) in {result.Samples.Seconds:0.0} s → {result.Files.Png}, {result.Files.Array}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Result of <see cref="Generate"/>.</summary>
    public sealed record Output(GeneratedSamples Samples, SampleFiles Files);

    /// <summary>Generates and writes the samples of a request (under mpirun: spread over the ranks; rank 0 writes, the others return null).</summary>
    public static Output? Generate(Checkpoint ck, IFlowModel model, SampleRequest req, IFlowModel? weak, string dir)
    {
        var shape = ck.State.SampleShape;
        var world = CliWorld.Get();
        var s = ConsoleUi.RunStatus("sample", () => SampleGenerator.Generate(model, shape, req, weak, world));
        if (s is null) return null;
        SampleFiles files;
        if (shape.Length == 1)
        {
            Tensor? reference = null;
            if (ck.Config.Data.IsPoints)
            {
                var toy = TrainingSetup.ParseToy(ck.Config.Data.Argument!);
                reference = MixFlow.Data.ToyDataset.Sample(toy, Math.Min(req.Count, 2000), new Generator(req.Seed + 991));
            }
            files = SampleWriter.WritePoints(s.X, dir, "samples", reference, $"{ck.State.ModelPreset} step {ck.State.Step}");
        }
        else files = SampleWriter.WriteImages(s.X, s.Labels, dir, "samples");
        return new Output(s, files);
    }

    /// <summary>
    /// The weak model of autoguidance (<c>--autoguidance</c>), checked against the main checkpoint, or null when none is
    /// given. Shared by <c>sample</c> and <c>eval</c>.
    /// </summary>
    /// <param name="path">The weak checkpoint, or null.</param>
    /// <param name="cfgScale">The <c>--cfg</c> value: autoguidance and CFG exclude each other.</param>
    /// <param name="main">The main checkpoint.</param>
    /// <param name="mainClasses">Class count of the main model.</param>
    /// <param name="useEma">Load the EMA weights.</param>
    /// <param name="scale">The autoguidance scale.</param>
    /// <exception cref="ConfigException">CFG given too, a bad scale, or a weak model of another sample shape or class count.</exception>
    internal static IFlowModel? LoadWeakModel(string? path, double cfgScale, Checkpoint main, int mainClasses, bool useEma, double scale)
    {
        if (path is null) return null;
        if (cfgScale != 1) throw new ConfigException("autoguidance", "autoguidance: give either --cfg or --autoguidance, not both");
        if (!double.IsFinite(scale) || scale < 0) throw new ConfigException("autoguidance-scale", $"autoguidance-scale: must be a finite number >= 0 (got {scale.ToString(CultureInfo.InvariantCulture)})");
        var weakCk = Checkpoint.Open(path);
        if (!weakCk.State.SampleShape.SequenceEqual(main.State.SampleShape))
            throw new ConfigException("autoguidance", $"autoguidance: the weak checkpoint '{weakCk.Directory}' makes samples of shape [{string.Join(", ", weakCk.State.SampleShape)}], the main one [{string.Join(", ", main.State.SampleShape)}]");
        var weak = (IFlowModel)LoadModel(weakCk, useEma).Model;
        if (weak.NumClasses != mainClasses)
            throw new ConfigException("autoguidance", $"autoguidance: the weak checkpoint '{weakCk.Directory}' has {weak.NumClasses} classes, the main one {mainClasses}");
        return weak;
    }

    /// <summary>Builds a checkpoint's model (in eval mode) with its raw or EMA weights.</summary>
    /// <exception cref="CheckpointException">The checkpoint does not fit its preset.</exception>
    public static (Module Model, Ema Ema) LoadModel(Checkpoint ck, bool useEma)
    {
        var model = ModelPresets.Create(ck.State.ModelPreset, ck.State.SampleShape, ck.State.NumClasses, new Generator(0));
        var e = new Ema(model, (float)ck.Config.EmaDecay);
        ck.RestoreWeights(model, e);
        if (useEma) e.CopyTo(model);
        model.Eval();
        return (model, e);
    }

    /// <summary>Parses a sampler name.</summary>
    /// <exception cref="ConfigException">Unknown name (key <c>sampler</c>).</exception>
    public static SamplerKind ParseSampler(string name)
    {
        SamplerKind k;
        try { k = TransportNames.ParseSampler(name); }
        catch (ArgumentException) { throw new ConfigException("sampler", $"sampler: unknown sampler '{name}' (allowed: euler | heun | midpoint | rk4 | dopri5 | em)"); }
        if (k == SamplerKind.TimeShift) throw new ConfigException("sampler", $"sampler: '{name}' is not offered here (allowed: euler | heun | midpoint | rk4 | dopri5 | em)");
        return k;
    }

    private static int[] ParseInts(string s, string key)
    {
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ConfigException(key, $"{key}: empty list");
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ConfigException(key, $"{key}: '{p}' is not an integer (expected e.g. 1,2,3)")).ToArray();
    }

    private static (double, double) ParseInterval(string s)
    {
        var p = s.Split(',', StringSplitOptions.TrimEntries);
        if (p.Length != 2 || !double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || !(a >= 0 && a < b && b <= 1))
            throw new ConfigException("cfg-interval", $"cfg-interval: '{s}' is not 'lo,hi' with 0 <= lo < hi <= 1");
        return (a, b);
    }
}
