using MixFlow.Models;

namespace MixFlow.Representation;

/// <summary>The outcome of <see cref="RaeDecoderTrainer.Train"/>.</summary>
/// <param name="Decoder">The trained decoder (eval mode).</param>
/// <param name="Steps">Optimisation steps run.</param>
/// <param name="FinalMse">Mean pixel MSE of the training batches over the last 50 steps (or all, if fewer), with the noise augmentation when enabled.</param>
public sealed record RaeDecoderResult(RaeDecoder Decoder, int Steps, double FinalMse);
