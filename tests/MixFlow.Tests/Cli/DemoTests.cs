using MixFlow.Cli;
using MixFlow.Tests.Training;

namespace MixFlow.Tests.Cli;

public class DemoTests
{
    [Fact]
    public void QuickDemo_WritesReportWithTable()
    {
        ConsoleUi.ForcePlain = true;
        using var tmp = new TempDir();
        var err = new StringWriter();
        int code = Program.Run(["demo", "--quick", "--out", tmp.Path], err);
        Assert.True(code == 0, err.ToString());
        string md = File.ReadAllText(Path.Combine(tmp.Path, "report.md"));
        Assert.Contains("| + MixFlow |", md);
        Assert.Contains("| + flow matching |", md);
        Assert.Contains("SW2 @ 4 NFE", md);
        string html = File.ReadAllText(Path.Combine(tmp.Path, "report.html"));
        Assert.Contains("<table>", html);
        foreach (var img in System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Path.Combine(tmp.Path, img)), $"missing image {img}");
    }
}
