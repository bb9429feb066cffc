using System.CommandLine;
using System.Globalization;
using MixFlow.Data;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary>
/// <c>mixflow train-decoder</c>: trains the RAE pixel decoder of a frozen encoder (tokens → images) and saves it;
/// reports the reconstruction MSE of encode → decode on held-out images (the Fashion-MNIST test split for
/// <c>fmnist</c>, else the first training images). Deterministic for a seed.
/// </summary>
public static class TrainDecoderCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("train-decoder", "Train the RAE pixel decoder of a representation encoder (tokens → images), save it and report the reconstruction MSE.");
        var encoder = new Option<string>("--encoder") { Description = "encoder file from 'mixflow train-encoder'", Required = true, HelpName = "FILE" };
        var data = new Option<string>("--data") { Description = "training images: fmnist | mnist | npz:<path> | png:<dir> (default fmnist)", DefaultValueFactory = _ => "fmnist" };
        var epochs = new Option<int>("--epochs") { Description = "passes over the data (default 2)", DefaultValueFactory = _ => 2 };
        var steps = new Option<int?>("--steps") { Description = "optimizer steps instead of --epochs", HelpName = "N" };
        var batch = new Option<int>("--batch-size") { Description = "images per step (default 64)", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate (default 2e-3)", DefaultValueFactory = _ => 2e-3 };
        var hidden = new Option<int>("--hidden-channels") { Description = "decoder refinement channels (default 32)", DefaultValueFactory = _ => 32 };
        var noise = new Option<double>("--noise-scale") { Description = "RAE noise augmentation of the tokens, >= 0 (default 0: off)" };
        var evalN = new Option<int>("--eval-samples") { Description = "images for the reconstruction MSE (default 1000)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initialisation, data order and augmentation (default 0)" };
        var threads = ThreadsOption.Create();
        var outPath = new Option<string>("--out") { Description = "output file (default runs/decoder.safetensors)", DefaultValueFactory = _ => "runs/decoder.safetensors", HelpName = "FILE" };
        foreach (var o in new Option[] { encoder, data, epochs, steps, batch, lr, hidden, noise, evalN, seed, threads, outPath }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            int ep = parse.GetValue(epochs), bs = parse.GetValue(batch), hc = parse.GetValue(hidden), ne = parse.GetValue(evalN);
            int? st = parse.GetValue(steps);
            double rate = parse.GetValue(lr), ns = parse.GetValue(noise);
            TrainEncoderCommand.CheckPositive("epochs", ep); TrainEncoderCommand.CheckPositive("batch-size", bs);
            TrainEncoderCommand.CheckPositive("hidden-channels", hc); TrainEncoderCommand.CheckPositive("eval-samples", ne);
            if (st is int s0) TrainEncoderCommand.CheckPositive("steps", s0);
            if (!(rate > 0) || !double.IsFinite(rate)) throw new ConfigException("lr", $"lr: must be a finite value > 0 (got {rate.ToString(CultureInfo.InvariantCulture)})");
            if (!(ns >= 0) || !double.IsFinite(ns)) throw new ConfigException("noise-scale", $"noise-scale: must be a finite value >= 0 (got {ns.ToString(CultureInfo.InvariantCulture)})");
            ThreadsOption.Apply(parse, threads);
            string file = TrainEncoderCommand.PrepareOutput(parse.GetValue(outPath)!);
            var (enc, encPath) = RepresentationSetup.LoadEncoder(parse.GetValue(encoder)!);
            string dataText = parse.GetValue(data)!;
            var ds = TrainEncoderCommand.LoadImages(dataText, parse.GetValue(seed));
            CheckFits(enc, encPath, ds, dataText);
            var recipe = new RaeDecoderRecipe
            {
                Epochs = ep, MaxSteps = st, BatchSize = Math.Min(bs, ds.Count), LearningRate = rate, Seed = parse.GetValue(seed),
                HiddenChannels = hc, NoiseScale = ns,
            };
            using var signal = new ShutdownSignal();
            var r = TrainEncoderCommand.RunTrainer("train-decoder", p => RaeDecoderTrainer.Train(enc, ds, recipe, enc.Normalization, p, signal.Token), x => (x.Steps, x.FinalMse));
            r.Decoder.Save(file);
            bool heldOut = DataSpec.Parse(dataText).Kind == DataKind.FashionMnist;
            IDataset evalSet = heldOut ? FashionMnist.Load(DatasetSplit.Test) : ds;
            double mse = ConsoleUi.RunStatus("train-decoder: reconstruction", () => RaeDecoderTrainer.ReconstructionMse(enc, r.Decoder, evalSet, Math.Min(ne, evalSet.Count)));
            ConsoleUi.Line(string.Create(CultureInfo.InvariantCulture,
                $"train-decoder: {r.Steps} steps, final train MSE {ConsoleUi.Fmt(r.FinalMse)}; reconstruction MSE {ConsoleUi.Fmt(mse)} (pixels in [-1, 1]) on {Math.Min(ne, evalSet.Count)} {(heldOut ? "test" : "training")} images → {file}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void CheckFits(CnnPatchEncoder enc, string encPath, IDataset ds, string dataText)
    {
        var (c, h, w) = enc.InputShape;
        var s = ds.SampleShape;
        if (s[0] != c || s[1] != h || s[2] != w)
            throw new ConfigException("encoder", $"encoder: '{encPath}' takes images [{c}, {h}, {w}], the data '{dataText}' has samples [{string.Join(", ", s)}]");
    }
}
