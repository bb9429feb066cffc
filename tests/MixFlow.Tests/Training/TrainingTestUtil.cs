using MixFlow.Data;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Training;
using MixFlow.Transport;

namespace MixFlow.Tests.Training;

/// <summary>Temporary directory deleted at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mixflow-tests-" + Guid.NewGuid().ToString("N")[..10]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string Sub(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>An objective that returns a non-finite loss on chosen steps (counted by calls) and otherwise delegates.</summary>
internal sealed class PoisonedObjective(ITrainingObjective inner, Func<int, bool> poison) : ITrainingObjective
{
    private int _calls;

    public ObjectiveLoss Loss(IFlowModel model, Tensor x1, int[]? labels, Generator gen)
    {
        var l = inner.Loss(model, x1, labels, gen);
        return poison(_calls++) ? l with { Loss = l.Loss * float.NaN } : l;
    }
}

internal static class TrainingTestUtil
{
    /// <summary>A small, fast 2-D configuration.</summary>
    public static TrainConfig Tiny(string outDir, int steps, ObjectiveKind objective = ObjectiveKind.FlowMatching) => new()
    {
        Data = DataSpec.Parse("toy:moons"),
        Model = "flow-mlp-s",
        Objective = objective,
        Steps = steps,
        BatchSize = 32,
        Lr = 2e-3,
        WeightDecay = 0.01,
        Warmup = 3,
        EmaDecay = 0.9,
        Out = outDir,
        LogEvery = 2,
        SampleEvery = 0,
        CkptEvery = 0,
        Keep = 2,
        Seed = 7,
    };

    /// <summary>A small toy data set shared by tests (deterministic).</summary>
    public static IDataset Toy { get; } = new ToyDataset(Toy2D.TwoMoons, 512, 3);

    public static float[] Flat(IEnumerable<MixFlow.Tensors.Nn.NamedTensor> tensors) => tensors.SelectMany(t => t.Tensor.ToArray()).ToArray();
}
