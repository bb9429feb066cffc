using System.Buffers.Binary;
using System.IO.Compression;
using MixFlow.Data;

namespace MixFlow.Tests.Data;

public class IdxTests
{
    static byte[] Idx(uint magic, int[] dims, byte[] data)
    {
        var ms = new MemoryStream();
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, magic); ms.Write(b);
        foreach (int d in dims) { BinaryPrimitives.WriteInt32BigEndian(b, d); ms.Write(b); }
        ms.Write(data);
        return ms.ToArray();
    }

    static void WriteGz(string path, byte[] data)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(data);
    }

    [Fact]
    public void ReadsRawAndGzipAndBuildsDataset()
    {
        using var dir = new TempDir();
        byte[] pixels = [0, 255, 127, 128, /* image 2 */ 10, 20, 30, 40, /* image 3 */ 255, 255, 0, 0];
        File.WriteAllBytes(dir.File("img"), Idx(IdxFile.ImagesMagic, [3, 2, 2], pixels));
        WriteGz(dir.File("lab.gz"), Idx(IdxFile.LabelsMagic, [3], [2, 0, 1]));
        var img = IdxFile.Read(dir.File("img"), IdxFile.ImagesMagic);
        Assert.Equal(new[] { 3, 2, 2 }, img.Dims);
        Assert.Equal(pixels, img.Data);

        var ds = IdxFile.LoadDataset(dir.File("img"), dir.File("lab.gz"));
        Assert.Equal((3, 3), (ds.Count, ds.NumClasses));
        Assert.Equal(new[] { 1, 2, 2 }, ds.SampleShape);
        var x = new float[8];
        var l = new int[2];
        ds.Fill([2, 0], x, l);
        Assert.Equal(new[] { 1, 2 }, l);
        Assert.Equal(new float[] { 1, 1, -1, -1, -1, 1, (float)(127 / 127.5 - 1), (float)(128 / 127.5 - 1) }, x);
    }

    [Fact]
    public void BadMagicIsReported()
    {
        using var dir = new TempDir();
        string p = dir.File("labels-as-images");
        File.WriteAllBytes(p, Idx(IdxFile.LabelsMagic, [2], [1, 2]));
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(p, IdxFile.ImagesMagic));
        Assert.Contains(p, e.Message); Assert.Contains("0x00000801", e.Message); Assert.Contains("0x00000803", e.Message);

        File.WriteAllBytes(p, Idx(0x12340803, [1, 1, 1], [0]));
        Assert.Contains("not an IDX", Assert.Throws<InvalidDataException>(() => IdxFile.Read(p)).Message);
        File.WriteAllBytes(p, Idx(0x00000D01, [1], [0, 0, 0, 0]));
        Assert.Contains("0x0D", Assert.Throws<InvalidDataException>(() => IdxFile.Read(p)).Message);
    }

    [Fact]
    public void TruncatedFilesReportExpectedAndActualBytes()
    {
        using var dir = new TempDir();
        string p = dir.File("short.gz");
        WriteGz(p, Idx(IdxFile.ImagesMagic, [4, 3, 3], new byte[30])); // needs 36
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(p));
        Assert.Contains(p, e.Message); Assert.Contains("36", e.Message); Assert.Contains("got 30", e.Message);

        File.WriteAllBytes(p, Idx(IdxFile.ImagesMagic, [4, 3, 3], [])[..9]);
        Assert.Contains("dimensions", Assert.Throws<InvalidDataException>(() => IdxFile.Read(p)).Message);
        File.WriteAllBytes(p, [0, 0]);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => IdxFile.Read(p)).Message);
    }

    [Fact]
    public void LabelCountMismatchAndMissingFiles()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Idx(IdxFile.ImagesMagic, [2, 1, 1], [1, 2]));
        File.WriteAllBytes(dir.File("l"), Idx(IdxFile.LabelsMagic, [3], [1, 2, 0]));
        Assert.Contains("3 labels", Assert.Throws<InvalidDataException>(() => IdxFile.LoadDataset(dir.File("i"), dir.File("l"))).Message);
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(dir.File("none")));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(DatasetSplit.Train, dir.Path));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void FashionMnistFromAFolderOfUncompressedFiles()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), Idx(IdxFile.ImagesMagic, [2, 28, 28], new byte[2 * 784]));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Idx(IdxFile.LabelsMagic, [2], [9, 0]));
        var ds = FashionMnist.Load(DatasetSplit.Test, dir.Path);
        Assert.Equal((2, 10), (ds.Count, ds.NumClasses));
        Assert.Equal("Ankle boot", ds.ClassNames![9]);
        Assert.False(FashionMnist.IsAvailable(DatasetSplit.Train, dir.Path));
    }
}

/// <summary>A fact that is skipped when Debian's dataset-fashion-mnist package is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!FashionMnist.IsAvailable(DatasetSplit.Train) || !FashionMnist.IsAvailable(DatasetSplit.Test))
            Skip = $"Fashion-MNIST not installed in {FashionMnist.DefaultDirectory} (apt-get install dataset-fashion-mnist)";
    }
}

public class FashionMnistTests
{
    [FashionMnistFact]
    public void LoadsTrainAndTestSplits()
    {
        var train = FashionMnist.Load(DatasetSplit.Train);
        Assert.Equal(60000, train.Count);
        Assert.Equal(new[] { 1, 28, 28 }, train.SampleShape);
        Assert.Equal(10, train.NumClasses);
        var labels = train.Labels!;
        var counts = new int[10];
        foreach (int l in labels) counts[l]++;
        Assert.All(counts, c => Assert.Equal(6000, c)); // Fashion-MNIST is balanced

        var idx = Enumerable.Range(0, 2000).Select(i => i * 29).ToArray();
        var x = new float[idx.Length * 784];
        var lab = new int[idx.Length];
        train.Fill(idx, x, lab);
        float min = x.Min(), max = x.Max();
        Assert.Equal(-1f, min);
        Assert.Equal(1f, max);
        double mean = x.Average(v => (double)v);
        Assert.InRange(mean, -0.5, -0.2); // mostly dark background: mean pixel ≈ 72.9/255

        var test = FashionMnist.Load(DatasetSplit.Test);
        Assert.Equal(10000, test.Count);
    }
}
