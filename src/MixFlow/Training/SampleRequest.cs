using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>What to generate with <see cref="SampleGenerator"/>.</summary>
public sealed record SampleRequest
{
    /// <summary>Integrator (default Euler).</summary>
    public SamplerKind Sampler { get; init; } = SamplerKind.Euler;

    /// <summary>Integration steps for fixed-step samplers (default 50; ignored by dopri5).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Number of samples (default 64).</summary>
    public int Count { get; init; } = 64;

    /// <summary>Samples per network batch (default 256).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Classifier-free guidance scale (default 1: no guidance).</summary>
    public double CfgScale { get; init; } = 1;

    /// <summary>Guidance interval start in t (default 0).</summary>
    public double CfgTMin { get; init; }

    /// <summary>Guidance interval end in t (default 1).</summary>
    public double CfgTMax { get; init; } = 1;

    /// <summary>Autoguidance scale when a weak model is given (default 2).</summary>
    public double AutoguidanceScale { get; init; } = 2;

    /// <summary>Class labels, one per sample (length <see cref="Count"/>); null cycles through all classes for conditional models.</summary>
    public int[]? Labels { get; init; }

    /// <summary>Seed of the initial noise (and of SDE noise; default 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Time shift s &gt; 0 of the fixed-step ODE and SDE samplers' time grids (default 1: the uniform grid; RAE latents use
    /// <c>RaeDefaults.Shift</c>); the adaptive dopri5 sampler ignores it.
    /// </summary>
    public double TimeShift { get; init; } = 1;

    /// <summary>
    /// Maps each batch of generated samples [b, …sampleShape] to the output space (e.g. RAE latents to images with
    /// <c>RaeCodec.DecodeToImages</c>); null (default) returns the samples themselves.
    /// </summary>
    public Func<MixFlow.Tensors.Tensor, MixFlow.Tensors.Tensor>? Decode { get; init; }
}

/// <summary>Generated samples.</summary>
/// <param name="X">Samples [N, ...] (data space: points, or images in [−1, 1]; after <see cref="SampleRequest.Decode"/> when it is set).</param>
/// <param name="Labels">Labels used (null for unconditional models).</param>
/// <param name="Nfe">Network evaluations per sample (the largest over the batches, for adaptive samplers).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record GeneratedSamples(MixFlow.Tensors.Tensor X, int[]? Labels, int Nfe, double Seconds);
