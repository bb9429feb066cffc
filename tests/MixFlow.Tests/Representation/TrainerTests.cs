using MixFlow.Data;
using MixFlow.Representation;
using MixFlow.Tensors;
using static MixFlow.Tests.Representation.RepaRaeTestUtil;

namespace MixFlow.Tests.Representation;

public class TrainerTests
{
    /// <summary>8×8 gray images whose class k ∈ {0, 1, 2} sets the brightness of one of three horizontal bands.</summary>
    static ArrayDataset Bands(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 64]; var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int k = i % 3; labels[i] = k;
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++)
                    x[i * 64 + r * 8 + c] = (r / 3 == k ? 0.8f : -0.8f) + 0.2f * (float)g.NextNormal();
        }
        return ArrayDataset.FromFloats(x, [1, 8, 8], labels, 3);
    }

    [Fact]
    public void EncoderTrainerLearnsTheClassesMeasuresStatisticsAndIsDeterministic()
    {
        var data = Bands(96, 1);
        var recipe = new RepresentationEncoderRecipe { MaxSteps = 40, BatchSize = 24, Channels = [4, 8, 8], LearningRate = 1e-2, Seed = 3, StatsSamples = 96 };
        var r = RepresentationEncoderTrainer.Train(data, recipe);
        Assert.Equal(40, r.Steps);
        Assert.True(r.TrainAccuracy >= 0.9, $"accuracy {r.TrainAccuracy}");
        Assert.True(r.FinalLoss < Math.Log(3), $"final loss {r.FinalLoss}");
        var expected = TokenNormalization.Compute(r.Encoder, data, 96);
        Assert.Equal(expected.Mean, r.Encoder.Normalization.Mean);
        Assert.Equal(expected.Std, r.Encoder.Normalization.Std);
        Assert.Equal(8, r.Encoder.TokenDim);
        Assert.Equal(4, r.Encoder.NumTokens);
        var again = RepresentationEncoderTrainer.Train(data, recipe);
        Assert.Equal(r.Encoder.Cnn.Head.Weight.ToArray(), again.Encoder.Cnn.Head.Weight.ToArray());
        Assert.Throws<ArgumentException>(() => RepresentationEncoderTrainer.Train(ArrayDataset.FromFloats(new float[4 * 64], [1, 8, 8]), recipe));
        Assert.Throws<ArgumentException>(() => RepresentationEncoderTrainer.Train(data, recipe with { BatchSize = 0 }));
    }

    [Fact]
    public void DecoderTrainerWithNoiseAugmentationIsDeterministicAndLeavesTheEncoderFrozen()
    {
        var data = Bands(48, 2);
        var enc = TinyEncoder(5);
        var stats = TokenNormalization.Compute(enc, data);
        var recipe = new RaeDecoderRecipe { MaxSteps = 12, BatchSize = 16, HiddenChannels = 4, NoiseScale = 0.5, L1Weight = 0.1, Seed = 6 };
        var progress = new List<TrainerProgress>();
        var a = RaeDecoderTrainer.Train(enc, data, recipe, stats, new SyncProgress(progress));
        var b = RaeDecoderTrainer.Train(enc, data, recipe, stats);
        Assert.Equal(12, progress.Count);
        Assert.Equal(12, progress[^1].Step);
        Assert.True(double.IsFinite(a.FinalMse));
        Assert.Equal(a.Decoder.Proj.Weight.ToArray(), b.Decoder.Proj.Weight.ToArray());
        var c = RaeDecoderTrainer.Train(enc, data, recipe with { NoiseScale = 0 }, stats);
        Assert.NotEqual(a.Decoder.Proj.Weight.ToArray(), c.Decoder.Proj.Weight.ToArray());
        foreach (var (name, p) in enc.NamedParameters()) Assert.True(p.Grad is null, $"encoder parameter {name} received a gradient");
        Assert.Throws<ArgumentException>(() => RaeDecoderTrainer.Train(enc, ArrayDataset.FromFloats(new float[4 * 36], [1, 6, 6]), recipe));
        Assert.Throws<ArgumentException>(() => RaeDecoderTrainer.Train(enc, data, recipe with { NoiseScale = -1 }));
    }

    sealed class SyncProgress(List<TrainerProgress> list) : IProgress<TrainerProgress>
    {
        public void Report(TrainerProgress value) => list.Add(value);
    }
}
