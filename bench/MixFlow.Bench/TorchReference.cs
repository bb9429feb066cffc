using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MixFlow.Bench;

/// <summary>Which PyTorch script produced a <see cref="TorchResult"/>.</summary>
public enum TorchSource
{
    /// <summary>PyTorch was not available (or the script failed).</summary>
    None,
    /// <summary>The team's reference benchmark, <c>../shared/reference/run_torch_reference.sh</c>.</summary>
    Reference,
    /// <summary>The bench's own copy, <c>torch/flow_bench.py</c> (used only where the reference script is absent).</summary>
    BenchCopy,
}

/// <summary>PyTorch's figures for one benchmark, or <see cref="Available"/> = false when PyTorch is absent.</summary>
/// <param name="Available">Whether PyTorch ran and printed a median.</param>
/// <param name="MedianMs">Median step time in milliseconds.</param>
/// <param name="RssMb">Peak resident set size of the PyTorch process in MB.</param>
/// <param name="Log">The script's output.</param>
/// <param name="Source">Which script ran.</param>
public sealed record TorchResult(bool Available, double MedianMs, double RssMb, string Log, TorchSource Source);

/// <summary>
/// Runs PyTorch's side of a training-step benchmark in the same run as the engine's. Preferred: the team's reference
/// script <c>shared/reference/run_torch_reference.sh</c>, found in a parent directory of the repository (or named by
/// <c>MIXFLOW_TORCH_REFERENCE</c>); it sets up Debian's PyTorch at its best (OPENBLAS_CORETYPE removed, passive
/// OpenMP waiting, glibc malloc thresholds raised). Where it is absent, the bench's own copy
/// <c>torch/flow_bench.py</c> runs with the same environment. The PyTorch process's peak RSS is read from
/// <c>getrusage(RUSAGE_CHILDREN)</c> after it exits (the largest child this process has waited for).
/// </summary>
/// <remarks>
/// Run PyTorch BEFORE the engine's benchmark: on Linux a child's <c>ru_maxrss</c> also counts the pages of the
/// forked copy of this process before <c>exec</c> (the kernel keeps the old memory map's high-water mark), so a child
/// started after the engine has grown to gigabytes reports at least the engine's RSS. Started first, the copy is the
/// small start-up process and the figure is PyTorch's own peak.
/// </remarks>
public static partial class TorchReference
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Runs PyTorch's <paramref name="which"/> benchmark (mlp or dit).</summary>
    public static TorchResult Run(string which, int threads, int steps, TextWriter log)
    {
        string? reference = FindReferenceScript();
        var copy = Path.Combine(AppContext.BaseDirectory, "torch", "flow_bench.py");
        ProcessStartInfo psi;
        TorchSource source;
        if (reference != null)
        {
            psi = new ProcessStartInfo("/bin/bash");
            psi.ArgumentList.Add(reference);
            source = TorchSource.Reference;
        }
        else if (File.Exists(Python) && File.Exists(copy))
        {
            psi = new ProcessStartInfo(Python);
            psi.ArgumentList.Add(copy);
            psi.Environment.Remove("OPENBLAS_CORETYPE");
            psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            psi.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";
            source = TorchSource.BenchCopy;
        }
        else return new(false, double.NaN, double.NaN, "python3 or script missing", TorchSource.None);
        psi.RedirectStandardOutput = true; psi.RedirectStandardError = true; psi.UseShellExecute = false;
        psi.ArgumentList.Add(which);
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
        log.WriteLine($"  [torch] running {(source == TorchSource.Reference ? reference : copy)} {which} {threads} {steps}");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        double rss = ChildPeakRssMb();
        var text = stdout.Result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries)) log.WriteLine("  [torch] " + line);
        var m = source == TorchSource.Reference ? ReferenceMedian().Match(text) : CopyResultLine().Match(text);
        if (p.ExitCode != 0 || !m.Success)
        {
            var err = stderr.Result.Trim();
            log.WriteLine($"  [torch] unavailable ({(err.Contains("No module named 'torch'") ? "PyTorch not installed: apt-get install python3-torch" : err.Split('\n').LastOrDefault())})");
            return new(false, double.NaN, double.NaN, text + err, TorchSource.None);
        }
        return new(true, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), rss, text, source);
    }

    /// <summary>The reference script: <c>MIXFLOW_TORCH_REFERENCE</c>, else <c>shared/reference/run_torch_reference.sh</c> in a parent of the working or base directory.</summary>
    private static string? FindReferenceScript()
    {
        var env = Environment.GetEnvironmentVariable("MIXFLOW_TORCH_REFERENCE");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) ? Path.GetFullPath(env) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "reference", "run_torch_reference.sh");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Peak RSS in MB of the largest waited-for child process (ru_maxrss of RUSAGE_CHILDREN, in KiB on Linux).</summary>
    private static double ChildPeakRssMb()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        var usage = new long[18]; // struct rusage on LP64: 2 timevals (4 longs), then ru_maxrss, … (18 longs)
        return getrusage(-1 /* RUSAGE_CHILDREN */, usage) == 0 ? usage[4] / 1024.0 : double.NaN;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);

    // Reference script: "<name>: params=… threads=2 median 9767.4 ms/step, min …, max … (n=5)".
    [GeneratedRegex(@"median ([\d.]+) ms/step, min")]
    private static partial Regex ReferenceMedian();

    [GeneratedRegex(@"TORCH \w+ median_ms=([\d.]+) min_ms=[\d.]+ rss_mb=([\d.]+)")]
    private static partial Regex CopyResultLine();
}
