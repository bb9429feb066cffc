namespace MixFlow.Imaging;

/// <summary>An 8-bit sRGB colour.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);

    /// <summary>Light gray (grid lines).</summary>
    public static Rgb LightGray => new(225, 225, 225);

    /// <summary>Dark gray (axes text).</summary>
    public static Rgb DarkGray => new(80, 80, 80);

    /// <summary>A 10-colour qualitative palette (series colours).</summary>
    public static IReadOnlyList<Rgb> Palette { get; } =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>Colour <paramref name="i"/> of <see cref="Palette"/> (cycling).</summary>
    public static Rgb Series(int i) => Palette[((i % Palette.Count) + Palette.Count) % Palette.Count];

    /// <summary>The CSS hex form, e.g. <c>#1f77b4</c>.</summary>
    public string ToHex() => $"#{R:x2}{G:x2}{B:x2}";
}
