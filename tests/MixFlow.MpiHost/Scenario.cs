using System.Globalization;
using MixFlow.Data;
using MixFlow.Distributed;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.MpiHost;

/// <summary>
/// A small, fixed training run (toy moons, flow-mlp-s, MixFlow objective, global batch 32) with optional faults, run
/// the same way single-process (in the test) and under mpirun (this helper), so that their results can be compared.
/// Arguments: <c>train --out DIR --steps K [--resume CKPT] [--nan-step S] [--hang-rank R --hang-step S]
/// [--die-rank R --die-step S] [--timeout T]</c>.
/// </summary>
public static class Scenario
{
    /// <summary>Global batch size of the scenario.</summary>
    public const int BatchSize = 32;

    /// <summary>The scenario's configuration.</summary>
    public static TrainConfig Config(string outDir, int steps) => new()
    {
        Data = new DataSpec(DataKind.Toy, "moons"),
        Model = "flow-mlp-s",
        Objective = ObjectiveKind.MixFlow,
        Steps = steps,
        BatchSize = BatchSize,
        Lr = 1e-3,
        Seed = 11,
        Threads = 1,
        CkptEvery = 2,
        SampleEvery = 0,
        LogEvery = 1,
        Keep = 10,
        EmaDecay = 0.9,
        Out = outDir,
    };

    /// <summary>The <c>--timeout</c> argument (default 60 s).</summary>
    public static double Timeout(string[] args) => Get(args, "--timeout") is { } t ? double.Parse(t, CultureInfo.InvariantCulture) : 60;

    /// <summary>Runs <c>train</c> and prints <c>rank R: step S skipped K</c> on every rank.</summary>
    public static int Run(string[] args, IWorld world)
    {
        if (args.Length == 0 || args[0] != "train") throw new ArgumentException("usage: train --out DIR --steps K [...] | collectives");
        var r = Train(args, world);
        Console.WriteLine($"rank {world.Rank}: step {r.FinalStep} skipped {r.SkippedSteps}");
        return 0;
    }

    /// <summary>Builds (or resumes) the session and trains it on <paramref name="world"/>.</summary>
    public static TrainResult Train(string[] args, IWorld world)
    {
        string outDir = Get(args, "--out") ?? throw new ArgumentException("--out is required");
        int steps = int.Parse(Get(args, "--steps") ?? "4", CultureInfo.InvariantCulture);
        var cfg = Config(outDir, steps);
        IDataset ds;
        if (args.Contains("--labelled-images"))
        {
            // Class-conditional SiT (label dropout 0.1) on random labelled 28×28 images, global batch 16.
            cfg = cfg with { Data = new DataSpec(DataKind.Npz, "synthetic-labelled.npz"), Model = "SiT-XS/4-28", BatchSize = 16 };
            ds = LabelledImages();
        }
        else ds = TrainingSetup.LoadData(cfg.Data, cfg.Seed);
        if (Get(args, "--nan-step") is { } ns) ds = new NanDataset(ds, NanIndex(ds, cfg, int.Parse(ns, CultureInfo.InvariantCulture)));
        TrainingSession s;
        if (Get(args, "--resume") is { } ck) s = TrainingSetup.Resume(Checkpoint.Open(ck), steps, ds);
        else s = TrainingSetup.Create(cfg, ds);
        var faults = new FaultObjective(s.Objective, world.Rank,
            Int(args, "--hang-rank"), Int(args, "--hang-step"), Int(args, "--die-rank"), Int(args, "--die-step"), s.Step);
        s = new TrainingSession
        {
            Model = s.Model, Ema = s.Ema, Objective = faults, ObjectiveDescription = s.ObjectiveDescription, Optimizer = s.Optimizer,
            Schedule = s.Schedule, Data = s.Data, Rng = s.Rng, Config = s.Config, ModelPreset = s.ModelPreset, Parent = s.Parent,
            Step = s.Step, SkippedSteps = s.SkippedSteps,
        };
        return new Trainer(s, null, world).Run();
    }

    /// <summary>
    /// The data index that lands in the second half (rank 1 of 2) of global batch <paramref name="step"/> of epoch 0.
    /// </summary>
    public static int NanIndex(IDataset ds, TrainConfig cfg, int step)
    {
        using var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = cfg.BatchSize, Seed = cfg.Seed ^ 0xDA7AUL, Shuffle = true, DropLast = true, Prefetch = 0 });
        return loader.EpochOrder(0)[step * cfg.BatchSize + cfg.BatchSize / 2 + 1];
    }

    /// <summary>64 random 1×28×28 images with labels in [0, 10).</summary>
    public static IDataset LabelledImages()
    {
        var rnd = new Random(5);
        var px = new byte[64 * 28 * 28];
        rnd.NextBytes(px);
        var labels = Enumerable.Range(0, 64).Select(_ => rnd.Next(10)).ToArray();
        return ArrayDataset.FromBytes(px, [1, 28, 28], labels, 10);
    }

    /// <summary>Exercises every collective; prints <c>collectives ok</c> on rank 0.</summary>
    public static int Collectives(IWorld w)
    {
        int n = w.Size, r = w.Rank;
        var f = new float[] { r + 1, 0.5f };
        w.AllreduceSum(f);
        Expect(f[0] == n * (n + 1) / 2f && f[1] == 0.5f * n, "AllreduceSum(float)");
        Span<double> d = [r, -r];
        w.AllreduceMax(d);
        Expect(d[0] == n - 1 && d[1] == 0, "AllreduceMax");
        var b = new byte[] { (byte)(r + 7) };
        w.Broadcast(b, n - 1);
        Expect(b[0] == n - 1 + 7, "Broadcast(byte)");
        var g = w.Gather(Enumerable.Repeat((float)r, r + 1).ToArray());
        if (r == 0) Expect(g is not null && g.Length == n * (n + 1) / 2 && g[^1] == n - 1, "Gather");
        else Expect(g is null, "Gather (non-root)");
        var ag = w.Allgather(new float[] { 2 * r });
        Expect(ag.Length == n && ag[n - 1] == 2 * (n - 1), "Allgather");
        w.Barrier();
        if (r == 0) Console.WriteLine("collectives ok");
        return 0;
    }

    private static void Expect(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"collective check failed: {what}");
    }

    private static string? Get(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Int(string[] args, string name) => Get(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : -1;

    /// <summary>A data set whose sample <c>nanIndex</c> is NaN.</summary>
    private sealed class NanDataset(IDataset inner, int nanIndex) : IDataset
    {
        public int Count => inner.Count;
        public int[] SampleShape => inner.SampleShape;
        public int NumClasses => inner.NumClasses;

        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
        {
            inner.Fill(indices, x, labels);
            int per = x.Length / Math.Max(indices.Length, 1);
            for (int i = 0; i < indices.Length; i++)
                if (indices[i] == nanIndex) x.Slice(i * per, per).Fill(float.NaN);
        }
    }

    /// <summary>Hangs (sleeps forever) or dies (exits 7) on one rank at one step; otherwise the inner objective.</summary>
    private sealed class FaultObjective(ITrainingObjective inner, int rank, int hangRank, int hangStep, int dieRank, int dieStep, int firstStep) : ITrainingObjective
    {
        private int _step = firstStep;

        public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
        {
            int step = _step++;
            if (rank == hangRank && step == hangStep)
            {
                Console.WriteLine($"rank {rank}: hanging at step {step}");
                Console.Out.Flush();
                Thread.Sleep(System.Threading.Timeout.Infinite);
            }
            if (rank == dieRank && step == dieStep)
            {
                Console.WriteLine($"rank {rank}: dying at step {step}");
                Console.Out.Flush();
                Environment.Exit(7);
            }
            return inner.Loss(model, x1, labels, gen);
        }
    }
}
