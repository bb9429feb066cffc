using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Tensors.Optim;
using MixFlow.Transport;

namespace MixFlow.Training;

/// <summary>
/// Everything a <see cref="Trainer"/> drives: the model and its EMA, the objective, the optimizer and schedule, the
/// data stream, the random stream of the objective and the run's configuration and provenance. Build it with
/// <see cref="TrainingSetup"/> (or by hand in tests); <see cref="Checkpoint"/>s restore all of it.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    /// <summary>The trained network (a module that is also an <see cref="IFlowModel"/>).</summary>
    public required Module Model { get; init; }

    /// <summary>The network as a flow model.</summary>
    public IFlowModel Flow => (IFlowModel)Model;

    /// <summary>Exponential moving average of the weights.</summary>
    public required Ema Ema { get; init; }

    /// <summary>The loss.</summary>
    public required ITrainingObjective Objective { get; init; }

    /// <summary>Description of the objective stored in checkpoints (e.g. <c>mixflow(gamma=0.8, …)</c>).</summary>
    public required string ObjectiveDescription { get; init; }

    /// <summary>The optimizer over <see cref="Model"/>'s parameters.</summary>
    public required Optimizer Optimizer { get; init; }

    /// <summary>Learning rate per step.</summary>
    public required ILrSchedule Schedule { get; init; }

    /// <summary>Training batches (its <see cref="DataLoader.State"/> is checkpointed); replaced by its shard in data-parallel runs.</summary>
    public required DataLoader Data { get; set; }

    /// <summary>Random stream of the objective (noise, times).</summary>
    public required Generator Rng { get; init; }

    /// <summary>The run's configuration.</summary>
    public required TrainConfig Config { get; init; }

    /// <summary>Model preset name (stored in checkpoints).</summary>
    public required string ModelPreset { get; init; }

    /// <summary>Checkpoint a post-training run started from, or null.</summary>
    public string? Parent { get; init; }

    /// <summary>Optional preview writer.</summary>
    public ITrainingPreview? Preview { get; set; }

    /// <summary>Completed optimizer steps (set when resuming).</summary>
    public int Step { get; set; }

    /// <summary>Non-finite steps skipped so far (set when resuming).</summary>
    public int SkippedSteps { get; set; }

    /// <summary>Stops the data loader's prefetch thread.</summary>
    public void Dispose() => Data.Dispose();
}
