namespace MixFlow.Distributed;

/// <summary>Options of a distributed (MPI) world.</summary>
public sealed record WorldOptions
{
    /// <summary>Default <see cref="TimeoutSeconds"/>.</summary>
    public const double DefaultTimeoutSeconds = 300;

    /// <summary>Environment variable read by <see cref="FromEnvironment"/> for <see cref="TimeoutSeconds"/>.</summary>
    public const string TimeoutVariable = "MIXFLOW_MPI_TIMEOUT";

    /// <summary>
    /// A rank that waits longer than this in one collective (e.g. because another rank hangs or is far behind) prints
    /// <c>mixflow: rank R: no progress in collective X for T s; aborting</c> and aborts the whole job. Must exceed
    /// the longest work rank 0 does alone between collectives (previews, checkpoints). Default 300 s; 0 disables the
    /// watchdog.
    /// </summary>
    public double TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative or non-finite timeout.</exception>
    public void Validate()
    {
        if (!(TimeoutSeconds >= 0) || double.IsInfinity(TimeoutSeconds))
            throw new ArgumentOutOfRangeException(nameof(TimeoutSeconds), $"WorldOptions: mpi-timeout must be a finite number of seconds >= 0 (0 disables), got {TimeoutSeconds}");
    }

    /// <summary>Options with <see cref="TimeoutSeconds"/> from <c>MIXFLOW_MPI_TIMEOUT</c> if set.</summary>
    /// <exception cref="ArgumentException">The variable is not a number.</exception>
    public static WorldOptions FromEnvironment()
    {
        var o = new WorldOptions();
        if (Environment.GetEnvironmentVariable(TimeoutVariable) is { Length: > 0 } v)
        {
            if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t))
                throw new ArgumentException($"{TimeoutVariable}: '{v}' is not a number of seconds");
            o = o with { TimeoutSeconds = t };
        }
        o.Validate();
        return o;
    }
}
