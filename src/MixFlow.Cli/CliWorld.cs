using MixFlow.Distributed;

namespace MixFlow.Cli;

/// <summary>
/// The MPI world of the CLI process: a single process normally; under <c>mpirun -np N</c> (N &gt; 1) an
/// <see cref="MpiWorld"/> with the <c>--mpi-timeout</c> given on the command line (else <c>MIXFLOW_MPI_TIMEOUT</c>,
/// else 300 s). Created on first use by <c>train</c>, <c>posttrain</c> and <c>sample</c>.
/// </summary>
public static class CliWorld
{
    /// <summary>The <c>--mpi-timeout</c> value of the current command line, if given.</summary>
    public static double? TimeoutSeconds { get; set; }

    /// <summary>
    /// Under mpirun: sets the engine threads to cores / ranks on this node (<c>OMPI_COMM_WORLD_LOCAL_SIZE</c>), so that
    /// co-located ranks do not oversubscribe the cores; an explicit <c>--threads</c> still overrides it. No-op otherwise.
    /// </summary>
    public static void ApplyDefaultThreads()
    {
        if (!DistributedRuntime.UnderMpi) return;
        int local = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int l) && l > 0 ? l : DistributedRuntime.LaunchSize;
        MixFlow.Tensors.Engine.Threads = Math.Max(1, Environment.ProcessorCount / local);
    }

    /// <summary>The world.</summary>
    /// <exception cref="MpiException">MPI cannot be initialised.</exception>
    /// <exception cref="MixFlow.Training.ConfigException">An invalid timeout (key <c>mpi-timeout</c>).</exception>
    public static IWorld Get()
    {
        if (!DistributedRuntime.UnderMpi) return SingleProcessWorld.Instance;
        WorldOptions o;
        try
        {
            o = TimeoutSeconds is double t ? new WorldOptions { TimeoutSeconds = t } : WorldOptions.FromEnvironment();
            o.Validate();
        }
        catch (ArgumentException e) { throw new MixFlow.Training.ConfigException("mpi-timeout", $"mpi-timeout: {e.Message}"); }
        return DistributedRuntime.GetWorld(o);
    }
}
