using MixFlow.Training;

namespace MixFlow.Experiments;

/// <summary>
/// One model of the comparison: the pretrained checkpoint itself (<see cref="IsPretrained"/>) or a post-training run
/// from it with an objective.
/// </summary>
/// <param name="Id">Letter used in the issue: a–e.</param>
/// <param name="Stage">Stage (directory) name, e.g. <c>post-b-mixflow-0.8</c>.</param>
/// <param name="Label">Short human label for tables and plots.</param>
/// <param name="Objective">Post-training objective (ignored for the pretrained model).</param>
/// <param name="Gamma">MixFlow γ.</param>
/// <param name="Perturbation">Input-perturbation λ.</param>
/// <param name="TimeSampler">Training-time distribution of the post-training.</param>
public sealed record ExperimentVariant(string Id, string Stage, string Label, ObjectiveKind Objective, double Gamma, double Perturbation, TimeSamplerSpec TimeSampler)
{
    /// <summary>True for (e), the pretrained checkpoint evaluated as is.</summary>
    public bool IsPretrained => Stage == ExperimentRunner.PretrainStage;

    /// <summary>The five models of the issue: (a) flow matching, (b) MixFlow γ 0.8, (c) MixFlow γ 0.4 (both with Beta(2, 1) times), (d) input perturbation 0.1, (e) the pretrained checkpoint.</summary>
    public static IReadOnlyList<ExperimentVariant> Standard { get; } =
    [
        new("a", "post-a-fm", "(a) FM post-train", ObjectiveKind.FlowMatching, 0, 0, TimeSamplerSpec.Uniform),
        new("b", "post-b-mixflow-0.8", "(b) MixFlow g=0.8", ObjectiveKind.MixFlow, 0.8, 0, new TimeSamplerSpec(TimeSamplerKind.Beta, 2, 1)),
        new("c", "post-c-mixflow-0.4", "(c) MixFlow g=0.4", ObjectiveKind.MixFlow, 0.4, 0, new TimeSamplerSpec(TimeSamplerKind.Beta, 2, 1)),
        new("d", "post-d-ip-0.1", "(d) IP l=0.1", ObjectiveKind.InputPerturbation, 0, 0.1, TimeSamplerSpec.Uniform),
        new("e", ExperimentRunner.PretrainStage, "(e) pretrained", ObjectiveKind.FlowMatching, 0, 0, TimeSamplerSpec.Uniform),
    ];
}
