using System.Diagnostics;
using MixFlow.Data;
using MixFlow.Distributed;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// Generates samples from a flow model in batches (no gradients, bounded memory), with optional guidance. The
/// initial noise of sample i comes from a generator keyed by (seed, i) and the sampler's own noise (SDE samplers)
/// for batch k from one keyed by (seed, k), so the samples do not depend on how batches are spread over MPI ranks
/// (nor, for ODE samplers, on the batch size).
/// </summary>
public static class SampleGenerator
{
    private const ulong NoiseSalt = 0x5A3F_1E00UL, SamplerSalt = 0x5DE0_0B47UL;

    /// <summary>Creates the sampler of a kind.</summary>
    /// <exception cref="ConfigException">Steps below 1, or a sampler kind the command line does not offer.</exception>
    /// <param name="kind">The integrator.</param>
    /// <param name="steps">Steps of the fixed-step samplers.</param>
    /// <param name="transport">The transport.</param>
    /// <param name="shift">Time shift of the fixed-step grids (default 1: uniform; dopri5 ignores it).</param>
    public static ISampler CreateSampler(SamplerKind kind, int steps, FlowTransport transport, double shift = 1)
    {
        if (steps < 1) throw new ConfigException("steps", $"steps: must be >= 1 (got {steps})");
        if (!(shift > 0) || double.IsInfinity(shift)) throw new ConfigException("time-shift", $"time-shift: must be a finite value > 0 (got {shift})");
        return kind switch
        {
            SamplerKind.Euler => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Euler, steps, shift)),
            SamplerKind.Heun => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Heun, steps, shift)),
            SamplerKind.Midpoint => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Midpoint, steps, shift)),
            SamplerKind.Rk4 => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Rk4, steps, shift)),
            SamplerKind.Dopri5 => new DormandPrinceSampler(transport, new DormandPrinceOptions()),
            SamplerKind.EulerMaruyama => new EulerMaruyamaSampler(transport, new SdeSamplerOptions(Steps: steps, Shift: shift)),
            _ => throw new ConfigException("sampler", $"sampler: '{kind}' is not available here (allowed: euler | heun | midpoint | rk4 | dopri5 | em)"),
        };
    }

    /// <summary>The labels of a request: the given ones, or classes 0..K−1 cycled (null for unconditional models).</summary>
    /// <exception cref="ConfigException">Labels given for an unconditional model, wrong count, or out of range.</exception>
    public static int[]? ResolveLabels(SampleRequest r, int numClasses)
    {
        if (numClasses == 0)
        {
            if (r.Labels is not null) throw new ConfigException("labels", "labels: the model is unconditional (no classes); omit --labels/--per-class");
            return null;
        }
        if (r.Labels is null) return Enumerable.Range(0, r.Count).Select(i => i % numClasses).ToArray();
        if (r.Labels.Length != r.Count) throw new ConfigException("labels", $"labels: {r.Labels.Length} labels for {r.Count} samples");
        foreach (int l in r.Labels)
            if (l < 0 || l >= numClasses) throw new ConfigException("labels", $"labels: {l} is outside [0, {numClasses - 1}]");
        return r.Labels;
    }

    /// <summary>Generates <see cref="SampleRequest.Count"/> samples of shape <paramref name="sampleShape"/>.</summary>
    /// <param name="model">The model (EMA weights swapped in by the caller if wanted).</param>
    /// <param name="sampleShape">Shape of one sample.</param>
    /// <param name="request">Sampler and guidance settings.</param>
    /// <param name="weakModel">Weaker model for autoguidance, or null. Excludes classifier-free guidance.</param>
    /// <exception cref="ConfigException">Invalid request values, or a weak model together with a CFG scale other than 1.</exception>
    public static GeneratedSamples Generate(IFlowModel model, int[] sampleShape, SampleRequest request, IFlowModel? weakModel = null)
        => Generate(model, sampleShape, request, weakModel, SingleProcessWorld.Instance)!;

    /// <summary>
    /// Generates the samples of a request over the ranks of <paramref name="world"/>: batch k (samples
    /// [k·BatchSize, (k+1)·BatchSize)) is made by rank k mod N, and each round of N batches is gathered on rank 0.
    /// The result equals a single-process <see cref="Generate(IFlowModel, int[], SampleRequest, IFlowModel?)"/> with the
    /// same request. Every rank must call it with the same arguments.
    /// </summary>
    /// <returns>The samples on rank 0; null on the other ranks.</returns>
    /// <exception cref="ConfigException">Invalid request values, or a weak model together with a CFG scale other than 1.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public static GeneratedSamples? Generate(IFlowModel model, int[] sampleShape, SampleRequest request, IFlowModel? weakModel, IWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (request.Count < 1) throw new ConfigException("n", $"n: must be >= 1 (got {request.Count})");
        if (request.BatchSize < 1) throw new ConfigException("batch-size", $"batch-size: must be >= 1 (got {request.BatchSize})");
        if (weakModel is not null && request.CfgScale != 1)
            throw new ConfigException("cfg", $"cfg: classifier-free guidance ({request.CfgScale}) and autoguidance (a weak model) are two guidance methods; give one of them, not both");
        var clock = Stopwatch.StartNew();
        var labels = ResolveLabels(request, model.NumClasses);
        var transport = TrainingSetup.Transport();
        var sampler = CreateSampler(request.Sampler, request.Steps, transport, request.TimeShift);
        IFlowModel net = model;
        if (weakModel is not null) net = new AutoGuidance(net, weakModel, request.AutoguidanceScale);
        else if (request.CfgScale != 1 && model.NumClasses > 0) net = new ClassifierFreeGuidance(net, request.CfgScale, request.CfgTMin, request.CfgTMax);
        int per = 1;
        foreach (int d in sampleShape) per *= d;
        int ranks = world.Size, bs = request.BatchSize;
        int batches = (int)((request.Count + (long)bs - 1) / bs);
        var all = world.IsRoot ? new float[(long)request.Count * per] : null;
        int nfe = 0;
        using (GradMode.NoGrad())
        {
            for (int round = 0; round * ranks < batches; round++)
            {
                int k = round * ranks + world.Rank;
                float[] mine = [];
                if (k < batches)
                {
                    int start = k * bs, b = Math.Min(bs, request.Count - start);
                    using var scope = new TensorScope();
                    var x0 = Tensor.Empty([b, .. sampleShape]);
                    var xs = x0.AsSpan();
                    for (int i = 0; i < b; i++) new Generator(SeedMix.Mix(request.Seed ^ NoiseSalt, (ulong)(start + i))).FillNormal(xs.Slice(i * per, per));
                    int[]? lb = labels?[start..(start + b)];
                    var res = sampler.Sample(net, x0, lb, new Generator(SeedMix.Mix(request.Seed ^ SamplerSalt, (ulong)k)));
                    nfe = Math.Max(nfe, res.Nfe);
                    if (ranks == 1) res.X.Contiguous().AsSpan().CopyTo(all!.AsSpan(start * per, b * per));
                    else mine = res.X.Contiguous().ToArray();
                }
                if (ranks == 1) continue;
                var got = world.Gather(mine, 0, "gather(samples)");
                got?.CopyTo(all!.AsSpan(round * ranks * bs * per)); // rank order = batch order within a round
            }
        }
        if (ranks > 1)
        {
            Span<double> m = [nfe];
            world.AllreduceMax(m, "allreduce-max(nfe)");
            nfe = (int)m[0];
        }
        if (all is null) return null;
        var x = Tensor.FromArray(all, [request.Count, .. sampleShape]);
        if (request.Decode is { } decode) x = RepresentationSetup.DecodeInBatches(x, decode, bs);
        x.MoveToOuterScope();
        return new GeneratedSamples(x, labels, nfe, clock.Elapsed.TotalSeconds);
    }
}
