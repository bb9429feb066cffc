using System.Text.Json.Serialization;

namespace MixFlow.Training;

/// <summary>One logged training record (one line of <c>metrics.jsonl</c>): averages over the steps since the previous record.</summary>
/// <param name="Step">Completed optimizer steps.</param>
/// <param name="Loss">Mean loss of the (finite) steps of the logging window.</param>
/// <param name="GradNorm">Mean global gradient norm before clipping.</param>
/// <param name="Lr">Learning rate of the last step.</param>
/// <param name="StepsPerSecond">Throughput over the window.</param>
/// <param name="SamplesPerSecond">Training samples per second over the window.</param>
/// <param name="Skipped">Non-finite steps skipped so far in the run.</param>
/// <param name="ElapsedSeconds">Wall time since the run (or the resumed run) started.</param>
public sealed record TrainLogEntry(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("grad_norm")] double GradNorm,
    [property: JsonPropertyName("lr")] double Lr,
    [property: JsonPropertyName("steps_per_s")] double StepsPerSecond,
    [property: JsonPropertyName("samples_per_s")] double SamplesPerSecond,
    [property: JsonPropertyName("skipped")] int Skipped,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds);
