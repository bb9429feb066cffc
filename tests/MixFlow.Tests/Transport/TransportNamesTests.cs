using MixFlow.Transport;

namespace MixFlow.Tests.Transport;

public class TransportNamesTests
{
    [Theory]
    [InlineData("euler", SamplerKind.Euler)] [InlineData("Heun", SamplerKind.Heun)] [InlineData("rk4", SamplerKind.Rk4)]
    [InlineData("dopri5", SamplerKind.Dopri5)] [InlineData("euler-maruyama", SamplerKind.EulerMaruyama)] [InlineData("SDE", SamplerKind.EulerMaruyama)]
    [InlineData("time_shift", SamplerKind.TimeShift)] [InlineData("midpoint", SamplerKind.Midpoint)]
    public void SamplerNamesParse(string name, SamplerKind kind) => Assert.Equal(kind, TransportNames.ParseSampler(name));

    [Fact]
    public void OtherEnumsParse()
    {
        Assert.Equal(PathKind.Gvp, TransportNames.ParsePath("GVP"));
        Assert.Equal(PredictionType.Noise, TransportNames.ParsePrediction("eps"));
        Assert.Equal(LossWeighting.Likelihood, TransportNames.ParseWeighting("likelihood"));
        Assert.Equal(DiffusionForm.Sbdm, TransportNames.ParseDiffusion("SBDM"));
        Assert.Equal(LastStep.Tweedie, TransportNames.ParseLastStep("tweedie"));
        Assert.Equal(MixFlowTarget.OriginalVelocity, TransportNames.ParseMixFlowTarget("original-velocity"));
        Assert.Equal(OdeMethod.Rk4, TransportNames.ParseOdeMethod("RK4"));
        Assert.Equal(DivergenceMethod.Hutchinson, TransportNames.ParseDivergence("hutchinson"));
    }

    [Fact]
    public void UnknownNamesListTheAllowedValues()
    {
        var ex = Assert.Throws<ArgumentException>(() => TransportNames.ParseSampler("leapfrog"));
        Assert.Contains("sampler", ex.Message);
        Assert.Contains("'leapfrog'", ex.Message);
        foreach (var n in new[] { "euler", "heun", "midpoint", "rk4", "dopri5", "eulermaruyama", "timeshift" }) Assert.Contains(n, ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => TransportNames.ParseLastStep("final"));
        Assert.Contains("mean, tweedie, euler, none", ex2.Message);
    }
}
