using System.CommandLine;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary><c>mixflow train</c>: trains from scratch or resumes a run.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("train", "Train a flow model from scratch (or resume a run with --resume).");
        var keys = new ConfigOptions(cmd, TrainConfigKeys.All);
        var resume = new Option<string?>("--resume")
        {
            Description = "resume from a checkpoint or run directory (without a value: the run in --out); continues bit-exactly",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "CKPT",
        };
        cmd.Options.Add(resume);
        cmd.SetAction(parse =>
        {
            var resolved = keys.Resolve(parse, new TrainConfig());
            var cfg = TrainCommand.WithModelDefaults(resolved);
            TrainingSession session;
            if (parse.GetResult(resume) is not null)
            {
                var ck = Checkpoint.Open(parse.GetValue(resume) ?? cfg.Out);
                bool stepsGiven = keys.GivenFlags(parse).Any(kv => kv.Key == "steps");
                session = TrainingSetup.Resume(ck, stepsGiven ? cfg.Steps : null);
                ConsoleUi.Line($"train: resuming {ck.Directory} at step {ck.State.Step} of {session.Config.Steps}");
            }
            else
            {
                CheckpointManager.EnsureWritableDirectory(cfg.Out);
                session = TrainingSetup.Create(cfg);
                ConsoleUi.Line($"train: {session.ModelPreset} ({session.Model.ParameterCount:N0} parameters) on {cfg.Data}, objective {session.ObjectiveDescription}, {cfg.Steps} steps of {cfg.BatchSize} → {Path.GetFullPath(cfg.Out)}");
            }
            return RunSession(session, "train");
        });
        return cmd;
    }

    /// <summary>
    /// Model-dependent defaults of a run from scratch: an RAE latent model (<c>rae-*</c>) trained with MixFlow uses the
    /// paper's RAE value γ = 0.4 (<see cref="MixFlow.Representation.RaeDefaults.Gamma"/>) unless <c>gamma</c> was set.
    /// </summary>
    internal static TrainConfig WithModelDefaults(ResolvedConfig resolved)
    {
        var cfg = resolved.Config;
        if (cfg.Objective == ObjectiveKind.MixFlow && MixFlow.Representation.RepresentationModels.IsRae(cfg.Model) && !resolved.Given("gamma"))
            cfg = cfg with { Gamma = new MixFlow.Representation.RaeDefaults().Gamma };
        return cfg;
    }

    /// <summary>Runs a session with previews, progress and Ctrl-C handling; prints where the result is.</summary>
    internal static int RunSession(TrainingSession session, string title)
    {
        using var owned = session;
        session.Preview ??= new ModelPreview(session);
        using var signal = new ShutdownSignal();
        var world = CliWorld.Get();
        var result = ConsoleUi.Run(title, sink => new Trainer(session, sink, world).Run(signal.Token));
        ConsoleUi.Line(result.Reason == TrainStopReason.Cancelled
            ? $"{title}: stopped at step {result.FinalStep}; resume with: mixflow train --resume {result.CheckpointPath}"
            : $"{title}: done, checkpoint {result.CheckpointPath}");
        return ExitCodes.Ok;
    }
}
