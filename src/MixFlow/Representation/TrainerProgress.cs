namespace MixFlow.Representation;

/// <summary>One step of <see cref="RepresentationEncoderTrainer"/> or <see cref="RaeDecoderTrainer"/>, for progress reporting.</summary>
/// <param name="Step">Steps done (1-based).</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="Loss">The step's training loss.</param>
public sealed record TrainerProgress(int Step, int TotalSteps, double Loss);
