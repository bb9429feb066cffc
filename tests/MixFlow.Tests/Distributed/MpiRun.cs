using System.Diagnostics;

namespace MixFlow.Tests.Distributed;

/// <summary>Result of an mpirun job.</summary>
public sealed record MpiJob(int ExitCode, string Stdout, string Stderr, double Seconds, bool TimedOut)
{
    public override string ToString() => $"exit {ExitCode} after {Seconds:0.0} s{(TimedOut ? " (killed: test timeout)" : "")}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Launches <c>mpirun --allow-run-as-root --oversubscribe -np N dotnet DLL args</c> for the distributed tests.</summary>
public static class MpiRun
{
    /// <summary>Full path of mpirun, or null when Open MPI is not installed.</summary>
    public static string? MpirunPath { get; } = Find("mpirun");

    /// <summary>The reason MPI tests are skipped, or null when mpirun is present.</summary>
    public static string? SkipReason => MpirunPath is null ? "mpirun (Open MPI) is not installed: apt-get install openmpi-bin libopenmpi-dev to run the distributed tests" : null;

    /// <summary>The helper project's dll (copied next to the tests).</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "MixFlow.MpiHost.dll");

    /// <summary>The CLI's dll (copied next to the tests).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "MixFlow.Cli.dll");

    /// <summary>Runs a job and waits for it (killing it after <paramref name="timeoutSeconds"/>).</summary>
    public static MpiJob Run(int ranks, string dll, IEnumerable<string> args, double timeoutSeconds = 90)
    {
        var psi = new ProcessStartInfo(MpirunPath ?? throw new InvalidOperationException(SkipReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), "-x", "CI=1", DotNet(), dll }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool done = p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds));
        if (!done) { try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } p.WaitForExit(); }
        return new MpiJob(done ? p.ExitCode : -1, stdout.Result, stderr.Result, clock.Elapsed.TotalSeconds, !done);
    }

    private static string DotNet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : Find("dotnet") ?? "dotnet";

    private static string? Find(string exe)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string p = Path.Combine(dir, exe);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}

/// <summary>A fact that is skipped, with the reason, when mpirun is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.SkipReason is { } r) Skip = r;
    }
}
