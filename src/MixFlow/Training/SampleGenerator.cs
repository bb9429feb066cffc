using System.Diagnostics;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Autograd;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>Generates samples from a flow model in batches (no gradients, bounded memory), with optional guidance.</summary>
public static class SampleGenerator
{
    /// <summary>Creates the sampler of a kind.</summary>
    /// <exception cref="ConfigException">Steps below 1, or a sampler kind the command line does not offer.</exception>
    public static ISampler CreateSampler(SamplerKind kind, int steps, FlowTransport transport)
    {
        if (steps < 1) throw new ConfigException("steps", $"steps: must be >= 1 (got {steps})");
        return kind switch
        {
            SamplerKind.Euler => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Euler, steps)),
            SamplerKind.Heun => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Heun, steps)),
            SamplerKind.Midpoint => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Midpoint, steps)),
            SamplerKind.Rk4 => new FixedStepOdeSampler(transport, new OdeSamplerOptions(OdeMethod.Rk4, steps)),
            SamplerKind.Dopri5 => new DormandPrinceSampler(transport, new DormandPrinceOptions()),
            SamplerKind.EulerMaruyama => new EulerMaruyamaSampler(transport, new SdeSamplerOptions(Steps: steps)),
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
    /// <param name="weakModel">Weaker model for autoguidance, or null.</param>
    /// <exception cref="ConfigException">Invalid request values.</exception>
    public static GeneratedSamples Generate(IFlowModel model, int[] sampleShape, SampleRequest request, IFlowModel? weakModel = null)
    {
        if (request.Count < 1) throw new ConfigException("n", $"n: must be >= 1 (got {request.Count})");
        if (request.BatchSize < 1) throw new ConfigException("batch-size", $"batch-size: must be >= 1 (got {request.BatchSize})");
        var clock = Stopwatch.StartNew();
        var labels = ResolveLabels(request, model.NumClasses);
        var transport = TrainingSetup.Transport();
        var sampler = CreateSampler(request.Sampler, request.Steps, transport);
        IFlowModel net = model;
        if (weakModel is not null) net = new AutoGuidance(net, weakModel, request.AutoguidanceScale);
        else if (request.CfgScale != 1 && model.NumClasses > 0) net = new ClassifierFreeGuidance(net, request.CfgScale, request.CfgTMin, request.CfgTMax);
        int per = 1;
        foreach (int d in sampleShape) per *= d;
        var all = new float[(long)request.Count * per];
        var gen = new Generator(request.Seed);
        int nfe = 0;
        using (GradMode.NoGrad())
        {
            for (int start = 0; start < request.Count; start += request.BatchSize)
            {
                int b = Math.Min(request.BatchSize, request.Count - start);
                using var scope = new TensorScope();
                var x0 = Tensor.RandN(gen, [b, .. sampleShape]);
                int[]? lb = labels?[start..(start + b)];
                var res = sampler.Sample(net, x0, lb, gen);
                nfe = Math.Max(nfe, res.Nfe);
                res.X.Contiguous().AsSpan().CopyTo(all.AsSpan(start * per, b * per));
            }
        }
        var x = Tensor.FromArray(all, [request.Count, .. sampleShape]);
        x.MoveToOuterScope();
        return new GeneratedSamples(x, labels, nfe, clock.Elapsed.TotalSeconds);
    }
}
