using MixFlow.Cli;
using MixFlow.Data;
using MixFlow.Distributed;
using MixFlow.MpiHost;

namespace MixFlow.Tests.Distributed;

/// <summary><c>mpirun -np 2 mixflow sample</c> against the same command in a single process.</summary>
[Collection("MemoryAccounting")]
public sealed class MpiSamplingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixflow-mpis-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [MpiFact]
    public void TwoRanks_WriteTheSamplesOfASingleProcess()
    {
        Scenario.Train(["train", "--out", Path.Combine(_dir, "run"), "--steps", "2"], SingleProcessWorld.Instance);
        string ck = Path.Combine(_dir, "run", "ckpt-2");
        // 5 batches of 3 (the last one short) over 2 ranks; the SDE sampler also draws noise during integration.
        string[] common = ["sample", "--ckpt", ck, "--n", "14", "--batch-size", "3", "--sampler", "em", "--steps", "6", "--seed", "5"];
        var job = MpiRun.Run(2, MpiRun.CliDll, [.. common, "--out", Path.Combine(_dir, "mpi")]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Single(job.Stdout.Split('\n').Where(l => l.StartsWith("sample: 14 samples", StringComparison.Ordinal)));
        Assert.Equal(0, MixFlow.Cli.Program.Run([.. common, "--out", Path.Combine(_dir, "single")]));
        var a = NpyFile.Read(Path.Combine(_dir, "single", "samples.npy"));
        var b = NpyFile.Read(Path.Combine(_dir, "mpi", "samples.npy"));
        Assert.Equal(a.Shape, b.Shape);
        Assert.Equal(a.ToFloat32(), b.ToFloat32());
    }
}
