using System.Globalization;
using System.Text;
using System.Text.Json;
using MixFlow.Evaluation;
using MixFlow.Imaging;

namespace MixFlow.Experiments;

/// <summary>Renders an <see cref="ExperimentSummary"/> as <c>report.md</c> (setup, stage wall-clock, tables, plots) and <c>report.json</c>.</summary>
public static class ExperimentReport
{
    /// <summary>Markdown report file name.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>JSON report file name.</summary>
    public const string JsonFile = "report.json";

    /// <summary>Writes both files into <paramref name="runDirectory"/> (atomically).</summary>
    public static void Write(ExperimentSummary s, string runDirectory)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, JsonFile), JsonSerializer.Serialize(s, EvaluationJson.Options));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, MarkdownFile), Markdown(s));
    }

    private static string F(double v, string fmt) => double.IsFinite(v) ? v.ToString(fmt, CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The markdown text of a report.</summary>
    public static string Markdown(ExperimentSummary s)
    {
        var o = s.Options;
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        L($"# MixFlow replication: {s.Experiment} ({o.Scale.ToString().ToLowerInvariant()} scale)");
        L();
        if (s.Command.Length > 0) { L("Command:"); L(); L("```"); L(s.Command); L("```"); L(); }
        L(s.Missing.Count == 0 ? "All stages finished." : $"**Incomplete**: {s.Missing.Count} planned stage(s) have not finished: {string.Join(", ", s.Missing)}.");
        L();
        L("## Setup");
        L();
        L($"- Data: `{o.Data}`; model `{o.Model}`{(s.ModelParameters > 0 ? $" ({s.ModelParameters:N0} parameters)" : "")}.");
        L(string.Create(CultureInfo.InvariantCulture, $"- Pretraining: flow matching, uniform t, {o.PretrainSteps} steps of batch {o.BatchSize}, AdamW lr {o.Lr:G4} ({o.Warmup} warm-up steps), grad clip {o.GradClip:G3}, EMA decay {o.EmaDecay:G4}, seed {o.Seed}."));
        L(string.Create(CultureInfo.InvariantCulture, $"- Post-training from the pretrained checkpoint: {o.PosttrainSteps} steps each, same batch and lr (no warm-up), {(o.KeepOptimizer ? "continuing the pretraining's AdamW moments" : "fresh AdamW moments")}, seed {o.PosttrainSeed} for every variant (same batches and noise)."));
        L("- Variants: (a) flow matching, uniform t; (b) MixFlow γ = 0.8 and (c) γ = 0.4, slowed-velocity target, t ~ Beta(2, 1); (d) input perturbation λ = 0.1, uniform t; (e) the pretrained checkpoint. All evaluated with their EMA weights.");
        L(string.Create(CultureInfo.InvariantCulture, $"- Evaluation: N = {o.Samples} samples per cell{(o.IsImages ? " (equal labels per class)" : "")}, noise seed {o.EvalSeed} (the same noise in every cell). NFE = network evaluations per sample: Euler steps = NFE, Heun steps = NFE/2{(o.IsImages ? $"; with CFG {o.GuidanceScale:G3} every evaluation runs the network on a doubled batch (conditional + unconditional)" : "")}."));
        L(string.Create(CultureInfo.InvariantCulture, $"- Sampling-time rivals on (a): epsilon scaling λ = {o.EpsilonLambda:G5} (Euler) and the time-shift sampler, NFE {string.Join(", ", o.RivalNfes)}."));
        if (o.IsImages)
        {
            L("- Metrics (`MixFlow.Evaluation`): FD of 128-d classifier features against the 10 000 test images, k-NN precision/recall (k = 3), class accuracy (classifier argmax = requested label), IS analogue. FD depends on N: compare FD only at equal N.");
            if (s.FeatureNetwork is { } f) L($"- Feature network: {f}.");
        }
        else L(string.Create(CultureInfo.InvariantCulture, $"- Metrics: sliced W2 (256 projections) and RBF-MMD² against fresh samples of the true distribution; test NLL (nats) of {o.NllSamples} fresh true points by the ODE likelihood ({o.NllSteps} RK4 steps, exact divergence)."));
        L(string.Create(CultureInfo.InvariantCulture, $"- Slow-Flow diagnostic: {o.SlowFlowSamples} Euler trajectories of {o.SlowFlowSteps} steps for (a), (b), (e)."));
        L();
        L("## Wall-clock per stage");
        L();
        L("| stage | seconds | note | finished (UTC) |");
        L("|---|---:|---|---|");
        foreach (var r in s.Stages)
            L($"| {r.Stage} | {F(r.Seconds, "0.0")} | {(r.ResumedFromStep > 0 ? $"resumed at step {r.ResumedFromStep}; seconds of the resuming run only" : "")} | {r.FinishedUtc} |");
        L(string.Create(CultureInfo.InvariantCulture, $"| **total** | {s.Stages.Sum(r => r.Seconds):0.0} | | |"));
        L();
        var cells = s.Cells;
        var variants = ExperimentRunner.Variants;
        var grid = o.Nfes.Distinct().OrderBy(n => n).ToList();
        if (o.IsImages)
        {
            (string, Func<ImageMetricsResult, double?>, string)[] metrics =
            [
                ("FD (lower is better)", m => m.Fd, "0.00"), ("precision", m => m.Precision, "0.000"), ("recall", m => m.Recall, "0.000"),
                ("class accuracy", m => m.ClassAccuracy, "0.000"), ("IS analogue", m => m.InceptionScore, "0.00"),
            ];
            L("## Results without guidance");
            L();
            foreach (var (name, get, fmt) in metrics) Pivot(sb, name, cells, variants, grid, 1, c => c.Image is { } m ? get(m) : null, fmt);
            var gn = o.GuidanceNfes.Distinct().OrderBy(n => n).ToList();
            if (gn.Count > 0)
            {
                L(string.Create(CultureInfo.InvariantCulture, $"## Results with classifier-free guidance {o.GuidanceScale:G3}"));
                L();
                foreach (var (name, get, fmt) in metrics) Pivot(sb, name, cells, variants, gn, o.GuidanceScale, c => c.Image is { } m ? get(m) : null, fmt);
            }
        }
        else
        {
            L("## Results");
            L();
            Pivot(sb, "sliced W2 (lower is better)", cells, variants, grid, 1, c => c.Toy?.SlicedW2, "0.0000");
            Pivot(sb, "MMD² (lower is better)", cells, variants, grid, 1, c => c.Toy?.Mmd2, "0.00000");
            L("### Test NLL (nats, lower is better; a property of the model, not of the sampler)");
            L();
            L("| variant | NLL |");
            L("|---|---:|");
            foreach (var v in variants)
                L($"| {v.Label} | {(s.Nll.FirstOrDefault(n => n.Variant == v.Id) is { } n ? F(n.TestNll, "0.0000") : "—")} |");
            L();
        }
        Rivals(sb, s);
        L("## Slow-Flow diagnostic");
        L();
        if (s.SlowFlow is { } sf)
        {
            L("Mean lag = mean over the grid of t − median m_t (positive: the sampler lags behind its clock).");
            L();
            L("| variant | mean lag (least squares) | mean lag (x0 share) |");
            L("|---|---:|---:|");
            foreach (var r in sf.Reports) L($"| {r.LeastSquares.Label} | {F(r.LeastSquares.MeanLag, "0.0000")} | {F(r.NoiseShare.MeanLag, "0.0000")} |");
            L();
            foreach (var p in s.SlowFlowPlots) L($"![{Path.GetFileNameWithoutExtension(p)}]({p.Replace('\\', '/')})");
            L();
        }
        else { L("(not finished)"); L(); }
        return sb.ToString();
    }

    private static void Pivot(StringBuilder sb, string name, IReadOnlyList<CellResult> cells, IReadOnlyList<ExperimentVariant> variants, List<int> nfes, double cfg, Func<CellResult, double?> get, string fmt)
    {
        var samplers = new[] { EvalSamplerKind.Euler, EvalSamplerKind.Heun };
        sb.Append("### ").Append(name).Append('\n').Append('\n');
        sb.Append("| variant |");
        foreach (var k in samplers) foreach (int n in nfes) sb.Append(' ').Append(EvalCellSpec.SamplerName(k)).Append(" NFE ").Append(n).Append(" |");
        sb.Append('\n').Append("|---|");
        foreach (var _ in samplers) foreach (int _2 in nfes) sb.Append("---:|");
        sb.Append('\n');
        foreach (var v in variants)
        {
            sb.Append("| ").Append(v.Label).Append(" |");
            foreach (var k in samplers)
                foreach (int n in nfes)
                {
                    var c = cells.FirstOrDefault(c => c.Cell.Variant == v.Id && c.Cell.Sampler == k && c.Cell.Nfe == n && c.Cell.Cfg == cfg);
                    sb.Append(' ').Append(c is not null && get(c) is double x ? F(x, fmt) : "—").Append(" |");
                }
            sb.Append('\n');
        }
        sb.Append('\n');
    }

    private static void Rivals(StringBuilder sb, ExperimentSummary s)
    {
        var o = s.Options;
        sb.Append("## Sampling-time rivals on (a) vs. MixFlow post-training (b)\n\n");
        sb.Append(o.IsImages ? "| model / sampler | NFE | FD | precision | recall | class acc. |\n|---|---:|---:|---:|---:|---:|\n"
                             : "| model / sampler | NFE | sliced W2 | MMD² |\n|---|---:|---:|---:|\n");
        foreach (int n in o.RivalNfes.Distinct().OrderBy(n => n))
        {
            var rows = new (string, string, EvalSamplerKind)[]
            {
                ("(a) FM, Euler", "a", EvalSamplerKind.Euler), ("(a) FM, epsilon scaling", "a", EvalSamplerKind.EpsilonScaling),
                ("(a) FM, time shift", "a", EvalSamplerKind.TimeShift), ("(b) MixFlow 0.8, Euler", "b", EvalSamplerKind.Euler),
            };
            foreach (var (label, v, k) in rows)
            {
                var c = s.Cells.FirstOrDefault(c => c.Cell.Variant == v && c.Cell.Sampler == k && c.Cell.Nfe == n && c.Cell.Cfg == 1);
                if (c is null) { sb.Append($"| {label} | {n} | — | — |{(o.IsImages ? " — | — |" : "")}\n"); continue; }
                if (c.Image is { } m)
                    sb.Append(string.Create(CultureInfo.InvariantCulture, $"| {label} | {c.MeasuredNfe} | {F(m.Fd, "0.00")} | {F(m.Precision, "0.000")} | {F(m.Recall, "0.000")} | {(m.ClassAccuracy is double a ? F(a, "0.000") : "—")} |\n"));
                else if (c.Toy is { } t)
                    sb.Append(string.Create(CultureInfo.InvariantCulture, $"| {label} | {c.MeasuredNfe} | {F(t.SlicedW2, "0.0000")} | {F(t.Mmd2, "0.00000")} |\n"));
            }
        }
        sb.Append('\n');
    }
}
