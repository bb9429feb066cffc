namespace MixFlow.Bench;

/// <summary>Process memory figures read from /proc/self/status.</summary>
public static class ProcessStats
{
    /// <summary>Peak resident set size (VmHWM) in MB, or NaN where /proc is unavailable.</summary>
    public static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return double.NaN;
    }
}
