namespace MixFlow.Evaluation;

/// <summary>Per-sample estimated times of a batch of trajectories: <c>LeastSquares[i][b]</c> is m at state i of sample b.</summary>
/// <param name="T">Sampler times of the states.</param>
/// <param name="LeastSquares">Least-squares estimates, [states][samples].</param>
/// <param name="NoiseShare">x0-share estimates, [states][samples].</param>
public sealed record SlowFlowSampleTimes(double[] T, double[][] LeastSquares, double[][] NoiseShare);
