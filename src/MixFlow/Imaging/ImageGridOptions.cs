namespace MixFlow.Imaging;

/// <summary>Options of <see cref="ImageGrid"/>.</summary>
public sealed record ImageGridOptions
{
    /// <summary>Images per row; 0 picks ⌈√N⌉. Default 0.</summary>
    public int Columns { get; init; }

    /// <summary>Pixels between images and around the grid. Default 2.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Integer up-scaling of each image (nearest neighbour). Default 1.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>Colour of the padding. Default white.</summary>
    public Rgb Background { get; init; } = Rgb.White;

    /// <summary>A caption under each image (e.g. its class), or null for none. Default null.</summary>
    public IReadOnlyList<string>? Captions { get; init; }

    /// <summary>Caption colour. Default black.</summary>
    public Rgb CaptionColor { get; init; } = Rgb.Black;
}
