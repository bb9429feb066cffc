using MixFlow.Representation;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// The training preview of an RAE latent run: samples latents from the EMA weights with a few Euler steps on the
/// shifted time grid, decodes them to images with the codec and writes <c>preview-&lt;step&gt;.png</c>.
/// </summary>
public sealed class RaePreview : ITrainingPreview
{
    private readonly TrainingSession _session;
    private readonly RaeCodec _codec;
    private readonly int _count, _steps;

    /// <summary>Creates the preview.</summary>
    /// <param name="session">The session (its EMA is swapped in while sampling); its data are RAE latents.</param>
    /// <param name="codec">The codec the latents belong to.</param>
    /// <param name="count">Images drawn (default 64).</param>
    /// <param name="steps">Euler steps (default 32).</param>
    /// <exception cref="ArgumentNullException">session or codec is null.</exception>
    public RaePreview(TrainingSession session, RaeCodec codec, int count = 64, int steps = 32)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session), "RaePreview: a session is required");
        _codec = codec ?? throw new ArgumentNullException(nameof(codec), "RaePreview: a codec is required");
        _count = count;
        _steps = steps;
    }

    /// <inheritdoc/>
    public string Write(int step, string outputDirectory)
    {
        var shape = _codec.LatentShape;
        var req = new SampleRequest
        {
            Sampler = SamplerKind.Euler, Steps = _steps, Count = _count, Seed = _session.Config.Seed + 17,
            TimeShift = new RaeDefaults().Shift(shape), Decode = _codec.DecodeToImages,
        };
        GeneratedSamples s;
        using (_session.Ema.Apply(_session.Model)) s = SampleGenerator.Generate(_session.Flow, shape, req);
        string path = Path.Combine(outputDirectory, $"preview-{step}.png");
        SampleWriter.WriteGrid(s.X, path, _count);
        return path;
    }
}
