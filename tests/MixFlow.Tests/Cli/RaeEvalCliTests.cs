using MixFlow.Cli;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tests.Training;

namespace MixFlow.Tests.Cli;

/// <summary><c>mixflow eval --ckpt</c> on an RAE checkpoint: refused with one line that names the checkpoint and the
/// two commands that do evaluate it (sample → eval --samples), instead of a shape error from inside the model.</summary>
public class RaeEvalCliTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        ConsoleUi.ForcePlain = true;
        var err = new StringWriter();
        int code = Program.Run(args, err);
        return (code, err.ToString());
    }

    [Fact]
    public void EvalCkpt_OnRaeCheckpoint_IsRefusedWithTheSampleRoute()
    {
        using var tmp = new TempDir();
        var rng = new Random(3);
        var pixels = new byte[8 * 28 * 28];
        rng.NextBytes(pixels);
        string data = tmp.Sub("data.npz");
        NpzFile.WriteSamples(data, pixels, 8, 28, 28, 1, Enumerable.Range(0, 8).Select(i => (long)(i % 2)).ToArray());
        string enc = tmp.Sub("enc.safetensors"), dec = tmp.Sub("dec.safetensors");
        new CnnPatchEncoder(new ClassifierCnnOptions { Channels = [4, 8, 16], NumClasses = 2 }, new Generator(11)).Save(enc);
        new RaeDecoder(new RaeDecoderOptions { TokenDim = 16, GridSize = 7, ImageSize = 28, OutChannels = 1, HiddenChannels = 4 }, new Generator(12)).Save(dec);
        string run = tmp.Sub("rae");
        var (code, err) = Run("train", "--data", "npz:" + data, "--model", "rae-DiTDH-XS", "--encoder", enc, "--decoder", dec,
            "--steps", "1", "--batch-size", "4", "--sample-every", "0", "--log-every", "1", "--out", run);
        Assert.True(code == 0, err);

        (code, err) = Run("eval", "--ckpt", run, "--n", "8", "--steps", "1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("mixflow: eval: ", err);
        Assert.Contains("RAE checkpoint", err);
        Assert.Contains("[16, 7, 7]", err);
        Assert.Contains("mixflow sample --ckpt", err);
        Assert.Contains("mixflow eval --samples", err);
        Assert.DoesNotContain("DiTDH: input shape", err);
    }
}
