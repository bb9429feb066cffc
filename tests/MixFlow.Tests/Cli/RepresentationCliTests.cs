using MixFlow.Cli;
using MixFlow.Cli.Commands;
using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tests.Training;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Tests.Cli;

public class RepresentationCliTests
{
    private const int Images = 16;

    /// <summary>16 random 28×28 gray images in 2 classes (ADM-layout npz).</summary>
    private static string MakeData(TempDir tmp)
    {
        var rng = new Random(5);
        var pixels = new byte[Images * 28 * 28];
        rng.NextBytes(pixels);
        string data = tmp.Sub("data.npz");
        NpzFile.WriteSamples(data, pixels, Images, 28, 28, 1, Enumerable.Range(0, Images).Select(i => (long)(i % 2)).ToArray());
        return data;
    }

    /// <summary>A randomly initialised encoder with <paramref name="tokenDim"/>-d tokens on the 7×7 grid, saved to a file.</summary>
    private static string MakeEncoder(TempDir tmp, int tokenDim, string name = "enc.safetensors")
    {
        var enc = new CnnPatchEncoder(new ClassifierCnnOptions { Channels = [4, 8, tokenDim], NumClasses = 2 }, new Generator(11));
        string p = tmp.Sub(name);
        enc.Save(p);
        return p;
    }

    private static string MakeDecoder(TempDir tmp, int tokenDim, string name = "dec.safetensors")
    {
        var dec = new RaeDecoder(new RaeDecoderOptions { TokenDim = tokenDim, GridSize = 7, ImageSize = 28, OutChannels = 1, HiddenChannels = 4 }, new Generator(12));
        string p = tmp.Sub(name);
        dec.Save(p);
        return p;
    }

    private static (int Code, string Error) Run(params string[] args)
    {
        ConsoleUi.ForcePlain = true;
        var err = new StringWriter();
        int code = Program.Run(args, err);
        return (code, err.ToString());
    }

    private static string[] Tiny(string data, string run) =>
        ["train", "--data", "npz:" + data, "--steps", "2", "--batch-size", "8", "--sample-every", "0", "--log-every", "1", "--out", run];

    [Fact]
    public void Repa_TrainPosttrainMixflowSample_EndToEnd()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16);
        var (code, err) = Run([.. Tiny(data, tmp.Sub("repa")), "--model", "repa-SiT-XS/4-28", "--encoder", enc, "--repa-lambda", "0.7"]);
        Assert.True(code == 0, err);
        var ck = Checkpoint.Open(tmp.Sub("repa"));
        Assert.Equal(Path.GetFullPath(enc), ck.State.Config["encoder"]);         // recorded as a full path
        Assert.False(ck.State.Config.ContainsKey("decoder"));
        Assert.Equal("0.7", ck.State.Config["repa-lambda"]);
        Assert.StartsWith("repa(lambda=0.7, block=auto)+fm(", ck.State.Objective);
        Assert.Contains(ck.ReadModel().Keys, k => k.StartsWith(RepaModel.ProjectorPrefix, StringComparison.Ordinal));
        Assert.Equal(new[] { 1, 28, 28 }, ck.State.SampleShape);

        // MixFlow post-training keeps the REPA term (encoder and λ come from the parent's state.json).
        (code, err) = Run("posttrain", "--from", tmp.Sub("repa"), "--objective", "mixflow", "--steps", "2", "--sample-every", "0", "--out", tmp.Sub("repa-post"));
        Assert.True(code == 0, err);
        var post = Checkpoint.Open(tmp.Sub("repa-post"));
        Assert.StartsWith("repa(lambda=0.7, block=auto)+mixflow(gamma=0.8", post.State.Objective);
        Assert.Equal(Path.GetFullPath(enc), post.State.Config["encoder"]);
        Assert.Equal("repa-SiT-XS/4-28", post.State.ModelPreset);

        // Sampling uses the bare SiT: the projector is dropped.
        var (model, _) = SampleCommand.LoadModel(post, useEma: true);
        Assert.IsType<SiT>(model);
        (code, err) = Run("sample", "--ckpt", tmp.Sub("repa-post"), "--n", "4", "--steps", "2", "--out", tmp.Sub("s"));
        Assert.True(code == 0, err);
        var npz = NpzFile.Read(tmp.Sub("s/samples.npz"));
        Assert.Equal(new[] { 4, 28, 28, 1 }, npz["arr_0"].Shape);

        // The bare SiT with the backbone weights predicts exactly what the REPA model does.
        var repa = RepresentationModels.CreateRepa("repa-SiT-XS/4-28", [1, 28, 28], 2, 16, new Generator(0));
        post.RestoreWeights(repa, null);
        repa.Eval();
        var raw = SampleCommand.LoadModel(post, useEma: false).Model;
        var x = Tensor.RandN(new Generator(1), [2, 1, 28, 28]);
        var t = Tensor.FromArray(new float[] { 0.3f, 0.8f }, [2]);
        using (MixFlow.Tensors.Autograd.GradMode.NoGrad())
            Assert.Equal(repa.Forward(x, t, [0, 1]).ToArray(), ((IFlowModel)raw).Forward(x, t, [0, 1]).ToArray());
    }

    [Fact]
    public void Repa_ResumeContinuesAndMismatchedEncoderIsRejected()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16), other = MakeEncoder(tmp, 8, "enc8.safetensors");
        var (code, err) = Run([.. Tiny(data, tmp.Sub("repa")), "--model", "repa-SiT-XS/4-28", "--encoder", enc, "--objective", "ip"]);
        Assert.True(code == 0, err);
        (code, err) = Run("train", "--resume", tmp.Sub("repa"), "--steps", "3");
        Assert.True(code == 0, err);
        Assert.Equal(3, Checkpoint.Open(tmp.Sub("repa")).State.Step);

        (code, err) = Run("posttrain", "--from", tmp.Sub("repa"), "--encoder", other, "--steps", "1", "--out", tmp.Sub("bad"));
        Assert.Equal(2, code);
        Assert.StartsWith("mixflow: encoder: ", err);
        Assert.Contains("8-d tokens", err);
        Assert.Contains(Path.GetFullPath(enc), err); // names the encoder it was trained with
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Rae_TrainPosttrainSample_DecodesToImages()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16), dec = MakeDecoder(tmp, 16);
        var (code, err) = Run([.. Tiny(data, tmp.Sub("rae")), "--model", "rae-DiTDH-S", "--encoder", enc, "--decoder", dec]);
        Assert.True(code == 0, err);
        var ck = Checkpoint.Open(tmp.Sub("rae"));
        Assert.Equal(new[] { 16, 7, 7 }, ck.State.SampleShape); // the normalised token latent
        Assert.Equal(Path.GetFullPath(enc), ck.State.Config["encoder"]);
        Assert.Equal(Path.GetFullPath(dec), ck.State.Config["decoder"]);
        double s = new RaeDefaults().Shift([16, 7, 7]);
        Assert.Equal(Math.Sqrt(16 * 49 / 4096.0), s, 12);
        Assert.StartsWith(FormattableString.Invariant($"rae(shift={s:0.####})+fm("), ck.State.Objective);

        // MixFlow post-training of an RAE model defaults to γ = 0.4 unless given.
        (code, err) = Run("posttrain", "--from", tmp.Sub("rae"), "--steps", "1", "--sample-every", "0", "--out", tmp.Sub("rae-post"));
        Assert.True(code == 0, err);
        Assert.Equal("0.4", Checkpoint.Open(tmp.Sub("rae-post")).State.Config["gamma"]);
        (code, err) = Run("posttrain", "--from", tmp.Sub("rae"), "--gamma", "0.6", "--steps", "1", "--sample-every", "0", "--out", tmp.Sub("rae-post6"));
        Assert.True(code == 0, err);
        Assert.Equal("0.6", Checkpoint.Open(tmp.Sub("rae-post6")).State.Config["gamma"]);

        // A smaller DiT-DH as the weak model of autoguidance.
        (code, err) = Run([.. Tiny(data, tmp.Sub("rae-xs")), "--model", "rae-DiTDH-XS", "--encoder", enc, "--decoder", dec]);
        Assert.True(code == 0, err);
        (code, err) = Run("sample", "--ckpt", tmp.Sub("rae-post"), "--per-class", "2", "--steps", "2", "--autoguidance", tmp.Sub("rae-xs"), "--out", tmp.Sub("s"));
        Assert.True(code == 0, err);
        var npz = NpzFile.Read(tmp.Sub("s/samples.npz"));
        Assert.Equal(new[] { 4, 28, 28, 1 }, npz["arr_0"].Shape); // decoded images, not latents
        Assert.Equal(new long[] { 0, 0, 1, 1 }, npz["arr_1"].ToInt64());
        Assert.True(new FileInfo(tmp.Sub("s/samples.png")).Length > 100);
    }

    [Fact]
    public void RaeTrainedFromScratchWithMixFlow_DefaultsToGamma04_UnlessGammaIsSet()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16), dec = MakeDecoder(tmp, 16);
        string[] Rae(string run) => [.. Tiny(data, tmp.Sub(run)), "--model", "rae-DiTDH-XS", "--encoder", enc, "--decoder", dec, "--objective", "mixflow"];
        var (code, err) = Run(Rae("a"));
        Assert.True(code == 0, err);
        Assert.Equal("0.4", Checkpoint.Open(tmp.Sub("a")).State.Config["gamma"]);
        (code, err) = Run([.. Rae("b"), "--gamma", "0.8"]);
        Assert.True(code == 0, err);
        Assert.Equal("0.8", Checkpoint.Open(tmp.Sub("b")).State.Config["gamma"]);
        var yaml = tmp.Sub("g.yaml");
        File.WriteAllText(yaml, "gamma: 0.6\n");
        (code, err) = Run([.. Rae("c"), "--config", yaml]);
        Assert.True(code == 0, err);
        Assert.Equal("0.6", Checkpoint.Open(tmp.Sub("c")).State.Config["gamma"]);
        (code, err) = Run([.. Tiny(data, tmp.Sub("sit")), "--objective", "mixflow"]);
        Assert.True(code == 0, err);
        Assert.Equal("0.8", Checkpoint.Open(tmp.Sub("sit")).State.Config["gamma"]);
    }

    [Fact]
    public void RaeSampling_UsesShiftAndDecodesLikeTheCodec()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16), dec = MakeDecoder(tmp, 16);
        var (code, err) = Run([.. Tiny(data, tmp.Sub("rae")), "--model", "rae-DiTDH-XS", "--encoder", enc, "--decoder", dec]);
        Assert.True(code == 0, err);
        var ck = Checkpoint.Open(tmp.Sub("rae"));
        var req = RepresentationSetup.ForCheckpoint(ck, new SampleRequest { Count = 3, Steps = 2, BatchSize = 2 });
        Assert.Equal(new RaeDefaults().Shift([16, 7, 7]), req.TimeShift);
        var flow = (IFlowModel)SampleCommand.LoadModel(ck, useEma: true).Model;
        var images = SampleGenerator.Generate(flow, ck.State.SampleShape, req).X;
        var latents = SampleGenerator.Generate(flow, ck.State.SampleShape, req with { Decode = null }).X;
        Assert.Equal(new[] { 3, 1, 28, 28 }, images.Shape);
        var codec = RaeCodec.Load(enc, dec);
        using (MixFlow.Tensors.Autograd.GradMode.NoGrad())
            Assert.Equal(codec.DecodeToImages(latents).Contiguous().ToArray(), images.ToArray());
        // A recorded file that has gone away: one line naming the file and where it is recorded.
        File.Move(dec, dec + ".moved");
        var (c2, e2) = Run("sample", "--ckpt", tmp.Sub("rae"), "--n", "2", "--steps", "1", "--out", tmp.Sub("s"));
        Assert.Equal(1, c2);
        Assert.Contains("decoder: file", e2);
        Assert.Contains("state.json", e2);
        Assert.Single(e2.Trim().Split('\n'));
        // The shifted grid differs from the plain one.
        var plain = SampleGenerator.Generate(flow, ck.State.SampleShape, req with { Decode = null, TimeShift = 1 }).X;
        Assert.NotEqual(plain.ToArray(), latents.ToArray());
    }

    [Fact]
    public void Errors_MissingOrMismatchedEncoderAndDecoder_AreOneLine()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp), enc = MakeEncoder(tmp, 16), dec8 = MakeDecoder(tmp, 8, "dec8.safetensors");
        string corrupt = tmp.Sub("corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        void Expect(int wantCode, string[] args, params string[] parts)
        {
            var (code, err) = Run(args);
            Assert.True(wantCode == code, $"exit {code}: {err}");
            Assert.Single(err.Trim().Split('\n'));
            foreach (var p in parts) Assert.Contains(p, err);
        }

        Expect(2, [.. Tiny(data, tmp.Sub("a")), "--model", "repa-SiT-XS/4-28"], "mixflow: encoder:", "--encoder", "train-encoder");
        Expect(2, [.. Tiny(data, tmp.Sub("b")), "--model", "rae-DiTDH-S", "--encoder", enc], "mixflow: decoder:", "--decoder");
        Expect(1, [.. Tiny(data, tmp.Sub("c")), "--model", "repa-SiT-XS/4-28", "--encoder", tmp.Sub("nope.safetensors")], "encoder: file", "nope.safetensors", "not found");
        Expect(1, [.. Tiny(data, tmp.Sub("d")), "--model", "repa-SiT-XS/4-28", "--encoder", corrupt], "encoder:", "corrupt.safetensors", "CnnPatchEncoder");
        Expect(1, [.. Tiny(data, tmp.Sub("e")), "--model", "rae-DiTDH-S", "--encoder", enc, "--decoder", corrupt], "decoder:", "corrupt.safetensors", "RaeDecoder");
        Expect(2, [.. Tiny(data, tmp.Sub("f")), "--model", "rae-DiTDH-S", "--encoder", enc, "--decoder", dec8], "decoder:", "dec8.safetensors", "16-d tokens");
        Expect(2, [.. Tiny(data, tmp.Sub("g")), "--model", "SiT-XS/4-28", "--encoder", enc], "encoder:", "does not use an encoder");
        Expect(2, [.. Tiny(data, tmp.Sub("h")), "--model", "repa-SiT-XS/4-28", "--encoder", enc, "--repa-depth", "9"], "repa-depth:", "beyond the depth");
        Expect(2, ["train-decoder", "--encoder", enc, "--data", "toy:moons", "--out", tmp.Sub("x.safetensors")], "data:", "images");
        Expect(1, ["train-decoder", "--encoder", corrupt, "--data", "npz:" + data, "--out", tmp.Sub("x.safetensors")], "encoder:", "corrupt.safetensors");
    }

    [Fact]
    public void TrainEncoderAndDecoder_AreDeterministicAndFitEachOther()
    {
        using var tmp = new TempDir();
        string data = MakeData(tmp);
        string[] EncArgs(string o) => ["train-encoder", "--data", "npz:" + data, "--steps", "3", "--batch-size", "8", "--channels", "4,8,16", "--stats-samples", "16", "--out", o];
        var (code, err) = Run(EncArgs(tmp.Sub("e1/enc.safetensors")));
        Assert.True(code == 0, err);
        (code, err) = Run(EncArgs(tmp.Sub("e2.safetensors")));
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(tmp.Sub("e1/enc.safetensors")), File.ReadAllBytes(tmp.Sub("e2.safetensors")));
        var enc = CnnPatchEncoder.Load(tmp.Sub("e2.safetensors"));
        Assert.Equal(16, enc.TokenDim);
        Assert.Equal((7, 7), enc.TokenGrid);
        Assert.NotEqual(TokenNormalization.Identity(16).Std, enc.Normalization.Std); // statistics were computed

        (code, err) = Run("train-decoder", "--encoder", tmp.Sub("e2.safetensors"), "--data", "npz:" + data, "--steps", "2", "--batch-size", "8",
            "--hidden-channels", "4", "--eval-samples", "8", "--out", tmp.Sub("dec.safetensors"));
        Assert.True(code == 0, err);
        var codec = RaeCodec.Load(tmp.Sub("e2.safetensors"), tmp.Sub("dec.safetensors"));
        Assert.Equal(new[] { 16, 7, 7 }, codec.LatentShape);
        // And the pair trains an RAE model.
        (code, err) = Run([.. Tiny(data, tmp.Sub("rae")), "--model", "rae-DiTDH-XS", "--encoder", tmp.Sub("e2.safetensors"), "--decoder", tmp.Sub("dec.safetensors")]);
        Assert.True(code == 0, err);
    }

    [Fact]
    public void ConfigKeys_EncoderDecoderRepa_RoundTripAndValidate()
    {
        var cfg = TrainConfigKeys.Apply(new TrainConfig(), [new("encoder", "/x/enc.safetensors"), new("decoder", "/x/dec.safetensors"), new("repa-lambda", "0.25"), new("repa-depth", "2")]);
        Assert.Equal(("/x/enc.safetensors", "/x/dec.safetensors", 0.25, (int?)2), (cfg.Encoder, cfg.Decoder, cfg.RepaLambda, cfg.RepaDepth));
        Assert.Equal(cfg, TrainConfigKeys.FromDictionary(TrainConfigKeys.ToDictionary(cfg)));
        Assert.Null(TrainConfigKeys.Apply(cfg, "repa-depth", "auto").RepaDepth);
        Assert.Equal(0.5, new TrainConfig().RepaLambda);
        Assert.Throws<ConfigException>(() => TrainConfigKeys.Apply(cfg, "repa-lambda", "-1"));
        Assert.Throws<ConfigException>(() => TrainConfigKeys.Apply(cfg, "repa-depth", "0"));
        // γ = 0.4 only when an RAE model switches to MixFlow.
        Assert.Equal(0.4, (new TrainConfig { Model = "rae-DiTDH-S" }).ForPostTraining(ObjectiveKind.MixFlow).Gamma);
        Assert.Equal(0.8, (new TrainConfig { Model = "repa-SiT-XS/4-28" }).ForPostTraining(ObjectiveKind.MixFlow).Gamma);
        Assert.Equal(0.7, (new TrainConfig { Model = "rae-DiTDH-S", Objective = ObjectiveKind.MixFlow, Gamma = 0.7 }).ForPostTraining(ObjectiveKind.MixFlow).Gamma);
    }
}
