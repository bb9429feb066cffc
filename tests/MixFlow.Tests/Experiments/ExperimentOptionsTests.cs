using MixFlow.Experiments;
using MixFlow.Tests.Data;

namespace MixFlow.Tests.Experiments;

public class ExperimentOptionsTests
{
    [Fact]
    public void Presets_AreValid_AndFullIsTheIssueDesign()
    {
        foreach (var k in Enum.GetValues<ExperimentKind>())
            foreach (var s in Enum.GetValues<ExperimentScale>())
                ExperimentOptions.ForScale(k, s).Validate();
        var full = ExperimentOptions.ForScale(ExperimentKind.FashionMnist, ExperimentScale.Full);
        Assert.Equal(10000, full.Samples);
        Assert.Equal([10, 20, 50], full.Nfes);
        Assert.Contains(20, full.GuidanceNfes);
        Assert.Equal(1.5, full.GuidanceScale);
        Assert.Equal("runs/experiment-toy2d", ExperimentOptions.ForScale(ExperimentKind.Toy2D, ExperimentScale.Small).RunDirectory.Replace('\\', '/'));
    }

    [Fact]
    public void Cells_CoverTheGrid_WithHonestNfe_CheapestFirst()
    {
        using var tmp = new TempDir();
        var o = ExperimentOptions.ForScale(ExperimentKind.FashionMnist, ExperimentScale.Small, tmp.Path);
        var r = new ExperimentRunner(o);
        var cells = r.Cells();
        foreach (var v in ExperimentVariant.Standard)
            foreach (var k in new[] { EvalSamplerKind.Euler, EvalSamplerKind.Heun })
                foreach (int n in new[] { 10, 20, 50 })
                    Assert.Single(cells, c => c.Variant == v.Id && c.Sampler == k && c.Nfe == n && c.Cfg == 1);
        Assert.Equal(5, cells.Count(c => c.Cfg == 1.5 && c.Nfe == 20));
        Assert.Equal(25, new EvalCellSpec("a", EvalSamplerKind.Heun, 50, 1).Steps);
        Assert.Equal(50, new EvalCellSpec("a", EvalSamplerKind.Euler, 50, 1).Steps);
        Assert.Equal("eval-b-heun-nfe20-cfg1.5", new EvalCellSpec("b", EvalSamplerKind.Heun, 20, 1.5).Stage);
        var order = r.PlannedStages().ToList();
        Assert.Equal("pretrain", order[0]);
        Assert.True(order.IndexOf("slowflow") < order.IndexOf("eval-a-euler-nfe50"));
        Assert.True(order.IndexOf("eval-e-heun-nfe20") < order.IndexOf("eval-a-euler-nfe50"));
        Assert.Equal(order.Count, order.Distinct().Count());
    }

    [Fact]
    public void StageStore_HashesAndMovesStaleStagesAside()
    {
        using var tmp = new TempDir();
        var s = new StageStore(tmp.Path);
        Assert.Equal(16, StageStore.Hash("x").Length);
        Assert.NotEqual(StageStore.Hash("x"), StageStore.Hash("y"));
        s.Prepare("st", "x");
        s.MarkDone("st", "x", 1.5);
        Assert.True(s.IsDone("st", "x"));
        Assert.False(s.IsDone("st", "y"));
        s.Prepare("st", "y");
        Assert.True(Directory.Exists(Path.Combine(tmp.Path, "st.stale-1")));
        Assert.Null(s.Read("st"));
        File.WriteAllText(Path.Combine(tmp.Path, "st", StageStore.MarkerFile), "{oops");
        var e = Assert.Throws<InvalidDataException>(() => s.Read("st"));
        Assert.Contains(StageStore.MarkerFile, e.Message);
    }
}
