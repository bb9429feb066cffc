using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MixFlow.Tensors.Kernels;

/// <summary>
/// OpenBLAS bound at run time (<see cref="NativeLibrary.TryLoad(string, out nint)"/>), so the engine works without it.
/// Loading happens once, on first use. Before it, the native <c>OPENBLAS_CORETYPE</c> is fixed up (see
/// <see cref="Gemm"/> for the rules): OpenBLAS reads it in its library constructor, and a weaker forced core
/// (e.g. Haswell on an AVX-512 machine) halves its speed.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly object InitLock = new();
    private static volatile bool _initialized;
    private static nint _handle;
    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private static delegate* unmanaged<int, void> _setThreads;
    private static delegate* unmanaged<int> _getThreads;
    private static delegate* unmanaged<nint> _coreName;
    private static delegate* unmanaged<nint> _config;
    private static string _version = "";
    private static string _core = "";
    private static string? _coreTypeNote;
    private static string? _loadError;

    /// <summary>Env var naming a library path to load instead of the default names.</summary>
    internal const string LibraryVariable = "MIXFLOW_OPENBLAS_LIB";

    /// <summary>Env var whose value, when set, is passed to OpenBLAS as <c>OPENBLAS_CORETYPE</c> (<c>auto</c>: unset it, OpenBLAS detects the CPU).</summary>
    internal const string CoreTypeVariable = "MIXFLOW_OPENBLAS_CORETYPE";

    private static readonly string[] DefaultNames = OperatingSystem.IsWindows()
        ? ["libopenblas.dll", "openblas.dll"]
        : OperatingSystem.IsMacOS() ? ["libopenblas.0.dylib", "libopenblas.dylib"] : ["libopenblas.so.0", "libopenblas.so"];

    /// <summary>True once loading was attempted and succeeded (never triggers loading).</summary>
    internal static bool IsLoaded => _initialized && _sgemm != null;

    /// <summary>True once loading was attempted and failed (never triggers loading).</summary>
    internal static bool LoadFailed => _initialized && _sgemm == null;

    /// <summary>True when the library was found and all needed symbols resolved (loads it on first call).</summary>
    internal static bool Available { get { EnsureLoaded(); return _sgemm != null; } }

    /// <summary>"OpenBLAS 0.3.21" (from <c>openblas_get_config</c>), or empty when unavailable.</summary>
    internal static string Version { get { EnsureLoaded(); return _version; } }

    /// <summary>The kernel core OpenBLAS runs (<c>openblas_get_corename</c>), e.g. "SkylakeX".</summary>
    internal static string CoreName { get { EnsureLoaded(); return _core; } }

    /// <summary>What was done to OPENBLAS_CORETYPE before loading (null when nothing), for <see cref="Gemm.Describe"/>.</summary>
    internal static string? CoreTypeNote { get { EnsureLoaded(); return _coreTypeNote; } }

    /// <summary>Why loading failed (null when loaded or not tried).</summary>
    internal static string? LoadError { get { EnsureLoaded(); return _loadError; } }

    /// <summary>OpenBLAS's own thread count (global to the process).</summary>
    internal static int Threads
    {
        get { EnsureLoaded(); return _getThreads != null ? _getThreads() : 0; }
        set { EnsureLoaded(); if (_setThreads != null) _setThreads(Math.Max(1, value)); }
    }

    /// <summary>Row-major <c>cblas_sgemm</c>. The caller has validated every argument (native code does no bounds checks).</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
                pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
    }

    /// <summary>Row-major <c>cblas_sgemm</c> on raw pointers (already offset). Arguments validated by the caller.</summary>
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
        => _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    private static void EnsureLoaded()
    {
        if (_initialized) return;
        lock (InitLock)
        {
            if (_initialized) return;
            try { Load(); }
            catch (Exception e) { _sgemm = null; _loadError = $"{e.GetType().Name}: {e.Message}"; }
            _initialized = true;
        }
    }

    /// <summary>The OpenBLAS core named on AVX-512 CPUs (its SGEMM kernel needs AVX-512 F, BW, DQ and VL).</summary>
    private const string AvxCore = "SkylakeX";

    private static bool HasSkylakeXIsa => Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>Cores whose OpenBLAS kernels use AVX-512; forcing anything else on an AVX-512 CPU is a slowdown.</summary>
    private static bool IsAvx512Core(string core) =>
        core.Equals("SkylakeX", StringComparison.OrdinalIgnoreCase) || core.Equals("Cooperlake", StringComparison.OrdinalIgnoreCase)
        || core.Equals("SapphireRapids", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fixes OPENBLAS_CORETYPE in the native environment; returns the original value to restore after loading.</summary>
    private static (bool Changed, string? Original) FixCoreType()
    {
        string? original = NativeEnv.Get("OPENBLAS_CORETYPE");
        string? forced = Environment.GetEnvironmentVariable(CoreTypeVariable);
        if (!string.IsNullOrWhiteSpace(forced))
        {
            forced = forced.Trim();
            bool auto = forced.Equals("auto", StringComparison.OrdinalIgnoreCase);
            if (NativeEnv.Set("OPENBLAS_CORETYPE", auto ? null : forced))
                _coreTypeNote = $"{CoreTypeVariable}={forced}";
            else
                _coreTypeNote = $"{CoreTypeVariable}={forced} could not be applied";
            return (true, original);
        }
        if (HasSkylakeXIsa && (string.IsNullOrEmpty(original) || !IsAvx512Core(original)))
        {
            // OpenBLAS 0.3.21 does not recognise every AVX-512 CPU (it falls back to Prescott kernels on Sapphire Rapids
            // under a hypervisor), and a forced weaker core wastes half the FMA width: name the AVX-512 kernels.
            if (NativeEnv.Set("OPENBLAS_CORETYPE", AvxCore))
            {
                _coreTypeNote = string.IsNullOrEmpty(original)
                    ? $"OPENBLAS_CORETYPE={AvxCore} set"
                    : $"OPENBLAS_CORETYPE={original} overridden";
                return (true, original);
            }
            _coreTypeNote = $"OPENBLAS_CORETYPE could not be set to {AvxCore}";
        }
        return (false, original);
    }

    private static void Load()
    {
        var (changed, original) = FixCoreType();
        nint h = 0;
        try
        {
            string? custom = Environment.GetEnvironmentVariable(LibraryVariable);
            string[] names = string.IsNullOrWhiteSpace(custom) ? DefaultNames : [custom.Trim()];
            foreach (var name in names)
                if (NativeLibrary.TryLoad(name, out h)) break;
        }
        finally
        {
            // OpenBLAS has read the variable in its constructor; give child processes the environment the user set.
            if (changed) NativeEnv.Set("OPENBLAS_CORETYPE", original);
        }
        if (h == 0) { _loadError = "libopenblas not found"; return; }
        if (!NativeLibrary.TryGetExport(h, "cblas_sgemm", out var sgemm)
            || !NativeLibrary.TryGetExport(h, "openblas_set_num_threads", out var set)
            || !NativeLibrary.TryGetExport(h, "openblas_get_num_threads", out var get))
        {
            _loadError = "libopenblas lacks cblas_sgemm/openblas_set_num_threads/openblas_get_num_threads";
            return;
        }
        _handle = h;
        _setThreads = (delegate* unmanaged<int, void>)set;
        _getThreads = (delegate* unmanaged<int>)get;
        if (NativeLibrary.TryGetExport(h, "openblas_get_corename", out var core))
        {
            _coreName = (delegate* unmanaged<nint>)core;
            _core = Marshal.PtrToStringUTF8(_coreName()) ?? "";
        }
        if (NativeLibrary.TryGetExport(h, "openblas_get_config", out var config))
        {
            _config = (delegate* unmanaged<nint>)config;
            var parts = (Marshal.PtrToStringUTF8(_config()) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            _version = parts.Length >= 2 ? $"{parts[0]} {parts[1]}" : "OpenBLAS";
        }
        else _version = "OpenBLAS";
        _setThreads(Math.Max(1, Gemm.Threads));
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
    }
}
