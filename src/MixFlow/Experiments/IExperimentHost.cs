using MixFlow.Evaluation;
using MixFlow.Training;

namespace MixFlow.Experiments;

/// <summary>What an <see cref="ExperimentRunner"/> needs from its caller: messages, training progress and feature-network progress.</summary>
public interface IExperimentHost
{
    /// <summary>A one-line status message.</summary>
    void Message(string text);

    /// <summary>Runs a training stage with a progress sink (a bar on a terminal, plain lines otherwise).</summary>
    TrainResult Train(string title, Func<IProgressSink, TrainResult> run);

    /// <summary>Progress of the feature network (trained on first use), or null.</summary>
    IProgress<FeatureTrainingProgress>? FeatureProgress { get; }
}

/// <summary>A host that writes plain lines to a <see cref="TextWriter"/> (or nothing).</summary>
public sealed class PlainExperimentHost(TextWriter? output = null) : IExperimentHost
{
    /// <inheritdoc/>
    public void Message(string text) => output?.WriteLine(text);

    /// <inheritdoc/>
    public TrainResult Train(string title, Func<IProgressSink, TrainResult> run)
    {
        var r = run(NullProgressSink.Instance);
        output?.WriteLine($"{title}: {r.Reason.ToString().ToLowerInvariant()} at step {r.FinalStep} in {r.ElapsedSeconds:0.0} s");
        return r;
    }

    /// <inheritdoc/>
    public IProgress<FeatureTrainingProgress>? FeatureProgress => null;
}
