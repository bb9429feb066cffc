using System.Diagnostics;
using System.Globalization;
using MixFlow.Training;
using Spectre.Console;

namespace MixFlow.Cli;

/// <summary>Console output of the CLI: live progress bars on a terminal, plain periodic lines otherwise.</summary>
public static class ConsoleUi
{
    /// <summary>
    /// True when progress bars are used: stdout is a terminal and the <c>CI</c> environment variable is not set.
    /// Set <see cref="ForcePlain"/> to override (tests).
    /// </summary>
    public static bool Interactive => !ForcePlain && MixFlow.Distributed.DistributedRuntime.IsRoot && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Forces plain line output.</summary>
    public static bool ForcePlain { get; set; }

    /// <summary>Writes one plain line to stdout (only on rank 0 of an mpirun job).</summary>
    public static void Line(string text)
    {
        if (MixFlow.Distributed.DistributedRuntime.IsRoot) Console.Out.WriteLine(text);
    }

    /// <summary>Runs <paramref name="work"/> with a progress sink: a live bar on a terminal, plain lines otherwise.</summary>
    public static T Run<T>(string title, Func<IProgressSink, T> work)
    {
        if (!Interactive) return work(new PlainProgressSink(title));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => { result = work(new BarProgressSink(ctx, title)); });
        return result;
    }

    /// <summary>Runs a piece of work without steps under a spinner (terminal) or between two plain lines.</summary>
    public static T RunStatus<T>(string title, Func<T> work)
    {
        if (!Interactive)
        {
            var clock = Stopwatch.StartNew();
            var r = work();
            Line(string.Create(CultureInfo.InvariantCulture, $"{title}: done in {clock.Elapsed.TotalSeconds:0.0} s"));
            return r;
        }
        T result = default!;
        AnsiConsole.Status().Start(Markup.Escape(title + " …"), _ => { result = work(); });
        return result;
    }

    internal static string Fmt(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 1e-3 || v == 0 ? "0.0000" : "0.00e+0", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    internal static string Eta(double seconds) => double.IsFinite(seconds) && seconds >= 0 ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";

    /// <summary>Plain periodic lines (one per log record and per event).</summary>
    private sealed class PlainProgressSink(string title) : IProgressSink
    {
        private int _total;

        public void OnStart(string phase, int startStep, int totalSteps)
        {
            _total = totalSteps;
            Line($"{title}: {phase} steps {startStep}..{totalSteps}");
        }

        public void OnStep(int step, double loss) { }

        public void OnLog(TrainLogEntry e)
        {
            double eta = e.StepsPerSecond > 0 ? (_total - e.Step) / e.StepsPerSecond : double.NaN;
            Line(string.Create(CultureInfo.InvariantCulture,
                $"{title}: step {e.Step}/{_total} loss {Fmt(e.Loss)} grad {Fmt(e.GradNorm)} lr {e.Lr:0.###e+0} {e.StepsPerSecond:0.0} it/s {e.SamplesPerSecond:0} samples/s ETA {Eta(eta)}{(e.Skipped > 0 ? $" skipped {e.Skipped}" : "")}"));
        }

        public void OnMessage(string message) => Line($"{title}: {message}");

        public void OnEnd(TrainResult r) =>
            Line(string.Create(CultureInfo.InvariantCulture, $"{title}: {r.Reason.ToString().ToLowerInvariant()} at step {r.FinalStep} in {r.ElapsedSeconds:0.0} s, last loss {Fmt(r.LastLoss)}"));
    }

    /// <summary>A Spectre.Console progress bar showing step, loss, rate and ETA.</summary>
    private sealed class BarProgressSink(ProgressContext ctx, string title) : IProgressSink
    {
        private ProgressTask? _task;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _start, _total;
        private double _ema = double.NaN;
        private long _lastRefresh;

        public void OnStart(string phase, int startStep, int totalSteps)
        {
            _start = startStep; _total = totalSteps;
            _task = ctx.AddTask(Markup.Escape($"{title} {phase}"), maxValue: Math.Max(1, totalSteps));
            _task.Value = startStep;
            _clock.Restart();
        }

        public void OnStep(int step, double loss)
        {
            if (_task is null) return;
            if (double.IsFinite(loss)) _ema = double.IsNaN(_ema) ? loss : 0.95 * _ema + 0.05 * loss;
            _task.Value = step;
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastRefresh < 200 && step != _total) return;
            _lastRefresh = now;
            double rate = (step - _start) / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
            _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{title} {step}/{_total} loss {Fmt(_ema)} {rate:0.0} it/s"));
        }

        public void OnLog(TrainLogEntry entry) { }

        public void OnMessage(string message) => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape($"{title}: {message}"));

        public void OnEnd(TrainResult r)
        {
            if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); }
        }
    }
}
