namespace MixFlow.Training;

/// <summary>Why a training run ended.</summary>
public enum TrainStopReason
{
    /// <summary>All configured steps were run.</summary>
    Completed,
    /// <summary>Cancelled (Ctrl-C / SIGTERM): the current step was finished and a checkpoint written.</summary>
    Cancelled,
}

/// <summary>Outcome of <see cref="Trainer.Run"/>.</summary>
/// <param name="Reason">Completed or cancelled.</param>
/// <param name="StartStep">Step the run started from (0, or the resumed checkpoint's step).</param>
/// <param name="FinalStep">Completed optimizer steps at the end.</param>
/// <param name="SkippedSteps">Steps skipped because of a non-finite loss or gradient.</param>
/// <param name="LastLoss">Loss of the last finite step (NaN if there was none).</param>
/// <param name="CheckpointPath">Directory of the final checkpoint (null if none was written).</param>
/// <param name="MetricsPath">The <c>metrics.jsonl</c> file.</param>
/// <param name="ElapsedSeconds">Wall time of this run.</param>
/// <param name="Log">The logged records of this run, in order.</param>
public sealed record TrainResult(
    TrainStopReason Reason,
    int StartStep,
    int FinalStep,
    int SkippedSteps,
    double LastLoss,
    string? CheckpointPath,
    string MetricsPath,
    double ElapsedSeconds,
    IReadOnlyList<TrainLogEntry> Log);
