using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Tests.Training;

/// <summary>The time distribution of a run: explicit, or the objective's default (MixFlow: Beta(2, 1)).</summary>
public class TimeSamplerDefaultTests
{
    [Fact]
    public void AutoPicksBeta21ForMixFlowAndUniformOtherwise()
    {
        var mix = Assert.IsType<MixFlowObjective>(TrainingSetup.Objective(new TrainConfig { Objective = ObjectiveKind.MixFlow }));
        var beta = Assert.IsType<BetaTimeSampler>(mix.TimeSampler);
        Assert.Equal((2.0, 1.0), (beta.A, beta.B));
        var fm = Assert.IsType<FlowMatchingObjective>(TrainingSetup.Objective(new TrainConfig()));
        Assert.IsType<UniformTimeSampler>(fm.TimeSampler);
        var ip = Assert.IsType<InputPerturbationObjective>(TrainingSetup.Objective(new TrainConfig { Objective = ObjectiveKind.InputPerturbation }));
        Assert.IsType<UniformTimeSampler>(ip.TimeSampler);
    }

    [Fact]
    public void ExplicitSamplerWinsAndAutoParses()
    {
        var cfg = TrainConfigKeys.Apply(new TrainConfig { Objective = ObjectiveKind.MixFlow }, "time-sampler", "uniform");
        Assert.IsType<UniformTimeSampler>(Assert.IsType<MixFlowObjective>(TrainingSetup.Objective(cfg)).TimeSampler);
        Assert.Null(TrainConfigKeys.Apply(cfg, "time-sampler", "AUTO").TimeSampler);
        Assert.Contains("time=beta:2,1", TrainingSetup.DescribeObjective(new TrainConfig { Objective = ObjectiveKind.MixFlow }));
        // auto is omitted from the stored key table and comes back as auto
        var round = TrainConfigKeys.FromDictionary(TrainConfigKeys.ToDictionary(new TrainConfig { Objective = ObjectiveKind.MixFlow }));
        Assert.Null(round.TimeSampler);
    }

    [Fact]
    public void PostTrainingResetsTheSamplerOnlyWhenTheObjectiveChanges()
    {
        var parent = new TrainConfig { TimeSampler = TimeSamplerSpec.Parse("logit-normal:0,1") };
        Assert.Equal(TimeSamplerSpec.Beta21, parent.ForPostTraining(ObjectiveKind.MixFlow).EffectiveTimeSampler);
        Assert.Equal(parent.TimeSampler, parent.ForPostTraining(ObjectiveKind.FlowMatching).TimeSampler);
        Assert.Equal(TimeSamplerSpec.Uniform, parent.ForPostTraining(ObjectiveKind.InputPerturbation).EffectiveTimeSampler);
    }
}
