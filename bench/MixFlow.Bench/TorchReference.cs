using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MixFlow.Bench;

/// <summary>PyTorch's figures for one benchmark, or <see cref="Available"/> = false when PyTorch is absent.</summary>
public sealed record TorchResult(bool Available, double MedianMs, double RssMb, string Log);

/// <summary>
/// Runs the bench's own PyTorch script (torch/flow_bench.py) with Debian's PyTorch, tuned as
/// ../shared/reference/run_torch_reference.sh does: OPENBLAS_CORETYPE removed (AVX-512 kernels), passive OpenMP
/// waiting, glibc malloc thresholds raised so large buffers are reused rather than re-faulted.
/// </summary>
public static partial class TorchReference
{
    private const string Python = "/usr/bin/python3";

    public static TorchResult Run(string which, int threads, int steps, TextWriter log)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "torch", "flow_bench.py");
        if (!File.Exists(Python) || !File.Exists(script)) return new(false, double.NaN, double.NaN, "python3 or script missing");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script); psi.ArgumentList.Add(which);
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture)); psi.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        psi.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var text = stdout.Result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries)) log.WriteLine("  [torch] " + line);
        var m = ResultLine().Match(text);
        if (p.ExitCode != 0 || !m.Success)
        {
            var err = stderr.Result.Trim();
            log.WriteLine($"  [torch] unavailable ({(err.Contains("No module named 'torch'") ? "PyTorch not installed: apt-get install python3-torch" : err.Split('\n').LastOrDefault())})");
            return new(false, double.NaN, double.NaN, text + err);
        }
        return new(true, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), text);
    }

    [GeneratedRegex(@"TORCH \w+ median_ms=([\d.]+) min_ms=[\d.]+ rss_mb=([\d.]+)")]
    private static partial Regex ResultLine();
}
