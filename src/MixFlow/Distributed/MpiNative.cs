using System.Runtime.InteropServices;

namespace MixFlow.Distributed;

/// <summary>
/// The Open MPI entry points and predefined handles, resolved from <c>libmpi.so.40</c> with
/// <see cref="NativeLibrary"/> on first use (so that nothing MPI-related is loaded outside <c>mpirun</c>).
/// Open MPI's predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are exported objects
/// (<c>ompi_mpi_comm_world</c>, …): their addresses are the handles. <c>MPI_IN_PLACE</c> is <c>(void*)1</c>.
/// </summary>
internal sealed unsafe class MpiNative
{
    /// <summary>MPI_THREAD_MULTIPLE in Open MPI.</summary>
    public const int ThreadMultiple = 3;
    /// <summary>MPI_MAX_ERROR_STRING in Open MPI.</summary>
    public const int MaxErrorString = 256;
    /// <summary>MPI_IN_PLACE.</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary>Library names tried in order (after <c>MIXFLOW_LIBMPI</c> if set).</summary>
    public static readonly string[] LibraryNames = ["libmpi.so.40", "libmpi.so"];

    public IntPtr Library { get; }
    public string LibraryName { get; }
    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Double { get; }
    public IntPtr Byte { get; }
    public IntPtr Int { get; }
    public IntPtr OpSum { get; }
    public IntPtr OpMax { get; }
    public IntPtr ErrorsReturn { get; }

    public readonly delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommRank;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommSize;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int> CommSetErrhandler;
    public readonly delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast;
    public readonly delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, int, IntPtr, int> Gather;
    public readonly delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, int, IntPtr, int> Gatherv;
    public readonly delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int> Allgather;
    public readonly delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int> Allgatherv;
    public readonly delegate* unmanaged<IntPtr, int> Barrier;
    public readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;

    private MpiNative(IntPtr lib, string name)
    {
        Library = lib; LibraryName = name;
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Byte = Export("ompi_mpi_byte");
        Int = Export("ompi_mpi_int");
        OpSum = Export("ompi_mpi_op_sum");
        OpMax = Export("ompi_mpi_op_max");
        ErrorsReturn = Export("ompi_mpi_errors_return");
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)Export("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Export("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        Gather = (delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Gather");
        Gatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, int, IntPtr, int>)Export("MPI_Gatherv");
        Allgather = (delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int>)Export("MPI_Allgather");
        Allgatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int>)Export("MPI_Allgatherv");
        Barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
    }

    private IntPtr Export(string symbol)
    {
        if (NativeLibrary.TryGetExport(Library, symbol, out var p)) return p;
        throw new MpiException($"MPI: '{LibraryName}' does not export '{symbol}'; MixFlow needs Open MPI 4.x or later (Debian: openmpi-bin, libopenmpi3)");
    }

    /// <summary>Loads the library (<c>MIXFLOW_LIBMPI</c>, else <see cref="LibraryNames"/>) and resolves every entry point.</summary>
    /// <exception cref="MpiException">No Open MPI library can be loaded, or a symbol is missing.</exception>
    public static MpiNative Load()
    {
        var names = new List<string>();
        if (Environment.GetEnvironmentVariable("MIXFLOW_LIBMPI") is { Length: > 0 } custom) names.Add(custom);
        names.AddRange(LibraryNames);
        var errors = new List<string>();
        foreach (var n in names)
        {
            // RTLD_GLOBAL: Open MPI's dlopen'ed components may resolve symbols of libmpi itself.
            IntPtr h = DlOpenGlobal(n);
            if (h == IntPtr.Zero && !NativeLibrary.TryLoad(n, out h)) { errors.Add(n); continue; }
            return new MpiNative(h, n);
        }
        throw new MpiException($"MPI: running under mpirun but no Open MPI library could be loaded (tried {string.Join(", ", errors)}); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or set MIXFLOW_LIBMPI to the path of libmpi.so");
    }

    /// <summary>The text of an MPI error code.</summary>
    public string Describe(int code)
    {
        byte* buf = stackalloc byte[MaxErrorString + 1];
        int len = 0;
        if (ErrorString(code, buf, &len) != 0 || len <= 0) return $"MPI error {code}";
        return $"{System.Text.Encoding.ASCII.GetString(buf, Math.Min(len, MaxErrorString))} (MPI error {code})";
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string file, int mode);

    private static IntPtr DlOpenGlobal(string name)
    {
        try { return DlOpen(name, RtldNow | RtldGlobal); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return IntPtr.Zero; }
    }

    /// <summary>Terminates the process at once (no managed shutdown), for the watchdog when MPI_Abort is unavailable.</summary>
    [DllImport("libc", EntryPoint = "_exit")]
    public static extern void ExitNow(int code);
}
