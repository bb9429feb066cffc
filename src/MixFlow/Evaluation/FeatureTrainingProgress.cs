namespace MixFlow.Evaluation;

/// <summary>What <see cref="FeatureNetwork.GetOrTrain"/> is doing when it reports progress.</summary>
public enum FeatureTrainingPhase
{
    /// <summary>Hashing the data files to form the cache key.</summary>
    Hashing,
    /// <summary>Loading cached weights.</summary>
    LoadingCache,
    /// <summary>Training (one report every few updates and at the end of each epoch).</summary>
    Training,
    /// <summary>Measuring the test accuracy of the trained network.</summary>
    Evaluating,
    /// <summary>Finished; <see cref="FeatureTrainingProgress.TestAccuracy"/> is set after training.</summary>
    Done,
}

/// <summary>A progress report of the feature network's training or loading.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Epoch">Current epoch (0-based; 0 outside training).</param>
/// <param name="Step">Updates done so far.</param>
/// <param name="TotalSteps">Updates of the whole recipe (0 when loading from the cache).</param>
/// <param name="Loss">Mean training loss over the updates since the previous report (NaN outside training).</param>
/// <param name="TestAccuracy">Test-split accuracy once measured, else null.</param>
/// <param name="Elapsed">Time since the call started.</param>
public sealed record FeatureTrainingProgress(FeatureTrainingPhase Phase, int Epoch, long Step, long TotalSteps, double Loss, double? TestAccuracy, TimeSpan Elapsed);
