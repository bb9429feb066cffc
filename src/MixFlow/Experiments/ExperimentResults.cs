using MixFlow.Evaluation;

namespace MixFlow.Experiments;

/// <summary>Completion record of a stage, stored as <c>&lt;stage&gt;/stage.json</c>.</summary>
/// <param name="Stage">Stage name.</param>
/// <param name="Hash">Config hash (first 16 hex digits of SHA-256 over <paramref name="Config"/>).</param>
/// <param name="Config">The canonical configuration text the hash is computed from.</param>
/// <param name="Seconds">Wall-clock seconds of the run that finished the stage.</param>
/// <param name="ResumedFromStep">For training stages resumed from a checkpoint: the step they resumed at (0: from scratch or not a training stage).</param>
/// <param name="FinishedUtc">Completion time, ISO 8601 UTC.</param>
public sealed record StageRecord(string Stage, string Hash, string Config, double Seconds, int ResumedFromStep, string FinishedUtc);

/// <summary>Result of one evaluation cell, stored as <c>&lt;stage&gt;/result.json</c>.</summary>
/// <param name="Cell">What was evaluated.</param>
/// <param name="MeasuredNfe">Network evaluations per sample counted during sampling.</param>
/// <param name="Image">Image metrics (Fashion-MNIST), or null.</param>
/// <param name="Toy">2-D metrics, or null.</param>
/// <param name="Seconds">Wall-clock seconds (sampling + metrics).</param>
public sealed record CellResult(EvalCellSpec Cell, int MeasuredNfe, ImageMetricsResult? Image, ToyMetricsResult? Toy, double Seconds);

/// <summary>Test negative log-likelihood of a 2-D model, stored as <c>nll-&lt;variant&gt;/result.json</c>.</summary>
/// <param name="Variant">Variant id.</param>
/// <param name="TestNll">Mean −log p (nats) of fresh true points by the ODE likelihood.</param>
/// <param name="Points">Number of test points.</param>
/// <param name="Steps">RK4 steps of the likelihood ODE.</param>
public sealed record NllResult(string Variant, double TestNll, int Points, int Steps);

/// <summary>Slow-Flow results of several variants, stored as <c>slowflow/slowflow.json</c>.</summary>
/// <param name="Steps">Euler steps of the diagnostic.</param>
/// <param name="Reports">One report (both estimators) per variant.</param>
public sealed record SlowFlowSet(int Steps, IReadOnlyList<SlowFlowReport> Reports);

/// <summary>Everything a report shows, also written as <c>report.json</c>.</summary>
/// <param name="Experiment">Experiment name (fmnist / toy2d).</param>
/// <param name="Options">The options of the run.</param>
/// <param name="Command">The command line that ran it (as given by the host).</param>
/// <param name="ModelParameters">Parameter count of the model.</param>
/// <param name="FeatureNetwork">Feature-network description (images), or null.</param>
/// <param name="Stages">Finished stages in plan order.</param>
/// <param name="Missing">Planned stages that have not finished.</param>
/// <param name="Cells">Evaluation results.</param>
/// <param name="Nll">2-D test NLL per variant.</param>
/// <param name="SlowFlow">Slow-Flow diagnostic, or null if not finished.</param>
/// <param name="SlowFlowPlots">Plot files (relative to the run directory).</param>
public sealed record ExperimentSummary(
    string Experiment, ExperimentOptions Options, string Command, long ModelParameters, string? FeatureNetwork,
    IReadOnlyList<StageRecord> Stages, IReadOnlyList<string> Missing, IReadOnlyList<CellResult> Cells,
    IReadOnlyList<NllResult> Nll, SlowFlowSet? SlowFlow, IReadOnlyList<string> SlowFlowPlots);
