using System.Globalization;
using System.Net;
using System.Text;
using MixFlow.Cli.Commands;

namespace MixFlow.Cli;

/// <summary>Writes the demo's <c>report.md</c> and <c>report.html</c> (images referenced by relative paths).</summary>
public static class DemoReport
{
    /// <summary>Writes both reports into <paramref name="outDir"/> and returns the HTML path.</summary>
    public static string Write(string outDir, IReadOnlyList<DemoCommand.Part> parts, double seconds, string engine)
    {
        string Rel(string p) => Path.GetRelativePath(outDir, p).Replace('\\', '/');
        var md = new StringBuilder();
        var html = new StringBuilder();
        string when = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        md.AppendLine("# MixFlow.NET demo report").AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Written {when}; total wall time {seconds:0} s; {engine}.")).AppendLine();
        html.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>MixFlow.NET demo report</title>")
            .AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}.row{display:flex;flex-wrap:wrap;gap:12px}.row figure{margin:0;flex:1 1 300px}figcaption{font-size:90%;color:#444}</style></head><body>")
            .AppendLine("<h1>MixFlow.NET demo report</h1>")
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"<p>Written {when}; total wall time {seconds:0} s; {E(engine)}.</p>"));
        foreach (var part in parts)
        {
            md.AppendLine($"## {part.Title}").AppendLine();
            html.AppendLine($"<h2>{E(part.Title)}</h2>");
            if (part.Note is not null) { md.AppendLine(part.Note).AppendLine(); html.AppendLine($"<p><b>{E(part.Note)}</b></p>"); }
            if (part.Variants.Count == 0) continue;
            md.AppendLine(part.Description).AppendLine();
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Wall time of this part: {part.Seconds:0} s.")).AppendLine();
            html.AppendLine($"<p>{E(part.Description)}</p>").AppendLine(string.Create(CultureInfo.InvariantCulture, $"<p>Wall time of this part: {part.Seconds:0} s.</p>"));
            var nfes = part.Variants.SelectMany(v => v.Scores.Keys).Distinct().Order().ToList();
            if (nfes.Count > 0)
            {
                md.Append("| model | ").Append(string.Join(" | ", nfes.Select(n => $"SW2 @ {n} NFE | MMD² @ {n} NFE"))).AppendLine(" | final loss |");
                md.Append("|---|").Append(string.Concat(nfes.Select(_ => "---:|---:|"))).AppendLine("---:|");
                html.Append("<table><tr><th>model</th>").Append(string.Concat(nfes.Select(n => $"<th>SW2 @ {n} NFE</th><th>MMD² @ {n} NFE</th>"))).AppendLine("<th>final loss</th></tr>");
                foreach (var v in part.Variants)
                {
                    var cells = nfes.Select(n => v.Scores.TryGetValue(n, out var s) ? (F(s.Sw2, "0.0000"), F(s.Mmd, "0.00000")) : ("", "")).ToList();
                    string loss = v.Log.Count > 0 ? F(v.Log[^1].Loss, "0.0000") : "";
                    md.Append($"| {v.Name} | ").Append(string.Join(" | ", cells.Select(c => $"{c.Item1} | {c.Item2}"))).AppendLine($" | {loss} |");
                    html.Append($"<tr><td>{E(v.Name)}</td>").Append(string.Concat(cells.Select(c => $"<td>{c.Item1}</td><td>{c.Item2}</td>"))).AppendLine($"<td>{loss}</td></tr>");
                }
                html.AppendLine("</table>");
                md.AppendLine();
            }
            md.AppendLine($"![losses]({Rel(part.LossPlot)})").AppendLine();
            html.AppendLine($"<figure><img src=\"{Rel(part.LossPlot)}\" alt=\"losses\"><figcaption>Training losses (pretraining, then each post-training run).</figcaption></figure>");
            html.AppendLine("<div class=\"row\">");
            foreach (var v in part.Variants)
            {
                md.AppendLine($"**{v.Name}** — checkpoint `{v.Checkpoint}`").AppendLine().AppendLine($"![{v.Name}]({Rel(v.SamplesPng)})").AppendLine();
                html.AppendLine($"<figure><img src=\"{Rel(v.SamplesPng)}\" alt=\"{E(v.Name)}\"><figcaption>{E(v.Name)}<br><code>{E(v.Checkpoint)}</code></figcaption></figure>");
            }
            html.AppendLine("</div>");
        }
        md.AppendLine("These are first, small-budget numbers meant to exercise the pipeline end to end; they are not a reproduction of the paper's results.");
        html.AppendLine("<p><i>These are first, small-budget numbers meant to exercise the pipeline end to end; they are not a reproduction of the paper's results.</i></p></body></html>");
        File.WriteAllText(Path.Combine(outDir, "report.md"), md.ToString());
        string htmlPath = Path.Combine(outDir, "report.html");
        File.WriteAllText(htmlPath, html.ToString());
        return htmlPath;
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string F(double v, string fmt) => v.ToString(fmt, CultureInfo.InvariantCulture);
}
