namespace MixFlow.Representation;

/// <summary>The outcome of <see cref="RepresentationEncoderTrainer.Train"/>.</summary>
/// <param name="Encoder">The trained encoder with its token statistics (in eval mode).</param>
/// <param name="Steps">Optimisation steps run.</param>
/// <param name="FinalLoss">Mean cross-entropy over the last 50 steps (or all, if fewer).</param>
/// <param name="TrainAccuracy">Accuracy of the trained classifier on the images used for the statistics.</param>
public sealed record RepresentationEncoderResult(CnnPatchEncoder Encoder, int Steps, double FinalLoss, double TrainAccuracy);
