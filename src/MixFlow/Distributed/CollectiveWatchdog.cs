using System.Diagnostics;

namespace MixFlow.Distributed;

/// <summary>
/// Watches the collective a rank is blocked in: a background thread checks a few times per timeout whether the
/// current collective has lasted longer than the timeout and, if so, calls the expiry action once (which prints the
/// message and aborts the job). MPI calls cannot be interrupted, so aborting the job is the only way out.
/// </summary>
internal sealed class CollectiveWatchdog : IDisposable
{
    private readonly double _timeout;
    private readonly Action<string, double> _onExpired;
    private readonly Thread? _thread;
    private volatile string? _current;
    private long _since;
    private volatile bool _stop;

    /// <param name="timeoutSeconds">Timeout (0: disabled, no thread).</param>
    /// <param name="onExpired">Called with the collective's label and the waited seconds.</param>
    public CollectiveWatchdog(double timeoutSeconds, Action<string, double> onExpired)
    {
        _timeout = timeoutSeconds;
        _onExpired = onExpired;
        if (timeoutSeconds <= 0) return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "mixflow-mpi-watchdog" };
        _thread.Start();
    }

    /// <summary>Marks the start of a collective; dispose the result when it returns.</summary>
    public Scope Enter(string label)
    {
        Volatile.Write(ref _since, Stopwatch.GetTimestamp());
        _current = label;
        return new Scope(this);
    }

    /// <summary>Ends the watched section.</summary>
    public readonly struct Scope(CollectiveWatchdog owner) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => owner._current = null;
    }

    private void Loop()
    {
        int pollMs = (int)Math.Clamp(_timeout * 1000 / 8, 50, 1000);
        while (!_stop)
        {
            Thread.Sleep(pollMs);
            var label = _current;
            if (label is null) continue;
            double waited = Stopwatch.GetElapsedTime(Volatile.Read(ref _since)).TotalSeconds;
            if (waited >= _timeout && ReferenceEquals(label, _current))
            {
                _onExpired(label, waited);
                return;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _stop = true;
}
