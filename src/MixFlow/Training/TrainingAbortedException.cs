namespace MixFlow.Training;

/// <summary>Training stopped because of too many non-finite steps; the message names the limit option (<c>max-nonfinite</c>).</summary>
public sealed class TrainingAbortedException : Exception
{
    /// <summary>Step at which the run was aborted.</summary>
    public int Step { get; }

    /// <summary>Creates the exception.</summary>
    public TrainingAbortedException(int step, string message) : base(message) { Step = step; }
}
