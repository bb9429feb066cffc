using MixFlow.Evaluation;

namespace MixFlow.Tests.Evaluation;

public class ResultJsonTests
{
    [Fact]
    public void ImageMetricsRoundTrip()
    {
        var a = new ImageMetricsResult(10000, 12.345678901234567, 0.71, 0.6543, 0.9123, 8.765432109876543);
        var b = new ImageMetricsResult(50, 0.1, 1, 0, null, 1);
        Assert.Equal(a, ImageMetricsResult.FromJson(a.ToJson()));
        Assert.Equal(b, ImageMetricsResult.FromJson(b.ToJson()));
        Assert.Contains("\"fd\"", a.ToJson());
        Assert.Contains("classAccuracy", b.ToJson());
        string table = a.ToTable();
        Assert.Contains("10000", table);
        Assert.Contains("12.3457", table);
        Assert.Contains("-", b.ToTable());
    }

    [Fact]
    public void ToyMetricsRoundTripIncludingNaN()
    {
        var a = new ToyMetricsResult(2000, 0.0123, -1.5e-5, 2.718281828459045);
        var b = new ToyMetricsResult(3, double.NaN, double.PositiveInfinity, null);
        Assert.Equal(a, ToyMetricsResult.FromJson(a.ToJson()));
        var b2 = ToyMetricsResult.FromJson(b.ToJson());
        Assert.True(double.IsNaN(b2.SlicedW2));
        Assert.True(double.IsPositiveInfinity(b2.Mmd2));
        Assert.Null(b2.TestNll);
        Assert.Contains("sliced W2", a.ToTable());
    }

    [Fact]
    public void SlowFlowReportRoundTrip()
    {
        var ls = new SlowFlowResult("base", SlowFlowEstimator.LeastSquares, 256, [0, 0.5, 1], [0, 0.41, 1], [0, 0.3, 0.95], [0.01, 0.5, 1]);
        var ns = ls with { Estimator = SlowFlowEstimator.NoiseShare, Median = [0, 0.45, 1] };
        var rep = new SlowFlowReport(ls, ns);
        string json = rep.ToJson();
        Assert.Contains("\"NoiseShare\"", json);
        Assert.DoesNotContain("meanLag", json);
        var back = SlowFlowReport.FromJson(json);
        foreach (var (x, y) in new[] { (ls, back.LeastSquares), (ns, back.NoiseShare) })
        {
            Assert.Equal(x.Label, y.Label);
            Assert.Equal(x.Estimator, y.Estimator);
            Assert.Equal(x.Samples, y.Samples);
            Assert.Equal(x.T, y.T);
            Assert.Equal(x.Median, y.Median);
            Assert.Equal(x.P10, y.P10);
            Assert.Equal(x.P90, y.P90);
        }
        Assert.Equal((0.5 - 0.41) / 3, ls.MeanLag, 12);
        Assert.Contains("t - median", rep.ToTable());
        Assert.Throws<System.Text.Json.JsonException>(() => ImageMetricsResult.FromJson("{not json"));
        Assert.Throws<System.Text.Json.JsonException>(() => ImageMetricsResult.FromJson("null"));
    }

    [Fact]
    public void TableSubsamplesLongGrids()
    {
        var t = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        var r = new SlowFlowResult("x", SlowFlowEstimator.NoiseShare, 1, t, t, t, t);
        var lines = r.ToTable(11).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 2 + 11, lines.Length);   // caption, header, rule, 11 rows
        Assert.StartsWith("1.0000", lines[^1]);
    }
}
