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
