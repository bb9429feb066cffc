using System.Globalization;
using MixFlow.Tensors;

namespace MixFlow.Bench;

/// <summary>
/// MixFlow.NET benchmarks: <c>dotnet run -c Release --project bench/MixFlow.Bench -- {mlp|dit|gemm} [threads] [steps]</c> (dit: a fourth argument sets the Euler steps of the sampling measurement, 0 skips it).
/// The training-step benchmarks run PyTorch's reference script (<see cref="TorchReference"/>) in the same run and end with
/// one machine-readable <c>RESULT</c> line.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "mlp";
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        Engine.Threads = threads;
        var log = Console.Out;
        log.WriteLine($"# {Engine.Describe()}");
        var ic = CultureInfo.InvariantCulture;
        switch (which)
        {
            case "mlp":
            {
                int steps = args.Length > 2 ? int.Parse(args[2], ic) : 20;
                var t = TorchReference.Run("mlp", threads, steps, log); // first: see TorchReference on peak RSS
                var e = MlpBench.Run(steps, warmup: 5, log);
                log.WriteLine(string.Create(ic, $"RESULT mlp engine_ms={e.MedianMs:F2} torch_ms={Fmt(t.Available, t.MedianMs)} speedup={Fmt(t.Available, t.MedianMs / e.MedianMs)} alloc_bytes_per_step={e.AllocBytesPerStep:F0} torch_source={t.Source}"));
                return 0;
            }
            case "dit":
            {
                int steps = args.Length > 2 ? int.Parse(args[2], ic) : 5;
                var t = TorchReference.Run("dit", threads, steps, log); // first: see TorchReference on peak RSS
                int sampleSteps = args.Length > 3 ? int.Parse(args[3], ic) : 50; // 0 skips the sampling measurement
                var e = DitBench.Run(steps, log, sampleSteps: sampleSteps);
                log.WriteLine(string.Create(ic, $"RESULT dit engine_ms={e.MedianMs:F1} torch_ms={Fmt(t.Available, t.MedianMs)} speedup={Fmt(t.Available, t.MedianMs / e.MedianMs)} engine_rss_mb={e.TrainPeakRssMb:F0} torch_rss_mb={Fmt(t.Available, t.RssMb, "F0")} sample_img_per_s={e.SampleImagesPerSecond:F1} alloc_bytes_per_step={e.AllocBytesPerStep:F0} engine_sample_rss_mb={e.SamplePeakRssMb:F0} torch_source={t.Source}"));
                return 0;
            }
            case "gemm":
            {
                var rs = GemmBench.Run(log);
                foreach (var r in rs) log.WriteLine(string.Create(ic, $"RESULT gemm backend=\"{r.Backend}\" shape=\"{r.Shape}\" gflops={r.Gflops:F1}"));
                return 0;
            }
            case "allreduce": // under mpirun: mpirun -np 2 dotnet bench/MixFlow.Bench/bin/Release/net10.0/MixFlow.Bench.dll allreduce 1
                AllreduceBench.Run(log);
                MixFlow.Distributed.DistributedRuntime.Shutdown(0);
                return 0;
            default:
                Console.Error.WriteLine($"mixflow-bench: unknown benchmark '{which}' (expected mlp, dit, gemm or allreduce)");
                return 2;
        }
    }

    private static string Fmt(bool available, double v, string format = "F2") => available ? v.ToString(format, CultureInfo.InvariantCulture) : "NA";
}
