using System.CommandLine;
using MixFlow.Cli;

namespace MixFlow.Tests.Cli;

/// <summary>The help calls the command <c>mixflow</c>, whatever the running executable is called.</summary>
public class ProgramNameTests
{
    [Theory]
    [InlineData(new string[] { "--help" }, "mixflow [command] [options]")]
    [InlineData(new string[] { "train", "--help" }, "mixflow train [options]")]
    [InlineData(new string[] { "experiment", "fmnist", "--help" }, "mixflow experiment fmnist [options]")]
    public void Help_UsageLine_NamesTheCommandMixflow(string[] args, string usage)
    {
        var (code, stdout, _) = EvalCliTests.Run(args);
        Assert.Equal(0, code);
        Assert.Contains(usage, stdout);
        Assert.DoesNotContain(RootCommand.ExecutableName + " ", stdout); // the test host's name, here
    }

    [Fact]
    public void Rename_TouchesOnlyTheExecutableWhereItOpensAUsageLine()
    {
        const string help = "Description:\n  runs MixFlow.Cli tools\n\nUsage:\n  MixFlow.Cli train [options]\r\n  MixFlow.Cli\n  MixFlow.Cliother\n";
        Assert.Equal("Description:\n  runs MixFlow.Cli tools\n\nUsage:\n  mixflow train [options]\r\n  mixflow\n  MixFlow.Cliother\n",
            CommandName.Rename(help, "MixFlow.Cli"));
    }
}
