using MixFlow.Distributed;

namespace MixFlow.MpiHost;

/// <summary>
/// Test helper launched under <c>mpirun</c> by the distributed tests (and callable in-process for the single-process
/// reference): <c>train</c> runs <see cref="Scenario.Train"/>; <c>collectives</c> checks every collective of the world.
/// Exit codes: 0 success, 1 failure (the job is aborted).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        int code;
        try
        {
            var world = DistributedRuntime.GetWorld(new WorldOptions { TimeoutSeconds = Scenario.Timeout(args) });
            code = args.Length > 0 && args[0] == "collectives" ? Scenario.Collectives(world) : Scenario.Run(args, world);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"mpihost: rank {DistributedRuntime.LaunchRank}: {e.GetType().Name}: {e.Message}");
            code = 1;
        }
        DistributedRuntime.Shutdown(code);
        return code;
    }
}
