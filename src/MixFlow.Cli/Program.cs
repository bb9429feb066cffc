using System.CommandLine;
using MixFlow.Cli.Commands;

namespace MixFlow.Cli;

/// <summary>Entry point of the <c>mixflow</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args) => Run(args);

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
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PosttrainCommand.Build());
        root.Subcommands.Add(SampleCommand.Build());
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(DemoCommand.Build());
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
}
