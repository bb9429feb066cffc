namespace MixFlow.Data;

/// <summary>
/// Fashion-MNIST (60 000 train / 10 000 test gray 28×28 images of 10 clothing classes), read from the IDX files that
/// Debian's <c>dataset-fashion-mnist</c> package installs in <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>True when both files of <paramref name="split"/> exist in <paramref name="directory"/>.</summary>
    /// <param name="split">The split.</param>
    /// <param name="directory">The folder (default <see cref="DefaultDirectory"/>).</param>
    public static bool IsAvailable(DatasetSplit split = DatasetSplit.Train, string? directory = null)
    {
        var (i, l) = Paths(split, directory ?? DefaultDirectory);
        return File.Exists(i) && File.Exists(l);
    }

    /// <summary>Loads a split as 1×28×28 images in [−1, 1] with labels 0..9.</summary>
    /// <param name="split">Train (60 000) or Test (10 000).</param>
    /// <param name="directory">Folder holding <c>train-images-idx3-ubyte.gz</c> etc. (default
    /// <see cref="DefaultDirectory"/>); uncompressed files without <c>.gz</c> are accepted too.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message says to run
    /// <c>apt-get install dataset-fashion-mnist</c>.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt.</exception>
    public static ArrayDataset Load(DatasetSplit split = DatasetSplit.Train, string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        var (img, lab) = Paths(split, dir);
        foreach (var p in new[] { img, lab })
            if (!File.Exists(p))
                throw new FileNotFoundException($"Fashion-MNIST: '{p}' not found (looked in '{dir}' for '{Path.GetFileName(p)}' or its uncompressed form). Install Debian's package: apt-get install dataset-fashion-mnist", p);
        return IdxFile.LoadDataset(img, lab, ClassNames);
    }

    private static (string Images, string Labels) Paths(DatasetSplit split, string dir)
    {
        string prefix = split == DatasetSplit.Train ? "train" : "t10k";
        return (Pick(Path.Combine(dir, prefix + "-images-idx3-ubyte")), Pick(Path.Combine(dir, prefix + "-labels-idx1-ubyte")));
    }

    private static string Pick(string stem) => File.Exists(stem + ".gz") || !File.Exists(stem) ? stem + ".gz" : stem;
}
