using MixFlow.Tensors;

namespace MixFlow.Transport;

/// <summary>The output of an <see cref="ISampler"/>.</summary>
/// <param name="X">The final states [B, …].</param>
/// <param name="Nfe">Number of network evaluations (a guided model counts as one per call).</param>
/// <param name="Trajectory">The states (t, x) from the start to the end, when requested; else null.</param>
/// <param name="ModelTimes">For samplers that choose the network's time input (<see cref="TimeShiftSampler"/>), the time used at each step; else null.</param>
public sealed record SampleResult(Tensor X, int Nfe, IReadOnlyList<TrajectoryPoint>? Trajectory, IReadOnlyList<double>? ModelTimes = null);

/// <summary>One state of a sampling trajectory.</summary>
/// <param name="T">The time.</param>
/// <param name="X">The state [B, …].</param>
public sealed record TrajectoryPoint(double T, Tensor X);
