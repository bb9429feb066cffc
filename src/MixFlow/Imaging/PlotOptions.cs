namespace MixFlow.Imaging;

/// <summary>Options shared by <see cref="LinePlot"/> and <see cref="ScatterPlot"/>.</summary>
public sealed record PlotOptions
{
    /// <summary>Picture width in pixels. Default 640.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Picture height in pixels. Default 400.</summary>
    public int Height { get; init; } = 400;

    /// <summary>Title above the plot, or null. Default null.</summary>
    public string? Title { get; init; }

    /// <summary>Label under the x axis, or null. Default null.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label left of the y axis (drawn vertically), or null. Default null.</summary>
    public string? YLabel { get; init; }

    /// <summary>Logarithmic y axis (base 10); non-positive values are skipped. Default false.</summary>
    public bool LogY { get; init; }

    /// <summary>Fixed x range (both ends), or null to fit the data. Default null.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Fixed y range (both ends, data units even with <see cref="LogY"/>), or null to fit the data. Default null.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Draw light grid lines at the ticks. Default true.</summary>
    public bool Grid { get; init; } = true;

    /// <summary>Draw a legend of the named series (top right). Default true.</summary>
    public bool Legend { get; init; } = true;
}
