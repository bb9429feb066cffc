using System.Runtime.InteropServices;

namespace MixFlow.Tensors.Kernels;

/// <summary>
/// The process's native environment (libc <c>environ</c>). On Linux, <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only the runtime's managed copy, so variables a native library reads at load time (OpenBLAS reads
/// <c>OPENBLAS_CORETYPE</c> in its constructor) must be changed here.
/// </summary>
internal static partial class NativeEnv
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvNative(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnvNative(string name);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetEnvNative(string name);

    /// <summary>True where the native environment can be read and changed through libc (Linux and macOS).</summary>
    internal static bool Supported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>The variable's value in the native environment, or null when unset (falls back to the managed copy elsewhere).</summary>
    internal static string? Get(string name)
    {
        if (!Supported) return Environment.GetEnvironmentVariable(name);
        nint p = GetEnvNative(name);
        return p == 0 ? null : Marshal.PtrToStringUTF8(p);
    }

    /// <summary>Sets (value non-null) or removes (value null) the variable in both the native and the managed environment.</summary>
    /// <returns>False when libc reported a failure or the platform has no libc environment.</returns>
    internal static bool Set(string name, string? value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!Supported) return false;
        try
        {
            return (value is null ? UnsetEnvNative(name) : SetEnvNative(name, value, 1)) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
