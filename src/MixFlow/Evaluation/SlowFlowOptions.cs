using MixFlow.Transport;

namespace MixFlow.Evaluation;

/// <summary>Options of <see cref="SlowFlowDiagnostic"/>.</summary>
public sealed record SlowFlowOptions
{
    /// <summary>ODE integrator of the built-in sampler. Default <see cref="OdeMethod.Euler"/>.</summary>
    public OdeMethod Method { get; init; } = OdeMethod.Euler;

    /// <summary>Sampler steps N ≥ 1 (the trajectory has N + 1 states). Default 50.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Time-grid shift of the built-in sampler (&gt; 0; 1 = uniform). Default 1.</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>Trajectories (samples) to analyse, ≥ 1. Default 256.</summary>
    public int Samples { get; init; } = 256;

    /// <summary>Trajectories per sampler call (memory ≈ BatchSize·(N + 1)·D floats), ≥ 1. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed of the noise x0 (<c>new Generator(Seed)</c>) and of random labels. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Labels requested from class-conditional models. Default <see cref="SampleLabelMode.Balanced"/> (ignored for unconditional models).</summary>
    public SampleLabelMode Labels { get; init; } = SampleLabelMode.Balanced;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"SlowFlowOptions.Method: {Method} is not one of {string.Join(", ", Enum.GetNames<OdeMethod>())}");
        if (Steps < 1) throw new ArgumentException($"SlowFlowOptions.Steps must be >= 1 (got {Steps})");
        if (!(Shift > 0) || double.IsInfinity(Shift)) throw new ArgumentException($"SlowFlowOptions.Shift must be a finite value > 0 (got {Shift})");
        if (Samples < 1) throw new ArgumentException($"SlowFlowOptions.Samples must be >= 1 (got {Samples})");
        if (BatchSize < 1) throw new ArgumentException($"SlowFlowOptions.BatchSize must be >= 1 (got {BatchSize})");
        if (!Enum.IsDefined(Labels)) throw new ArgumentException($"SlowFlowOptions.Labels: {Labels} is not one of {string.Join(", ", Enum.GetNames<SampleLabelMode>())}");
    }
}
