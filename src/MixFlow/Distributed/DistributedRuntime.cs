using System.Globalization;

namespace MixFlow.Distributed;

/// <summary>
/// The process-wide world: <see cref="SingleProcessWorld"/> unless the process was started by Open MPI's
/// <c>mpirun</c> with more than one rank (detected from <c>OMPI_COMM_WORLD_SIZE</c> / <c>OMPI_COMM_WORLD_RANK</c> /
/// <c>PMIX_RANK</c>), in which case the first <see cref="GetWorld"/> loads <c>libmpi.so.40</c> and initialises MPI.
/// Outside <c>mpirun</c> no MPI library is touched.
/// </summary>
public static class DistributedRuntime
{
    private static readonly object Gate = new();
    private static IWorld? _world;

    /// <summary>The number of ranks the launcher announced (1 outside mpirun), without initialising MPI.</summary>
    public static int LaunchSize => ReadInt("OMPI_COMM_WORLD_SIZE") ?? 1;

    /// <summary>This process's rank as announced by the launcher (0 outside mpirun), without initialising MPI.</summary>
    public static int LaunchRank => ReadInt("OMPI_COMM_WORLD_RANK") ?? ReadInt("PMIX_RANK") ?? 0;

    /// <summary>True when the process is one of several ranks of an mpirun job.</summary>
    public static bool UnderMpi => LaunchSize > 1;

    /// <summary>True on rank 0 (and outside mpirun): the rank that prints and writes files.</summary>
    public static bool IsRoot => LaunchRank == 0;

    /// <summary>The world if it was created, else null.</summary>
    public static IWorld? Current => _world;

    /// <summary>
    /// The process's world, created on first call: an <see cref="MpiWorld"/> under mpirun with several ranks (with
    /// <paramref name="options"/>, else <see cref="WorldOptions.FromEnvironment"/>), else <see cref="SingleProcessWorld"/>.
    /// Later calls return the same world (their options are ignored).
    /// </summary>
    /// <exception cref="MpiException">MPI cannot be loaded or initialised.</exception>
    public static IWorld GetWorld(WorldOptions? options = null)
    {
        lock (Gate)
        {
            if (_world is not null) return _world;
            _world = UnderMpi ? MpiWorld.Initialize(options ?? WorldOptions.FromEnvironment()) : SingleProcessWorld.Instance;
            return _world;
        }
    }

    /// <summary>
    /// Ends the job's use of MPI: with <paramref name="exitCode"/> 0 every rank calls MPI_Finalize; with a failure
    /// code a multi-rank job is aborted (MPI_Abort), so the other ranks do not wait forever for this one. Does
    /// nothing when no MPI world was created.
    /// </summary>
    public static void Shutdown(int exitCode)
    {
        IWorld? w;
        lock (Gate) { w = _world; }
        if (w is not MpiWorld mpi) return;
        if (exitCode != 0 && mpi.Size > 1)
            mpi.Abort(exitCode, string.Create(CultureInfo.InvariantCulture, $"mixflow: rank {mpi.Rank}: failed with exit code {exitCode}; aborting the MPI job"));
        mpi.Dispose();
    }

    private static int? ReadInt(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x : null;
}
