using System.CommandLine;
using MixFlow.Training;

namespace MixFlow.Cli.Commands;

/// <summary><c>mixflow posttrain</c>: continues training a pretrained checkpoint with another objective (MixFlow by default).</summary>
public static class PosttrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cmd = new Command("posttrain", "Post-train a pretrained checkpoint (weights + EMA) with MixFlow or any objective; keeps the parent's settings unless overridden.");
        var from = new Option<string>("--from") { Description = "pretrained checkpoint or run directory", Required = true, HelpName = "CKPT" };
        var keepOpt = new Option<bool>("--keep-optimizer") { Description = "start from the parent's optimizer moments instead of fresh ones" };
        cmd.Options.Add(from);
        cmd.Options.Add(keepOpt);
        var keys = new ConfigOptions(cmd, TrainConfigKeys.All.Where(k => k.Name is not ("data" or "model")));
        cmd.SetAction(parse =>
        {
            var parent = Checkpoint.Open(parse.GetValue(from)!);
            var baseCfg = parent.Config.ForPostTraining(ObjectiveKind.MixFlow);
            string parentRun = Path.GetDirectoryName(parent.Directory)!;
            var resolved = keys.Resolve(parse, baseCfg);
            var cfg = resolved.Config;
            bool Given(string key) => resolved.Given(key);
            if (!Given("time-sampler")) // the final objective decides: a changed objective gets its own default (MixFlow: Beta(2, 1))
                cfg = cfg with { TimeSampler = parent.Config.ForPostTraining(cfg.Objective).TimeSampler };
            if (!Given("out")) // default: a sibling of the parent's run directory, e.g. runs/fmnist-post-mixflow
                cfg = cfg with { Out = Path.Combine(Path.GetDirectoryName(parentRun)!, Path.GetFileName(parentRun) + "-post-" + cfg.Objective.ToCliName()) };
            if (Path.GetFullPath(cfg.Out) == Path.GetFullPath(parentRun))
                throw new ConfigException("out", $"out: the post-training run must not write into its parent's run directory '{parentRun}'");
            if (cfg.Data != parent.Config.Data)
                throw new ConfigException("data", "data: posttrain uses the parent's data set");
            CheckpointManager.EnsureWritableDirectory(cfg.Out);
            var session = TrainingSetup.PostTrain(parent, cfg, parse.GetValue(keepOpt));
            ConsoleUi.Line($"posttrain: {session.ModelPreset} from {parent.Directory} (step {parent.State.Step}), objective {session.ObjectiveDescription}, {cfg.Steps} steps → {Path.GetFullPath(cfg.Out)}");
            return TrainCommand.RunSession(session, "posttrain");
        });
        return cmd;
    }
}
