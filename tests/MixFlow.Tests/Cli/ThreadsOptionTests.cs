using MixFlow.Cli;
using MixFlow.Tensors;

namespace MixFlow.Tests.Cli;

[Collection(CliExperimentCollection.Name)]
public class ThreadsOptionTests
{
    static ThreadsOptionTests() => ConsoleUi.ForcePlain = true;

    [Theory]
    [InlineData("eval", "--samples", "missing.npz")]
    [InlineData("sample", "--ckpt", "missing")]
    [InlineData("slowflow", "--ckpt", "missing")]
    [InlineData("train-encoder")]
    [InlineData("train-decoder", "--encoder", "missing.safetensors")]
    public void NegativeThreads_IsAConfigErrorNamingTheFlag_BeforeAnyWork(params string[] args)
    {
        int before = Engine.Threads;
        var (code, _, err) = EvalCliTests.Run([.. args, "--threads", "-1"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("threads: must be >= 0 (got -1)", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal(before, Engine.Threads);
    }

    [Fact]
    public void EveryCommandWithoutTrainConfigKeys_OffersThreads()
    {
        foreach (var verb in new[] { "eval", "sample", "slowflow", "train-encoder", "train-decoder" })
        {
            var (code, stdout, err) = EvalCliTests.Run(verb, "--help");
            Assert.True(code == 0, err);
            Assert.Contains("--threads <N>", stdout);
        }
    }
}
