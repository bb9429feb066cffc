namespace MixFlow.Imaging;

/// <summary>How the PNG encoder filters scanlines before compression.</summary>
public enum PngFilterMode
{
    /// <summary>Filter type 0 (None) on every row: fastest.</summary>
    None,

    /// <summary>Per row, the filter (of the five) with the smallest sum of absolute signed residuals: smaller files.</summary>
    Adaptive,
}
