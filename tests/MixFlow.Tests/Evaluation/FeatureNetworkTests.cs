using System.Diagnostics;
using MixFlow.Data;
using MixFlow.Evaluation;
using MixFlow.Models;
using MixFlow.Tensors;
using MixFlow.Tensors.IO;

namespace MixFlow.Tests.Evaluation;

public class FeatureNetworkTests
{
    private static readonly IReadOnlyList<DataFileFingerprint> Files =
    [
        new("train-images-idx3-ubyte.gz", 26421880, new string('a', 64)),
        new("train-labels-idx1-ubyte.gz", 29515, new string('b', 64)),
        new("t10k-images-idx3-ubyte.gz", 4422102, new string('c', 64)),
        new("t10k-labels-idx1-ubyte.gz", 5148, new string('d', 64)),
    ];

    internal static ClassifierCnnOptions TinyArch => new() { ImageSize = 8, NumClasses = 2, Channels = [4, 8, 16] };

    [Fact]
    public void CacheKeyChangesWithEveryRecipeFieldAndInput()
    {
        var r = new FeatureNetworkRecipe();
        string k = FeatureNetworkCache.Key(r, Files, "E1");
        Assert.Equal(16, k.Length);
        Assert.Equal(k, FeatureNetworkCache.Key(new FeatureNetworkRecipe(), Files, "E1"));
        Assert.Equal(k, FeatureNetworkCache.Key(r with { Architecture = new ClassifierCnnOptions { ImageSize = 14 } }, Files, "E1"));
        var variants = new[]
        {
            r with { Seed = r.Seed + 1 }, r with { Epochs = r.Epochs + 1 }, r with { BatchSize = 64 },
            r with { LearningRate = r.LearningRate * 1.0000001 }, r with { FinalLearningRate = 1e-5 }, r with { WarmupSteps = 7 },
            r with { WeightDecay = 0 }, r with { HorizontalFlip = true }, r with { TrainSamples = 1000 }, r with { Downsample = 1 }, r with { MaxShift = r.MaxShift + 1 },
            r with { Architecture = new ClassifierCnnOptions { ImageSize = 14, Channels = [32, 64, 96] } },
            r with { Architecture = new ClassifierCnnOptions { ImageSize = 14, Dropout = 0.1f } },
            r with { Architecture = new ClassifierCnnOptions() },
        };
        var keys = variants.Select(v => FeatureNetworkCache.Key(v, Files, "E1")).ToList();
        keys.Add(FeatureNetworkCache.Key(r, Files, "E2"));
        keys.Add(FeatureNetworkCache.Key(r, [.. Files.Take(3), Files[3] with { Size = 5149 }], "E1"));
        keys.Add(FeatureNetworkCache.Key(r, [.. Files.Take(3), Files[3] with { Sha256 = new string('e', 64) }], "E1"));
        Assert.All(keys, x => Assert.NotEqual(k, x));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.EndsWith($"fmnist-classifier-{k}.safetensors", FeatureNetworkCache.WeightsPath("/c", k));
    }

    [Fact]
    public void FingerprintsHashFileContents()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mixflow-fp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "train-images-idx3-ubyte.gz"), "abc");
            var fp = DataFileFingerprint.Of(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
            Assert.Equal(3, fp.Size);
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", fp.Sha256);
            Assert.Throws<FileNotFoundException>(() => FeatureNetworkCache.FashionMnistFingerprints(dir));
            File.WriteAllText(Path.Combine(dir, "train-labels-idx1-ubyte"), "x");   // uncompressed form accepted
            File.WriteAllText(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), "y");
            File.WriteAllText(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), "z");
            var all = FeatureNetworkCache.FashionMnistFingerprints(dir);
            Assert.Equal(4, all.Count);
            Assert.Equal("train-labels-idx1-ubyte", all[1].FileName);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RecipeValidationNamesTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureNetworkRecipe { Epochs = 0 }.Validate());
        Assert.Contains("Epochs", e.Message);
        Assert.Throws<ArgumentException>(() => new FeatureNetworkRecipe { LearningRate = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new FeatureNetworkRecipe { TrainSamples = 5 }.Validate());
    }

    /// <summary>Two classes of 8×8 images: a bright left or right half plus noise.</summary>
    internal static ArrayDataset HalvesDataset(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 64];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            for (int p = 0; p < 64; p++)
            {
                bool left = p % 8 < 4;
                x[i * 64 + p] = (left == (labels[i] == 0) ? 0.6f : -0.6f) + 0.3f * (float)g.NextNormal();
            }
        }
        return ArrayDataset.FromFloats(x, [1, 8, 8], labels, 2);
    }

    [Fact]
    public void TinyTrainingIsDeterministicAndLearns()
    {
        var data = HalvesDataset(96, 1);
        var recipe = new FeatureNetworkRecipe { Architecture = TinyArch with { Channels = [4, 4, 8] }, Epochs = 2, BatchSize = 16, LearningRate = 2e-2, WarmupSteps = 0, Downsample = 1 };
        var a = FeatureNetwork.TrainOn(data, recipe, null, default, Stopwatch.StartNew());
        var reports = new List<FeatureTrainingProgress>();
        var b = FeatureNetwork.TrainOn(data, recipe, new SyncProgress(reports), default, Stopwatch.StartNew());
        var sa = a.Model.StateDict(); var sb = b.Model.StateDict();
        for (int i = 0; i < sa.Count; i++) Assert.Equal(sa[i].Tensor.ToArray(), sb[i].Tensor.ToArray());
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(FeatureTrainingPhase.Training, r.Phase));
        Assert.Equal(12, reports[^1].Step);
        var test = HalvesDataset(100, 2);
        var emb = a.Embed(test, batchSize: 33);
        Assert.True(FeatureNetwork.Accuracy(emb, test.Labels!) > 0.9);
    }

    [Fact]
    public void EmbeddingDoesNotDependOnTheBatchSize()
    {
        var net = FeatureNetwork.FromModel(new ClassifierCnn(TinyArch, new Generator(3)));
        var data = HalvesDataset(23, 4);
        var a = net.Embed(data, batchSize: 5);
        var b = net.Embed(data, batchSize: 500);
        Assert.Equal(23, a.Count);
        Assert.Equal(16, a.FeatureDim);
        Assert.Equal(a.Features, b.Features);
        Assert.Equal(a.Logits, b.Logits);
        using var scope = new TensorScope();
        var x = data.Gather(Enumerable.Range(0, 23).ToArray(), out _);
        Assert.Equal(net.Model.Features(x).ToArray(), a.Features);
        Assert.Throws<ArgumentException>(() => net.Embed(Tensor.Zeros(2, 1, 9, 9)));
    }

    [Fact]
    public void DownsamplingAveragePoolsTheInput()
    {
        var model = new ClassifierCnn(TinyArch, new Generator(8));
        var net2 = FeatureNetwork.FromModel(model, new FeatureNetworkRecipe { Architecture = TinyArch, Downsample = 2 });
        Assert.Equal(16, net2.InputSize);
        using var scope = new TensorScope();
        var x = Tensor.RandN(new Generator(9), 5, 1, 16, 16);
        var a = net2.Embed(x, batchSize: 2);
        var b = FeatureNetwork.FromModel(model).Embed(x.AvgPool2d(2, 2));
        Assert.Equal(b.Features, a.Features);
        Assert.Throws<ArgumentException>(() => net2.Embed(Tensor.Zeros(1, 1, 8, 8)));
        Assert.Throws<ArgumentException>(() => FeatureNetwork.FromModel(model, new FeatureNetworkRecipe()));
        Assert.Throws<ArgumentException>(() => new FeatureNetworkRecipe { Downsample = 3 }.Validate());
    }

    [Fact]
    public void LoadChecksTheStoredKey()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mixflow-fn-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var recipe = new FeatureNetworkRecipe { Architecture = TinyArch, Downsample = 1 };
            var model = new ClassifierCnn(TinyArch, new Generator(9));
            string path = FeatureNetworkCache.WeightsPath(dir, "0123456789abcdef");
            model.SaveSafeTensors(path, new Dictionary<string, string> { ["mixflow.key"] = "0123456789abcdef", ["mixflow.test_accuracy"] = "0.93" });
            var net = FeatureNetwork.Load(path, recipe, "0123456789abcdef");
            Assert.Equal(0.93, net.TestAccuracy);
            Assert.Equal("0123456789abcdef", net.Key);
            var data = HalvesDataset(4, 5);
            Assert.Equal(FeatureNetwork.FromModel(model).Embed(data).Features, net.Embed(data).Features);
            Assert.Throws<InvalidDataException>(() => FeatureNetwork.Load(path, recipe, "fedcba9876543210"));
            Assert.Throws<InvalidDataException>(() => FeatureNetwork.Load(path, new FeatureNetworkRecipe()));   // wrong architecture
            Assert.Throws<FileNotFoundException>(() => FeatureNetwork.Load(Path.Combine(dir, "missing.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }

    private sealed class SyncProgress(List<FeatureTrainingProgress> sink) : IProgress<FeatureTrainingProgress>
    {
        public void Report(FeatureTrainingProgress value) => sink.Add(value);
    }
}
