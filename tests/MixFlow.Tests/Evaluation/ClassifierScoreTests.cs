using MixFlow.Evaluation;

namespace MixFlow.Tests.Evaluation;

public class ClassifierScoreTests
{
    [Fact]
    public void UniformPredictionsScoreOne()
    {
        var logits = new float[200 * 10];   // all zero → uniform softmax
        Assert.Equal(1.0, InceptionScore.Compute(logits, 10, 1), 12);
        Assert.Equal(1.0, InceptionScore.Compute(logits, 10, 10), 12);
    }

    [Fact]
    public void ConfidentBalancedPredictionsScoreTheClassCount()
    {
        int c = 10, n = 1000;
        var p = new double[n * c];
        for (int i = 0; i < n; i++) p[i * c + i % c] = 1;
        Assert.Equal(10.0, InceptionScore.FromProbabilities(p, c, 1), 10);
        Assert.Equal(10.0, InceptionScore.FromProbabilities(p, c, 10), 10);   // every split of 100 is balanced
        // from very confident logits
        var logits = new float[n * c];
        for (int i = 0; i < n; i++) logits[i * c + i % c] = 60;
        Assert.Equal(10.0, InceptionScore.Compute(logits, c, 10), 6);
        // all samples confidently the same class: 1
        var same = new double[n * c];
        for (int i = 0; i < n; i++) same[i * c + 3] = 1;
        Assert.Equal(1.0, InceptionScore.FromProbabilities(same, c, 1), 12);
    }

    [Fact]
    public void MatchesAHandComputedValue()
    {
        // two samples, two classes: p1 = (0.9, 0.1), p2 = (0.2, 0.8); p(y) = (0.55, 0.45)
        double[] p = [0.9, 0.1, 0.2, 0.8];
        double kl1 = 0.9 * Math.Log(0.9 / 0.55) + 0.1 * Math.Log(0.1 / 0.45);
        double kl2 = 0.2 * Math.Log(0.2 / 0.55) + 0.8 * Math.Log(0.8 / 0.45);
        Assert.Equal(Math.Exp((kl1 + kl2) / 2), InceptionScore.FromProbabilities(p, 2, 1), 12);
        Assert.Throws<ArgumentException>(() => InceptionScore.FromProbabilities(p, 2, 3));
        Assert.Throws<ArgumentException>(() => InceptionScore.Compute(new float[5], 2));
    }

    [Fact]
    public void ClassConsistencyCountsMatchingArgmax()
    {
        float[] logits = [5, 1, 0, /**/ 0, 2, 1, /**/ 1, 1, 0, /**/ 0, 0, 3];
        Assert.Equal(0.75, ClassConsistency.Compute(logits, 3, [0, 1, 0, 1]), 12);   // tie in row 3 → class 0
        Assert.Throws<ArgumentException>(() => ClassConsistency.Compute(logits, 3, [0, 1, 0]));
        Assert.Throws<ArgumentException>(() => ClassConsistency.Compute(logits, 3, [0, 1, 0, 3]));
    }
}
