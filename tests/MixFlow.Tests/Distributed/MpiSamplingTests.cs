using MixFlow.Cli;
using MixFlow.Data;

namespace MixFlow.Tests.Distributed;

/// <summary><c>mpirun -np 2 mixflow train/sample</c> against the same commands in a single process.</summary>
[Collection("MemoryAccounting")]
public sealed class MpiSamplingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixflow-mpis-" + Guid.NewGuid().ToString("N")[..8]);

    private readonly int _threads = MixFlow.Tensors.Engine.Threads; // the scenarios set Engine.Threads = 1

    public void Dispose()
    {
        MixFlow.Tensors.Engine.Threads = _threads;
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [MpiFact]
    public void TwoRanks_TrainAndSampleLikeASingleProcess()
    {
        // mixflow train under mpirun == in-process mixflow train (same flags).
        string[] train = ["train", "--data", "toy:moons", "--model", "flow-mlp-s", "--steps", "2", "--batch-size", "32", "--threads", "1", "--sample-every", "0", "--seed", "3"];
        var tj = MpiRun.Run(2, MpiRun.CliDll, [.. train, "--out", Path.Combine(_dir, "run")]);
        Assert.True(tj.ExitCode == 0, tj.ToString());
        Assert.Single(tj.Stdout.Split('\n'), l => l.StartsWith("train: done, checkpoint", StringComparison.Ordinal));
        Assert.Equal(0, MixFlow.Cli.Program.Run([.. train, "--out", Path.Combine(_dir, "run1")]));
        string ck = Path.Combine(_dir, "run", "ckpt-2");
        using (var fa = MixFlow.Tensors.IO.SafeTensors.Load(Path.Combine(ck, "model.safetensors")))
        using (var fb = MixFlow.Tensors.IO.SafeTensors.Load(Path.Combine(_dir, "run1", "ckpt-2", "model.safetensors")))
        {
            var a = fa.ReadAll(); var b = fb.ReadAll();
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var k in a.Keys)
            {
                var va = a[k].ToArray(); var vb = b[k].ToArray();
                for (int i = 0; i < va.Length; i++) Assert.True(Math.Abs(va[i] - vb[i]) <= 1e-5, $"{k}[{i}]: {va[i]} vs {vb[i]}");
            }
        }
        // 5 batches of 3 (the last one short) over 2 ranks; the SDE sampler also draws noise during integration.
        string[] common = ["sample", "--ckpt", ck, "--n", "14", "--batch-size", "3", "--sampler", "em", "--steps", "6", "--seed", "5"];
        var job = MpiRun.Run(2, MpiRun.CliDll, [.. common, "--out", Path.Combine(_dir, "mpi")]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Single(job.Stdout.Split('\n'), l => l.StartsWith("sample: 14 samples", StringComparison.Ordinal));
        Assert.Equal(0, MixFlow.Cli.Program.Run([.. common, "--out", Path.Combine(_dir, "single")]));
        var sa = NpyFile.Read(Path.Combine(_dir, "single", "samples.npy"));
        var sb = NpyFile.Read(Path.Combine(_dir, "mpi", "samples.npy"));
        Assert.Equal(sa.Shape, sb.Shape);
        Assert.Equal(sa.ToFloat32(), sb.ToFloat32());
    }
}
