using System.Diagnostics;
using System.Globalization;
using MixFlow.Distributed;
using MixFlow.Models;
using MixFlow.Tensors;

namespace MixFlow.Bench;

/// <summary>
/// MPI_Allreduce cost on the current job (run under <c>mpirun -np N</c>; alone it reports one rank): the latency
/// and bus bandwidth of float sums from 4 B to 64 MiB, a full bucketed gradient sync (<see cref="GradientAllreducer"/>)
/// with the real parameter layout of the small SiT presets, and the ring-allreduce model
/// t(N) = α + 2(N−1)/N · bytes / β fitted to the measurements, projected to the DiT presets at 2…64 ranks.
/// Only rank 0 writes to <paramref name="log"/>; every rank must call it.
/// </summary>
public static class AllreduceBench
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="log">Output (rank 0 only); ends with <c>RESULT allreduce …</c> lines.</param>
    /// <exception cref="MpiException">MPI cannot be initialised or a call fails.</exception>
    public static void Run(TextWriter log)
    {
        var world = DistributedRuntime.GetWorld();
        var ic = CultureInfo.InvariantCulture;
        var w = world.IsRoot ? log : TextWriter.Null;
        int n = world.Size;
        w.WriteLine(string.Create(ic, $"# allreduce: {n} rank(s){(n == 1 ? " — run under mpirun -np N to measure MPI" : "")}, float32 sum in place, median of repetitions"));
        w.WriteLine("# bytes        median_us   algbw_GB/s  busbw_GB/s");
        double factor = n > 1 ? 2.0 * (n - 1) / n : 1;
        var points = new List<(long Bytes, double Seconds)>();
        foreach (long bytes in new long[] { 4, 1 << 10, 64 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20, 64 << 20 })
        {
            var buf = new float[bytes / 4];
            double s = Median(world, () => world.AllreduceSum(buf, "bench"), bytes);
            points.Add((bytes, s));
            w.WriteLine(string.Create(ic, $"{bytes,12}  {s * 1e6,10:F1}  {bytes / s / 1e9,10:F3}  {factor * bytes / s / 1e9,10:F3}"));
            w.WriteLine(string.Create(ic, $"RESULT allreduce ranks={n} bytes={bytes} median_us={s * 1e6:F1} busbw_gbs={factor * bytes / s / 1e9:F3}"));
        }
        // α: the 4-byte latency; β: bus bandwidth of the largest message.
        double alpha = points[0].Seconds;
        var big = points[^1];
        double beta = factor * big.Bytes / Math.Max(big.Seconds - alpha, 1e-12);
        w.WriteLine(string.Create(ic, $"# fit: alpha = {alpha * 1e6:F1} us, beta (bus bandwidth) = {beta / 1e9:F3} GB/s"));

        foreach (var preset in new[] { "SiT-XS/4-28", "SiT-T/2-28" })
        {
            var model = SiTRegistry.Create(preset, new Generator(0));
            var ps = model.Parameters().ToList();
            foreach (var p in ps) { p.Grad = Tensor.Zeros(p.Shape); }
            var reducer = new GradientAllreducer(world);
            long elems = ps.Sum(p => (long)p.Numel);
            double s = Median(world, () => reducer.SumGradients(ps), elems * 4);
            w.WriteLine(string.Create(ic, $"# gradient sync {preset}: {elems:N0} parameters ({elems * 4 / 1e6:F1} MB) in {reducer.LastCalls} bucket(s): {s * 1e3:F2} ms (model {Predict(alpha, beta, n, elems * 4) * 1e3:F2} ms)"));
            w.WriteLine(string.Create(ic, $"RESULT allreduce_grad preset={preset} ranks={n} params={elems} buckets={reducer.LastCalls} ms={s * 1e3:F3}"));
        }

        w.WriteLine("# projected gradient allreduce per step (ms) with the fitted alpha/beta; buckets of 8 MiB add alpha each");
        var ranks = new[] { 2, 4, 8, 16, 32, 64 };
        w.WriteLine("# preset          params      " + string.Join("", ranks.Select(r => $"N={r,-8}")));
        foreach (var preset in new[] { "SiT-T/2-28", "DiT-S/2", "DiT-B/2", "DiT-L/2", "DiT-XL/2" })
        {
            long pc = SiT.CountParameters(SiTRegistry.Options(preset));
            var cells = ranks.Select(r => (Predict(alpha, beta, r, pc * 4) * 1e3).ToString("F1", ic).PadRight(10));
            w.WriteLine(string.Create(ic, $"  {preset,-14} {pc,11:N0}  {string.Concat(cells)}"));
        }
        w.Flush();
    }

    /// <summary>Ring-allreduce time: one α per 8 MiB bucket plus 2(N−1)/N · bytes / β.</summary>
    private static double Predict(double alpha, double beta, int ranks, long bytes)
    {
        long buckets = Math.Max(1, (bytes + GradientAllreducer.DefaultBucketBytes - 1) / GradientAllreducer.DefaultBucketBytes);
        return buckets * alpha + 2.0 * (ranks - 1) / ranks * bytes / beta;
    }

    /// <summary>Median wall time of <paramref name="op"/> over enough repetitions (about 0.3 s, 5…200), agreed by all ranks.</summary>
    private static double Median(IWorld world, Action op, long bytes)
    {
        for (int i = 0; i < 3; i++) op();
        int reps = (int)Math.Clamp(3e8 / Math.Max(bytes * 10, 1), 5, 200);
        Span<double> r = [reps];
        world.AllreduceMax(r, "bench(reps)");
        reps = (int)r[0];
        var t = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            world.Barrier("bench");
            long t0 = Stopwatch.GetTimestamp();
            op();
            t[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(t);
        Span<double> m = [t[reps / 2]];
        world.AllreduceMax(m, "bench(median)");
        return m[0];
    }
}
