using System.Runtime.InteropServices;

namespace MixFlow.Tensors.IO;

/// <summary>
/// Flushes a directory's entries to disk (POSIX <c>fsync</c> on the directory). An atomic write — temporary file
/// flushed, then renamed over the target — is only durable once the directory holding the new name is flushed too:
/// after a power loss the rename may otherwise be lost although the file's bytes were on disk. .NET has no API for it,
/// so this calls libc on Linux and macOS; on Windows, where NTFS journals renames and a directory cannot be flushed
/// through a file handle, it does nothing.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: a directory opens read-only on Linux and macOS alike
    private const int EInval = 22, ENotSup = 95, EOpNotSuppMac = 45, EBadF = 9;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>True where directories are flushed (Linux, macOS, FreeBSD); elsewhere <see cref="Flush"/> only checks the path.</summary>
    public static bool Supported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>
    /// Flushes the entries of <paramref name="directory"/> (names created, renamed or removed in it) to disk. File
    /// systems that cannot flush a directory (fsync answers EINVAL or ENOTSUP, e.g. some network mounts) are accepted
    /// silently: there is nothing more a program can do there.
    /// </summary>
    /// <param name="directory">An existing directory.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="IOException">It could not be opened or flushed; the message names it and the OS error.</exception>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"DirectorySync.Flush: the directory '{full}' does not exist");
        if (!Supported) return;
        int fd = Open(full, ReadOnly);
        if (fd < 0) throw new IOException($"DirectorySync.Flush: cannot open the directory '{full}': {Describe(Marshal.GetLastPInvokeError())}");
        try
        {
            if (FSync(fd) != 0)
            {
                int err = Marshal.GetLastPInvokeError();
                if (err is not (EInval or ENotSup or EOpNotSuppMac or EBadF))
                    throw new IOException($"DirectorySync.Flush: cannot flush the directory '{full}' to disk: {Describe(err)}");
            }
        }
        finally { Close(fd); }
    }

    /// <summary>Flushes the directory that holds <paramref name="path"/> (a file or directory just renamed into place).</summary>
    /// <inheritdoc cref="Flush" path="/exception"/>
    public static void FlushParentOf(string path) => Flush(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
