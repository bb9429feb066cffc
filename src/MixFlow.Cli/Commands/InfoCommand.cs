using System.CommandLine;
using System.Globalization;
using MixFlow.Training;
using Spectre.Console;

namespace MixFlow.Cli.Commands;

/// <summary><c>mixflow info CKPT</c>: what a checkpoint holds.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("info", "Show what a checkpoint holds (preset, parameters, step, objective, parent, config).");
        var path = new Argument<string>("ckpt") { Description = "checkpoint or run directory" };
        cmd.Arguments.Add(path);
        cmd.SetAction(parse =>
        {
            var ck = Checkpoint.Open(parse.GetValue(path)!);
            var s = ck.State;
            var rows = new List<(string, string)>
            {
                ("checkpoint", ck.Directory),
                ("model preset", s.ModelPreset),
                ("parameters", s.Parameters.ToString("N0", CultureInfo.InvariantCulture)),
                ("step", s.Step.ToString(CultureInfo.InvariantCulture)),
                ("epoch", s.Epoch.ToString(CultureInfo.InvariantCulture)),
                ("objective", s.Objective),
                ("parent", s.Parent ?? "(none: trained from scratch)"),
                ("data", $"{(s.Config.TryGetValue("data", out var d) ? d : "?")}, samples [{string.Join(", ", s.SampleShape)}], {s.NumClasses} classes"),
                ("skipped steps", s.SkippedSteps.ToString(CultureInfo.InvariantCulture)),
                ("written", s.CreatedUtc),
                ("engine", $"{s.EngineVersion}; {s.Engine}"),
            };
            foreach (var (k, v) in s.Config) rows.Add(("config." + k, v));
            var table = new Table().AddColumn("field").AddColumn("value");
            foreach (var (k, v) in rows) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
