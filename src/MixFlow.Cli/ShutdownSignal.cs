using System.Runtime.InteropServices;

namespace MixFlow.Cli;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation request so that training finishes its step, writes a
/// checkpoint and exits 0. A second Ctrl-C is not intercepted (the process then terminates at once).
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = new();

    /// <summary>Signalled on the first SIGINT/SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Installs the handlers (until disposed).</summary>
    public ShutdownSignal()
    {
        foreach (var sig in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try { _registrations.Add(PosixSignalRegistration.Create(sig, OnSignal)); }
            catch (PlatformNotSupportedException) { }
        }
    }

    private void OnSignal(PosixSignalContext ctx)
    {
        if (_cts.IsCancellationRequested) return; // second signal: default handling terminates
        ctx.Cancel = true;
        Console.Error.WriteLine("mixflow: stop requested — finishing the current step and writing a checkpoint (press Ctrl-C again to abort)");
        _cts.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
