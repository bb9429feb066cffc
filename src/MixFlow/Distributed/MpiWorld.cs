using System.Globalization;
using System.Runtime.InteropServices;

namespace MixFlow.Distributed;

/// <summary>
/// The ranks of an <c>mpirun</c> job (MPI_COMM_WORLD of Open MPI, called through P/Invoke on <c>libmpi.so.40</c>).
/// Initialise once per process with <see cref="Initialize"/> (normally through <see cref="DistributedRuntime"/>);
/// <see cref="Dispose"/> calls MPI_Finalize. MPI errors are returned (MPI_ERRORS_RETURN) and thrown as
/// <see cref="MpiException"/> naming the call. Every collective runs under a watchdog
/// (<see cref="WorldOptions.TimeoutSeconds"/>): a rank blocked longer than the timeout prints
/// <c>mixflow: rank R: no progress in collective X for T s; aborting</c> and aborts the job.
/// </summary>
public sealed unsafe class MpiWorld : IWorld, IDisposable
{
    /// <summary>Error code passed to MPI_Abort by the watchdog.</summary>
    public const int TimeoutExitCode = 3;

    private static MpiWorld? _instance;
    private readonly MpiNative _mpi;
    private readonly CollectiveWatchdog _watchdog;
    private readonly bool _threadMultiple;
    private bool _finalized;

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>The options.</summary>
    public WorldOptions Options { get; }

    /// <summary>The MPI library that was loaded.</summary>
    public string LibraryName => _mpi.LibraryName;

    private MpiWorld(MpiNative mpi, WorldOptions options, bool threadMultiple)
    {
        _mpi = mpi;
        Options = options;
        _threadMultiple = threadMultiple;
        int r, s;
        Check(_mpi.CommRank(_mpi.CommWorld, &r), "MPI_Comm_rank");
        Check(_mpi.CommSize(_mpi.CommWorld, &s), "MPI_Comm_size");
        Rank = r; Size = s;
        _watchdog = new CollectiveWatchdog(options.TimeoutSeconds, OnTimeout);
    }

    /// <summary>
    /// Loads Open MPI and calls MPI_Init_thread (MPI_THREAD_MULTIPLE requested, so that the watchdog thread may call
    /// MPI_Abort while the main thread is blocked). Only one world per process: a second call returns the same world.
    /// </summary>
    /// <exception cref="MpiException">The library cannot be loaded or MPI_Init_thread fails.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    public static MpiWorld Initialize(WorldOptions? options = null)
    {
        var o = options ?? new WorldOptions();
        o.Validate();
        if (_instance is not null) return _instance;
        var mpi = MpiNative.Load();
        int flag = 0, provided = 0;
        Check(mpi, mpi.Initialized(&flag), "MPI_Initialized");
        if (flag != 0) throw new MpiException("MPI: MPI_Init was already called in this process by other code; MpiWorld must initialise MPI itself");
        Check(mpi, mpi.InitThread(null, IntPtr.Zero, MpiNative.ThreadMultiple, &provided), "MPI_Init_thread");
        Check(mpi, mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler(MPI_ERRORS_RETURN)");
        _instance = new MpiWorld(mpi, o, provided >= MpiNative.ThreadMultiple);
        return _instance;
    }

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> data, string label = "allreduce")
    {
        if (data.IsEmpty) return;
        using var w = _watchdog.Enter(label);
        fixed (float* p = data) Check(_mpi.Allreduce(MpiNative.InPlace, p, data.Length, _mpi.Float, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce", label);
    }

    /// <inheritdoc/>
    public void AllreduceSum(Span<double> data, string label = "allreduce")
    {
        if (data.IsEmpty) return;
        using var w = _watchdog.Enter(label);
        fixed (double* p = data) Check(_mpi.Allreduce(MpiNative.InPlace, p, data.Length, _mpi.Double, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce", label);
    }

    /// <inheritdoc/>
    public void AllreduceMax(Span<double> data, string label = "allreduce-max")
    {
        if (data.IsEmpty) return;
        using var w = _watchdog.Enter(label);
        fixed (double* p = data) Check(_mpi.Allreduce(MpiNative.InPlace, p, data.Length, _mpi.Double, _mpi.OpMax, _mpi.CommWorld), "MPI_Allreduce(max)", label);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<float> data, int root = 0, string label = "broadcast")
    {
        CheckRoot(root);
        if (data.IsEmpty) return;
        using var w = _watchdog.Enter(label);
        fixed (float* p = data) Check(_mpi.Bcast(p, data.Length, _mpi.Float, root, _mpi.CommWorld), "MPI_Bcast", label);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> data, int root = 0, string label = "broadcast")
    {
        CheckRoot(root);
        if (data.IsEmpty) return;
        using var w = _watchdog.Enter(label);
        fixed (byte* p = data) Check(_mpi.Bcast(p, data.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast", label);
    }

    /// <inheritdoc/>
    public float[]? Gather(ReadOnlySpan<float> local, int root = 0, string label = "gather")
    {
        CheckRoot(root);
        using var w = _watchdog.Enter(label);
        int n = local.Length;
        var counts = Rank == root ? new int[Size] : new int[1];
        fixed (int* c = counts) Check(_mpi.Gather(&n, 1, _mpi.Int, c, 1, _mpi.Int, root, _mpi.CommWorld), "MPI_Gather(counts)", label);
        float[]? result = null;
        int[] displs = new int[Rank == root ? Size : 1];
        if (Rank == root)
        {
            long total = 0;
            for (int i = 0; i < Size; i++) { displs[i] = (int)total; total += counts[i]; if (total > int.MaxValue) throw new MpiException($"MPI: {label}: {total} elements exceed the 2^31-1 limit of one MPI_Gatherv"); }
            result = new float[total];
        }
        fixed (float* s = local)
        fixed (float* r = result)
        fixed (int* c = counts)
        fixed (int* d = displs)
            Check(_mpi.Gatherv(s, n, _mpi.Float, r, c, d, _mpi.Float, root, _mpi.CommWorld), "MPI_Gatherv", label);
        return result;
    }

    /// <inheritdoc/>
    public float[] Allgather(ReadOnlySpan<float> local, string label = "allgather")
    {
        using var w = _watchdog.Enter(label);
        int n = local.Length;
        var counts = new int[Size];
        fixed (int* c = counts) Check(_mpi.Allgather(&n, 1, _mpi.Int, c, 1, _mpi.Int, _mpi.CommWorld), "MPI_Allgather(counts)", label);
        var displs = new int[Size];
        long total = 0;
        for (int i = 0; i < Size; i++) { displs[i] = (int)total; total += counts[i]; if (total > int.MaxValue) throw new MpiException($"MPI: {label}: {total} elements exceed the 2^31-1 limit of one MPI_Allgatherv"); }
        var result = new float[total];
        fixed (float* s = local)
        fixed (float* r = result)
        fixed (int* c = counts)
        fixed (int* d = displs)
            Check(_mpi.Allgatherv(s, n, _mpi.Float, r, c, d, _mpi.Float, _mpi.CommWorld), "MPI_Allgatherv", label);
        return result;
    }

    /// <inheritdoc/>
    public void Barrier(string label = "barrier")
    {
        using var w = _watchdog.Enter(label);
        Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier", label);
    }

    /// <inheritdoc/>
    public void Abort(int errorCode, string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, errorCode);
        MpiNative.ExitNow(errorCode); // MPI_Abort does not return; just in case
    }

    /// <summary>Calls MPI_Finalize (once; later calls do nothing). Every rank must call it at the end of the job.</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        _watchdog.Dispose();
        int done = 0;
        _mpi.Finalized(&done);
        if (done == 0) Check(_mpi.Finalize(), "MPI_Finalize");
    }

    private void OnTimeout(string label, double waited)
    {
        string msg = string.Create(CultureInfo.InvariantCulture,
            $"mixflow: rank {Rank}: no progress in collective {label} for {waited:0} s; aborting (another rank hangs, died or is far behind; raise --mpi-timeout if it is legitimately slow)");
        Console.Out.Flush();
        Console.Error.WriteLine(msg);
        Console.Error.Flush();
        if (_threadMultiple) _mpi.Abort(_mpi.CommWorld, TimeoutExitCode);
        MpiNative.ExitNow(TimeoutExitCode); // without MPI_THREAD_MULTIPLE: exiting without MPI_Finalize makes mpirun stop the job
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), $"MpiWorld: root rank {root} outside [0, {Size})");
    }

    private void Check(int code, string call, string? label = null) => Check(_mpi, code, call, label, Rank);

    private static void Check(MpiNative mpi, int code, string call, string? label = null, int rank = -1)
    {
        if (code == 0) return;
        string where = rank >= 0 ? $"rank {rank}: " : "";
        string what = label is null ? call : $"{call} ({label})";
        throw new MpiException($"MPI: {where}{what} failed: {mpi.Describe(code)}", code);
    }
}
