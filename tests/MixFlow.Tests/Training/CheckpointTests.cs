using MixFlow.Tensors;
using MixFlow.Tensors.Nn;
using MixFlow.Training;
using static MixFlow.Tests.Training.TrainingTestUtil;

namespace MixFlow.Tests.Training;

public class CheckpointTests
{
    private static CheckpointContents Contents(int step, float value, bool duplicateNames = false)
    {
        var a = Tensor.Full(value, 3, 2); a.MoveToOuterScope();
        var b = Tensor.Full(-value, 4); b.MoveToOuterScope();
        var model = new List<NamedTensor> { new("w", a), new(duplicateNames ? "w" : "b", b) };
        return new CheckpointContents(new CheckpointState { Step = step, ModelPreset = "test", Config = TrainConfigKeys.ToDictionary(new TrainConfig()) },
            model, [new NamedTensor("ema.w", a)], [new NamedTensor("exp_avg.w", a)]);
    }

    [Fact]
    public void Save_WritesDirectoryAndLatestPointer_AndRoundTrips()
    {
        using var tmp = new TempDir();
        var m = new CheckpointManager(tmp.Path, keep: 3);
        string dir = m.Save(Contents(5, 1.5f));
        Assert.Equal(System.IO.Path.Combine(tmp.Path, "ckpt-5"), dir);
        Assert.Equal("ckpt-5", File.ReadAllText(System.IO.Path.Combine(tmp.Path, "latest")).Trim());
        var ck = Checkpoint.Open(tmp.Path);
        Assert.Equal(5, ck.State.Step);
        var w = ck.ReadModel();
        Assert.Equal(new float[] { 1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f }, w["w"].ToArray());
        Assert.Equal(new[] { 4 }, w["b"].Shape);
    }

    [Fact]
    public void FailingWrite_LeavesPreviousCheckpointIntact()
    {
        using var tmp = new TempDir();
        var m = new CheckpointManager(tmp.Path, keep: 3);
        m.Save(Contents(1, 2f));
        var e = Assert.Throws<CheckpointException>(() => m.Save(Contents(2, 3f, duplicateNames: true)));
        Assert.Contains("ckpt-2", e.Message);
        Assert.Equal([1], m.ListSteps());
        Assert.Equal("ckpt-1", File.ReadAllText(System.IO.Path.Combine(tmp.Path, "latest")).Trim());
        Assert.Empty(Directory.GetDirectories(tmp.Path, "*.tmp-*"));
        var ck = Checkpoint.Open(tmp.Path);
        Assert.Equal(1, ck.State.Step);
        Assert.All(ck.ReadModel()["w"].ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void UnwritableOutputDirectory_GivesClearMessage()
    {
        using var tmp = new TempDir();
        string file = tmp.Sub("a-file");
        File.WriteAllText(file, "x");
        string bad = System.IO.Path.Combine(file, "run");
        var e = Assert.Throws<CheckpointException>(() => new CheckpointManager(bad, keep: 1));
        Assert.Contains(bad, e.Message);
        Assert.Contains("not writable", e.Message);
    }

    [Fact]
    public void KeepsOnlyLastK()
    {
        using var tmp = new TempDir();
        var m = new CheckpointManager(tmp.Path, keep: 2);
        for (int s = 1; s <= 5; s++) m.Save(Contents(s * 10, s));
        Assert.Equal([40, 50], m.ListSteps());
        Assert.Equal(System.IO.Path.Combine(tmp.Path, "ckpt-50"), CheckpointManager.Latest(tmp.Path));
    }

    [Fact]
    public void CorruptStateJson_NamesFileAndProblem()
    {
        using var tmp = new TempDir();
        string dir = new CheckpointManager(tmp.Path, 1).Save(Contents(1, 1f));
        string state = System.IO.Path.Combine(dir, "state.json");
        File.WriteAllText(state, "{ \"step\": 1, \"config\": { ");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir));
        Assert.Contains(state, e.Message);
        Assert.Contains("invalid JSON", e.Message);
    }

    [Fact]
    public void MissingFile_NamesFile()
    {
        using var tmp = new TempDir();
        string dir = new CheckpointManager(tmp.Path, 1).Save(Contents(1, 1f));
        File.Delete(System.IO.Path.Combine(dir, "ema.safetensors"));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir));
        Assert.Contains("ema.safetensors", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void ShapeMismatch_ListsNamesAndShapes()
    {
        using var tmp = new TempDir();
        var s = TrainingSetup.Create(Tiny(tmp.Sub("run"), 1), Toy);
        new Trainer(s).Run();
        var ck = Checkpoint.Open(tmp.Sub("run"));
        var other = ModelPresets.Create("flow-mlp", [2], 0, new Generator(1)); // width 256 vs the checkpoint's 128
        var e = Assert.Throws<CheckpointException>(() => ck.LoadInto(other, Checkpoint.ModelFile));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("net.0.weight", e.Message);
        Assert.Contains(TensorShape.Format([128, 66]), e.Message); // checkpoint shape
        Assert.Contains(TensorShape.Format([256, 66]), e.Message); // model shape
    }

    [Fact]
    public void InvalidConfigInState_NamesKey()
    {
        using var tmp = new TempDir();
        var c = Contents(1, 1f);
        var cfg = new Dictionary<string, string>(c.State.Config) { ["batch-size"] = "-3" };
        string dir = new CheckpointManager(tmp.Path, 1).Save(c with { State = c.State with { Config = cfg } });
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir).Config);
        Assert.Contains("batch-size", e.Message);
    }
}
