using System.CommandLine;
using MixFlow.Cli.Commands;

namespace MixFlow.Cli;

/// <summary>Entry point of the <c>mixflow</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (under mpirun: finalises MPI, or aborts the job on failure).</summary>
    public static int Main(string[] args)
    {
        int code = Run(args);
        MixFlow.Distributed.DistributedRuntime.Shutdown(code);
        return code;
    }

    /// <summary>
    /// Parses and runs a command line in-process. Exit codes: 0 success (also after Ctrl-C with a checkpoint written),
    /// 1 runtime error (missing or corrupt files, unwritable output, aborted training), 2 usage or configuration error.
    /// Errors are printed as one line <c>mixflow: &lt;message&gt;</c> on <paramref name="error"/> (stderr by default);
    /// <c>--verbose</c> adds the stack trace.
    /// </summary>
    public static int Run(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        var root = BuildRoot();
        var parse = root.Parse(args);
        bool verbose = parse.GetValue(CliOptions.Verbose);
        CliWorld.TimeoutSeconds = parse.GetValue(CliOptions.MpiTimeout);
        CliWorld.ApplyDefaultThreads();
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"mixflow: {e.Message}");
            error.WriteLine("mixflow: run 'mixflow --help' or 'mixflow <command> --help' for usage");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var (code, message) = CliErrors.Describe(e);
            error.WriteLine($"mixflow: {message}");
            if (verbose) error.WriteLine(e.ToString());
            return code;
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("MixFlow.NET: train, post-train (MixFlow), sample and inspect flow-matching models on the CPU.");
        root.Options.Add(CliOptions.Verbose);
        root.Options.Add(CliOptions.MpiTimeout);
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PosttrainCommand.Build());
        root.Subcommands.Add(SampleCommand.Build());
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(TrainEncoderCommand.Build());
        root.Subcommands.Add(TrainDecoderCommand.Build());
        root.Subcommands.Add(EvalCommand.Build());
        root.Subcommands.Add(SlowFlowCommand.Build());
        root.Subcommands.Add(ExperimentCommand.Build());
        CommandName.Apply(root);
        return root;
    }
}

/// <summary>Process exit codes of the CLI.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>A runtime error (files, checkpoints, aborted training).</summary>
    public const int Failure = 1;
    /// <summary>A usage or configuration error.</summary>
    public const int Usage = 2;
}

/// <summary>Options shared by several commands.</summary>
public static class CliOptions
{
    /// <summary><c>--verbose</c>: print stack traces of errors.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "print the stack trace of errors", Recursive = true };

    /// <summary><c>--mpi-timeout</c>: under mpirun, abort the job when a rank waits this long in one collective.</summary>
    public static Option<double?> MpiTimeout { get; } = new("--mpi-timeout") { Description = "under mpirun: abort the job when a rank waits longer than this many seconds in one collective (default 300, or MIXFLOW_MPI_TIMEOUT; 0 disables)", HelpName = "SECONDS", Recursive = true };
}
