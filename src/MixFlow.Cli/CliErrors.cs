using MixFlow.Tensors.IO;
using MixFlow.Training;

namespace MixFlow.Cli;

/// <summary>Maps exceptions to an exit code and a one-line user message.</summary>
public static class CliErrors
{
    /// <summary>The exit code and message for an exception reaching the top level.</summary>
    public static (int Code, string Message) Describe(Exception e) => e switch
    {
        ConfigException c => (ExitCodes.Usage, c.Message),
        CheckpointException c => (ExitCodes.Failure, c.Message),
        TrainingAbortedException a => (ExitCodes.Failure, a.Message),
        SafeTensorsFormatException s => (ExitCodes.Failure, s.Message),
        FileNotFoundException f => (ExitCodes.Failure, f.Message),
        DirectoryNotFoundException d => (ExitCodes.Failure, d.Message),
        InvalidDataException d => (ExitCodes.Failure, d.Message),
        UnauthorizedAccessException u => (ExitCodes.Failure, $"permission denied: {u.Message}"),
        IOException io => (ExitCodes.Failure, io.Message),
        OperationCanceledException => (ExitCodes.Failure, "cancelled"),
        ArgumentException a => (ExitCodes.Usage, a.Message),
        _ => (ExitCodes.Failure, $"internal error ({e.GetType().Name}): {e.Message} (run with --verbose for the stack trace)"),
    };
}
