namespace MixFlow.Imaging;

/// <summary>Size and shape of an image grid.</summary>
/// <param name="Width">Picture width in pixels.</param>
/// <param name="Height">Picture height in pixels.</param>
/// <param name="Columns">Images per row.</param>
/// <param name="Rows">Rows of images.</param>
public sealed record GridLayout(int Width, int Height, int Columns, int Rows);
