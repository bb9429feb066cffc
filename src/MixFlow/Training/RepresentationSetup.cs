using MixFlow.Models;
using MixFlow.Representation;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;

namespace MixFlow.Training;

/// <summary>
/// Wiring of the representation recipes (REPA, RAE) into training and sampling: checks the <c>encoder</c> /
/// <c>decoder</c> options of a <c>repa-*</c> / <c>rae-*</c> model, loads the files with one-line errors naming the
/// option, the file and what was expected, and prepares RAE sampling (time shift, decoding to images).
/// </summary>
public static class RepresentationSetup
{
    private const string EncoderHint = "a CnnPatchEncoder .safetensors written by 'mixflow train-encoder'";
    private const string DecoderHint = "an RaeDecoder .safetensors written by 'mixflow train-decoder'";

    /// <summary>The recipe a model name selects.</summary>
    public static RepresentationKind KindOf(string? preset) =>
        RepresentationModels.IsRepa(preset) ? RepresentationKind.Repa : RepresentationModels.IsRae(preset) ? RepresentationKind.Rae : RepresentationKind.None;

    /// <summary>
    /// Loads the encoder (and for RAE the codec) a configuration names for a model preset; null for plain presets.
    /// </summary>
    /// <param name="config">The configuration (<see cref="TrainConfig.Encoder"/>, <see cref="TrainConfig.Decoder"/>).</param>
    /// <param name="preset">The model preset of the run.</param>
    /// <exception cref="ConfigException">A required option is missing, or an option is given that the model does not use, or the decoder does not fit the encoder (the message names the option).</exception>
    /// <exception cref="FileNotFoundException">A named file does not exist.</exception>
    /// <exception cref="InvalidDataException">A named file is not an encoder/decoder file.</exception>
    public static RepresentationRun? Prepare(TrainConfig config, string preset)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kind = KindOf(preset);
        if (kind == RepresentationKind.None)
        {
            if (config.Encoder is not null)
                throw new ConfigException("encoder", $"encoder: model '{preset}' does not use an encoder (use repa-<SiT preset> or rae-<DiT-DH preset>, e.g. repa-{ModelPresets.DefaultImages})");
            if (config.Decoder is not null)
                throw new ConfigException("decoder", $"decoder: model '{preset}' does not use a decoder (only rae-<DiT-DH preset> models do)");
            return null;
        }
        if (config.Encoder is null)
            throw new ConfigException("encoder", $"encoder: model '{preset}' needs --encoder <file> ({EncoderHint})");
        if (kind == RepresentationKind.Repa)
        {
            if (config.Decoder is not null)
                throw new ConfigException("decoder", $"decoder: model '{preset}' does not use a decoder (only rae-<DiT-DH preset> models do)");
            var (enc, path) = LoadEncoder(config.Encoder);
            return new RepresentationRun(kind, preset, enc, path, null, null);
        }
        if (config.Decoder is null)
            throw new ConfigException("decoder", $"decoder: model '{preset}' needs --decoder <file> ({DecoderHint})");
        var (e, ep) = LoadEncoder(config.Encoder);
        var (d, dp) = LoadDecoder(config.Decoder);
        RaeCodec codec;
        try { codec = new RaeCodec(e, e.Normalization, d); }
        catch (ArgumentException x)
        {
            throw new ConfigException("decoder", $"decoder: '{dp}' does not fit encoder '{ep}' ({e.TokenDim}-d tokens on a {e.TokenGrid.Height}×{e.TokenGrid.Width} grid): {x.Message}");
        }
        return new RepresentationRun(kind, preset, e, ep, codec, dp);
    }

    /// <summary>Loads an encoder file (<c>--encoder</c>).</summary>
    /// <returns>The encoder and the file's full path.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names option and path).</exception>
    /// <exception cref="InvalidDataException">The file is not an encoder file (the message names option, path and the problem).</exception>
    public static (CnnPatchEncoder Encoder, string Path) LoadEncoder(string path) =>
        LoadFile(path, "encoder", EncoderHint, CnnPatchEncoder.Load);

    /// <summary>Loads an RAE decoder file (<c>--decoder</c>).</summary>
    /// <returns>The decoder and the file's full path.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decoder file.</exception>
    public static (RaeDecoder Decoder, string Path) LoadDecoder(string path) =>
        LoadFile(path, "decoder", DecoderHint, RaeDecoder.Load);

    private static (T, string) LoadFile<T>(string path, string option, string hint, Func<string, T> load)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{option}: file '{full}' not found (expected {hint})", full);
        try { return (load(full), full); }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"{option}: '{full}' is not a usable file (expected {hint}): {e.Message}", e);
        }
    }

    /// <summary>
    /// Adapts a sample request to a checkpoint: for an RAE checkpoint the sampler's time grid gets the shift
    /// s = sqrt(D·G·G / 4096) of its latent and the generated latents are decoded to images with the checkpoint's
    /// encoder/decoder (from its <c>state.json</c>); other checkpoints get the request unchanged (a REPA checkpoint
    /// samples with its SiT alone: the projector is dropped when its weights are loaded).
    /// </summary>
    /// <exception cref="ConfigException">The recorded files do not fit each other or the checkpoint.</exception>
    /// <exception cref="FileNotFoundException">A recorded file no longer exists.</exception>
    /// <exception cref="InvalidDataException">A recorded file is corrupt.</exception>
    public static SampleRequest ForCheckpoint(Checkpoint checkpoint, SampleRequest request)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(request);
        var cfg = checkpoint.Config;
        if (KindOf(checkpoint.State.ModelPreset) != RepresentationKind.Rae) return request;
        RepresentationRun run;
        try { run = Prepare(cfg, checkpoint.State.ModelPreset)!; }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{e.Message}; the path is recorded in '{checkpoint.PathOf(Checkpoint.StateFile)}' (config.encoder / config.decoder)", e.FileName, e);
        }
        var latent = run.LatentShape!;
        if (!TensorShape.Equal(latent, checkpoint.State.SampleShape))
            throw new ConfigException("encoder", $"encoder: '{run.EncoderPath}' gives latents [{string.Join(", ", latent)}], the checkpoint '{checkpoint.Directory}' was trained on [{string.Join(", ", checkpoint.State.SampleShape)}]");
        var codec = run.Codec!;
        return request with { TimeShift = new RaeDefaults().Shift(latent), Decode = codec.DecodeToImages };
    }

    /// <summary>Decodes samples [N, …] in batches of <paramref name="batchSize"/> (no autograd) and concatenates the results.</summary>
    /// <exception cref="ArgumentException">The decoder rejects the samples.</exception>
    public static Tensor DecodeInBatches(Tensor samples, Func<Tensor, Tensor> decode, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(decode);
        int n = samples.Size(0), bs = Math.Max(1, batchSize);
        float[]? all = null;
        int[]? itemShape = null;
        int per = 0;
        using (GradMode.NoGrad())
        {
            for (int start = 0; start < n; start += bs)
            {
                using var scope = new TensorScope();
                int b = Math.Min(bs, n - start);
                var y = decode(samples.Slice(0, start, start + b).Contiguous()).Contiguous();
                if (all is null)
                {
                    itemShape = y.Shape[1..];
                    per = TensorShape.Numel(itemShape);
                    all = new float[(long)n * per];
                }
                y.AsSpan().CopyTo(all.AsSpan(start * per, b * per));
            }
        }
        var r = Tensor.FromArray(all!, [n, .. itemShape!]);
        r.MoveToOuterScope();
        return r;
    }
}
