using MixFlow.Distributed;
using MixFlow.MpiHost;
using MixFlow.Tensors.IO;
using MixFlow.Training;

namespace MixFlow.Tests.Distributed;

/// <summary>
/// Data-parallel training under mpirun (2 ranks on this machine) against the single-process run of the same
/// scenario (<see cref="Scenario"/>: MixFlow objective, global batch 32, seed 11) in this test process.
/// </summary>
[Collection("MemoryAccounting")]
public sealed class MpiTrainingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixflow-mpi-" + Guid.NewGuid().ToString("N")[..8]);

    private readonly int _threads = MixFlow.Tensors.Engine.Threads; // the scenarios set Engine.Threads = 1

    public void Dispose()
    {
        MixFlow.Tensors.Engine.Threads = _threads;
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Dir(string name) => Path.Combine(_dir, name);

    private static TrainResult Single(params string[] args) => Scenario.Train(["train", .. args], SingleProcessWorld.Instance);

    private static double MaxDiff(string ckptA, string ckptB, string file)
    {
        var a = Read(Path.Combine(ckptA, file));
        var b = Read(Path.Combine(ckptB, file));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double m = 0;
        foreach (var (k, va) in a)
        {
            var vb = b[k];
            Assert.Equal(va.Length, vb.Length);
            for (int i = 0; i < va.Length; i++) m = Math.Max(m, Math.Abs((double)va[i] - vb[i]));
        }
        return m;
    }

    private static Dictionary<string, float[]> Read(string path)
    {
        using var f = SafeTensors.Load(path);
        return f.ReadAll().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    private static void AssertSameState(string expected, string actual, double tol = 1e-5)
    {
        foreach (var f in new[] { Checkpoint.ModelFile, Checkpoint.EmaFile, Checkpoint.OptimizerFile })
        {
            double d = MaxDiff(expected, actual, f);
            Assert.True(d <= tol, $"{f}: max |difference| {d:E2} between {expected} and {actual} exceeds {tol:E0}");
        }
        var se = Checkpoint.Open(expected).State; var sa = Checkpoint.Open(actual).State;
        Assert.Equal(se.Step, sa.Step);
        Assert.Equal(se.Loader, sa.Loader);
        Assert.Equal(se.Rng["train"], sa.Rng["train"]);
        Assert.Equal(se.SkippedSteps, sa.SkippedSteps);
    }

    private static string Ckpt(string run, int step) => Path.Combine(run, CheckpointManager.DirectoryName(step));

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    [MpiFact]
    public void TwoRanks_EqualSingleProcess_AndResumeAcrossRankCounts()
    {
        var job = MpiRun.Run(2, MpiRun.HostDll, ["train", "--out", Dir("mpi"), "--steps", "4"]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("rank 1: step 4 skipped 0", job.Stdout);
        Single("--out", Dir("single"), "--steps", "4");
        AssertSameState(Ckpt(Dir("single"), 2), Ckpt(Dir("mpi"), 2));
        AssertSameState(Ckpt(Dir("single"), 4), Ckpt(Dir("mpi"), 4));
        // Training really moved the weights (the comparison is not between two untouched models).
        Single("--out", Dir("zero"), "--steps", "0");
        Assert.True(MaxDiff(Ckpt(Dir("zero"), 0), Ckpt(Dir("single"), 4), Checkpoint.ModelFile) > 1e-3);
        // 2 ranks → checkpoint at step 2 → 1 rank continues to 4 == straight single-process run.
        CopyDir(Ckpt(Dir("mpi"), 2), Ckpt(Dir("resumed"), 2));
        Single("--out", Dir("resumed"), "--steps", "4", "--resume", Ckpt(Dir("resumed"), 2));
        AssertSameState(Ckpt(Dir("single"), 4), Ckpt(Dir("resumed"), 4));
    }

    [MpiFact]
    public void ConditionalSiTWithLabelDropout_TwoRanksEqualSingleProcess()
    {
        var job = MpiRun.Run(2, MpiRun.HostDll, ["train", "--out", Dir("mpi"), "--steps", "2", "--labelled-images"]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Single("--out", Dir("single"), "--steps", "2", "--labelled-images");
        AssertSameState(Ckpt(Dir("single"), 2), Ckpt(Dir("mpi"), 2));
    }

    [MpiFact]
    public void NonFiniteLossOnOneRank_EveryRankSkipsTheStep()
    {
        // Step 1's NaN sample lies in rank 1's half of the global batch: rank 0's shard is finite.
        var job = MpiRun.Run(2, MpiRun.HostDll, ["train", "--out", Dir("mpi"), "--steps", "4", "--nan-step", "1"]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("rank 0: step 4 skipped 1", job.Stdout);
        Assert.Contains("rank 1: step 4 skipped 1", job.Stdout);
        var single = Single("--out", Dir("single"), "--steps", "4", "--nan-step", "1");
        Assert.Equal(1, single.SkippedSteps);
        AssertSameState(Ckpt(Dir("single"), 4), Ckpt(Dir("mpi"), 4));
    }

    [MpiFact]
    public void HungRank_StopsTheJobWithAMessageWithinTheTimeout()
    {
        var job = MpiRun.Run(2, MpiRun.HostDll, ["train", "--out", Dir("hang"), "--steps", "6", "--hang-rank", "1", "--hang-step", "2", "--timeout", "2"], timeoutSeconds: 60);
        Assert.False(job.TimedOut, job.ToString());
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("mixflow: rank 0: no progress in collective allreduce(loss) for", job.Stderr);
        Assert.Contains("aborting", job.Stderr);
        Assert.True(job.Seconds < 45, job.ToString());
    }

    [MpiFact]
    public void DeadRank_StopsTheJob()
    {
        var job = MpiRun.Run(2, MpiRun.HostDll, ["train", "--out", Dir("die"), "--steps", "6", "--die-rank", "1", "--die-step", "2", "--timeout", "120"], timeoutSeconds: 60);
        Assert.False(job.TimedOut, job.ToString());
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1: dying at step 2", job.Stdout);
        Assert.DoesNotContain("rank 0: step 6", job.Stdout);
    }

    [MpiFact]
    public void Collectives_OnThreeRanks()
    {
        var job = MpiRun.Run(3, MpiRun.HostDll, ["collectives"]);
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("collectives ok", job.Stdout);
    }
}
