using MixFlow.Data;
using System.Text.Json.Serialization;
using MixFlow.Tensors;

namespace MixFlow.Training;

/// <summary>
/// The JSON part of a checkpoint (<c>state.json</c>): where the run is, every random stream, the data loader
/// position and the full configuration — everything besides the tensors needed to resume bit-exactly — plus
/// provenance (objective, model preset, parent checkpoint of a post-training run, engine version and kernels).
/// </summary>
public sealed record CheckpointState
{
    /// <summary>Current layout version of <c>state.json</c>.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Layout version (<see cref="CurrentFormatVersion"/>).</summary>
    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Completed optimizer steps.</summary>
    [JsonPropertyName("step")] public int Step { get; init; }

    /// <summary>Data epoch the loader is in.</summary>
    [JsonPropertyName("epoch")] public int Epoch { get; init; }

    /// <summary>Data-loader position: the next batch is batch <c>position</c> of epoch <c>epoch</c>.</summary>
    [JsonPropertyName("loader")] public LoaderState? Loader { get; init; }

    /// <summary>Random-generator states by stream name (e.g. <c>train</c>).</summary>
    [JsonPropertyName("rng")] public Dictionary<string, GeneratorState> Rng { get; init; } = new();

    /// <summary>Optimizer step counts and learning rate (<c>OptimizerScalars.ToMetadata</c>); the moments are in <c>optimizer.safetensors</c>.</summary>
    [JsonPropertyName("optimizer")] public Dictionary<string, string> Optimizer { get; init; } = new();

    /// <summary>The full configuration (<see cref="TrainConfigKeys.ToDictionary"/>).</summary>
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; init; } = new();

    /// <summary>Human-readable description of the objective (e.g. <c>mixflow(gamma=0.5)</c>).</summary>
    [JsonPropertyName("objective")] public string Objective { get; init; } = "";

    /// <summary>Model preset the weights belong to.</summary>
    [JsonPropertyName("model_preset")] public string ModelPreset { get; init; } = "";

    /// <summary>Number of model parameters.</summary>
    [JsonPropertyName("parameters")] public long Parameters { get; init; }

    /// <summary>Checkpoint a post-training run started from (null for a run from scratch).</summary>
    [JsonPropertyName("parent")] public string? Parent { get; init; }

    /// <summary>Non-finite steps skipped so far.</summary>
    [JsonPropertyName("skipped_steps")] public int SkippedSteps { get; init; }

    /// <summary>Data shape of one sample (e.g. [2] or [1, 28, 28]).</summary>
    [JsonPropertyName("sample_shape")] public int[] SampleShape { get; init; } = [];

    /// <summary>Number of classes (0: unconditional).</summary>
    [JsonPropertyName("num_classes")] public int NumClasses { get; init; }

    /// <summary>Version of the MixFlow assembly that wrote the checkpoint.</summary>
    [JsonPropertyName("engine_version")] public string EngineVersion { get; init; } = "";

    /// <summary><see cref="Engine.Describe"/> at save time.</summary>
    [JsonPropertyName("engine")] public string Engine { get; init; } = "";

    /// <summary>UTC time of writing, ISO 8601.</summary>
    [JsonPropertyName("created_utc")] public string CreatedUtc { get; init; } = "";
}
