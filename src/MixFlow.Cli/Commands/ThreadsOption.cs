using System.CommandLine;
using MixFlow.Tensors;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary>The <c>--threads N</c> flag of the commands that are not configured by <see cref="TrainConfigKeys"/>.</summary>
internal static class ThreadsOption
{
    /// <summary>A new <c>--threads</c> option (0, the default, keeps the process default: all processors, or cores / local ranks under mpirun).</summary>
    public static Option<int> Create() => new("--threads")
    {
        Description = "engine threads, 0 = all processors (default 0; under mpirun: cores / ranks on the node)",
        HelpName = "N",
    };

    /// <summary>Sets <see cref="Engine.Threads"/> from the parsed value when it is above 0.</summary>
    /// <exception cref="ConfigException">A negative value (key <c>threads</c>).</exception>
    public static void Apply(ParseResult parse, Option<int> option)
    {
        int th = parse.GetValue(option);
        if (th < 0) throw new ConfigException("threads", $"threads: must be >= 0 (got {th})");
        if (th > 0) Engine.Threads = th;
    }
}
