namespace MixFlow.Training;

/// <summary>
/// Receives a training run's progress (the command line renders it as a progress bar or as plain lines; tests
/// collect it). Called on the training thread; implementations should return quickly.
/// </summary>
public interface IProgressSink
{
    /// <summary>The run starts (or resumes) at <paramref name="startStep"/> and will end at <paramref name="totalSteps"/>.</summary>
    void OnStart(string title, int startStep, int totalSteps);

    /// <summary>A step finished (called every step, for bars; cheap).</summary>
    void OnStep(int step, double loss);

    /// <summary>A logging record (every <see cref="TrainConfig.LogEvery"/> steps).</summary>
    void OnLog(TrainLogEntry entry);

    /// <summary>A notable event (checkpoint written, preview written, step skipped …) as one line.</summary>
    void OnMessage(string message);

    /// <summary>The run ended.</summary>
    void OnEnd(TrainResult result);
}

/// <summary>A sink that ignores everything.</summary>
public sealed class NullProgressSink : IProgressSink
{
    /// <summary>The shared instance.</summary>
    public static NullProgressSink Instance { get; } = new();

    /// <inheritdoc/>
    public void OnStart(string title, int startStep, int totalSteps) { }
    /// <inheritdoc/>
    public void OnStep(int step, double loss) { }
    /// <inheritdoc/>
    public void OnLog(TrainLogEntry entry) { }
    /// <inheritdoc/>
    public void OnMessage(string message) { }
    /// <inheritdoc/>
    public void OnEnd(TrainResult result) { }
}
