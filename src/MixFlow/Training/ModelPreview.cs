using MixFlow.Data;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// The standard training preview: samples from the EMA weights with a few Euler steps and writes
/// <c>preview-&lt;step&gt;.png</c> — an image grid for image data, a scatter plot over data points for 2-D data.
/// </summary>
public sealed class ModelPreview : ITrainingPreview
{
    private readonly TrainingSession _session;
    private readonly int _count, _steps;

    /// <summary>Creates the preview.</summary>
    /// <param name="session">The session (its EMA is swapped in while sampling).</param>
    /// <param name="count">Samples drawn (default 64 images; points use 1000).</param>
    /// <param name="steps">Euler steps (default 32).</param>
    public ModelPreview(TrainingSession session, int? count = null, int steps = 32)
    {
        _session = session;
        _count = count ?? (session.Data.Dataset.SampleShape.Length == 1 ? 1000 : 64);
        _steps = steps;
    }

    /// <inheritdoc/>
    public string Write(int step, string outputDirectory)
    {
        var shape = _session.Data.Dataset.SampleShape;
        var req = new SampleRequest { Sampler = SamplerKind.Euler, Steps = _steps, Count = _count, Seed = _session.Config.Seed + 17 };
        GeneratedSamples s;
        using (_session.Ema.Apply(_session.Model)) s = SampleGenerator.Generate(_session.Flow, shape, req);
        string path = Path.Combine(outputDirectory, $"preview-{step}.png");
        if (shape.Length == 1)
        {
            var ds = _session.Data.Dataset;
            var idx = Enumerable.Range(0, Math.Min(ds.Count, _count)).ToArray();
            var reference = ds.Gather(idx, out _);
            SampleWriter.WriteScatter(s.X, path, reference, $"step {step}");
        }
        else SampleWriter.WriteGrid(s.X, path, _count);
        return path;
    }
}
