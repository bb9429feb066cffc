using MixFlow.Imaging;

namespace MixFlow.Data;

/// <summary>
/// A data set from a folder of PNG files (8-bit, non-interlaced). When the folder has sub-folders, each sub-folder is
/// a class (labels in ordinal order of the sub-folder names, which become <see cref="ArrayDataset.ClassNames"/>) and
/// only PNG files inside sub-folders are used; otherwise the PNG files directly inside are an unlabelled set. All images
/// must have the same size; gray images give 1 channel, colour images 3 (alpha is dropped; gray images in a colour set
/// are replicated to 3 channels).
/// </summary>
public static class ImageFolder
{
    /// <summary>Loads the images (sorted by path, ordinal) as C×H×W in [−1, 1].</summary>
    /// <param name="root">The folder.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No PNG files, images of different sizes, or a corrupt PNG (the message
    /// names the file).</exception>
    public static ArrayDataset Load(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"ImageFolder: folder '{root}' does not exist");
        var classDirs = Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        var files = new List<(string Path, int Label)>();
        string[]? classNames = null;
        if (classDirs.Length > 0)
        {
            classNames = classDirs.Select(Path.GetFileName).Select(n => n!).ToArray();
            for (int c = 0; c < classDirs.Length; c++)
                foreach (var f in PngFiles(classDirs[c])) files.Add((f, c));
        }
        else
            foreach (var f in PngFiles(root)) files.Add((f, -1));
        if (files.Count == 0) throw new InvalidDataException($"ImageFolder: no .png files in '{root}'{(classDirs.Length > 0 ? " or its sub-folders" : "")}");

        var images = new PngImage[files.Count];
        bool color = false;
        for (int i = 0; i < files.Count; i++)
        {
            images[i] = PngDecoder.Load(files[i].Path);
            if (images[i].Channels >= 3) color = true;
            if (images[i].Width != images[0].Width || images[i].Height != images[0].Height)
                throw new InvalidDataException($"ImageFolder: '{files[i].Path}' is {images[i].Width}x{images[i].Height}, but '{files[0].Path}' is {images[0].Width}x{images[0].Height}; all images must have the same size");
        }
        int w = images[0].Width, h = images[0].Height, ch = color ? 3 : 1, hw = w * h;
        var data = new byte[(long)files.Count * ch * hw];
        for (int i = 0; i < images.Length; i++)
        {
            var img = images[i];
            long b = (long)i * ch * hw;
            for (int p = 0; p < hw; p++)
                for (int k = 0; k < ch; k++)
                    data[b + (long)k * hw + p] = img.Pixels[p * img.Channels + (img.Channels >= 3 ? k : 0)];
        }
        int[]? labels = classNames is null ? null : files.Select(f => f.Label).ToArray();
        return ArrayDataset.FromBytes(data, [ch, h, w], labels, classNames?.Length ?? 0, classNames);
    }

    private static IEnumerable<string> PngFiles(string dir) =>
        Directory.GetFiles(dir).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).OrderBy(f => f, StringComparer.Ordinal);
}
