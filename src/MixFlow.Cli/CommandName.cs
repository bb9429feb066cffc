using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace MixFlow.Cli;

/// <summary>
/// The name the help text gives the command. System.CommandLine names the root command after the running executable
/// (<c>MixFlow.Cli</c> for <c>dotnet MixFlow.Cli.dll</c>, the test host in tests); the assembly cannot simply be called
/// <c>mixflow</c>, because assembly names are case-insensitive and <c>MixFlow.dll</c> is the domain library. So the
/// help of every command is rendered by System.CommandLine as usual and written with the executable's name, where it
/// starts a usage line, replaced by <see cref="Name"/>.
/// </summary>
internal static class CommandName
{
    /// <summary>The command's name as users type it (the <c>./mixflow</c> script).</summary>
    public const string Name = "mixflow";

    /// <summary>Makes the help of <paramref name="root"/> and of all its subcommands say <see cref="Name"/>.</summary>
    /// <exception cref="InvalidOperationException">The root has no help option with an action (System.CommandLine adds one).</exception>
    public static void Apply(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().FirstOrDefault(o => o.Action is SynchronousCommandLineAction)
                   ?? throw new InvalidOperationException("CommandName: the root command has no --help option with an action");
        help.Action = new RenamingHelpAction((SynchronousCommandLineAction)help.Action!, RootCommand.ExecutableName);
    }

    /// <summary>Runs the library's help action into a buffer and writes it out with the usage lines renamed.</summary>
    private sealed class RenamingHelpAction(SynchronousCommandLineAction inner, string executable) : SynchronousCommandLineAction
    {
        /// <summary>As the help action: <c>eval --help</c> shows help even though <c>--ckpt</c> is missing.</summary>
        public override bool ClearsParseErrors => inner.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var config = parseResult.InvocationConfiguration;
            var output = config.Output;
            var text = new StringWriter();
            int code;
            config.Output = text;
            try { code = inner.Invoke(parseResult); }
            finally { config.Output = output; }
            output.Write(Rename(text.ToString(), executable));
            return code;
        }
    }

    /// <summary>Replaces <paramref name="executable"/> by <see cref="Name"/> where it opens an (indented) usage line.</summary>
    internal static string Rename(string help, string executable)
    {
        var lines = help.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string body = lines[i].TrimStart(' ');
            if (body.StartsWith(executable + " ", StringComparison.Ordinal) || body == executable || body == executable + "\r")
                lines[i] = lines[i][..(lines[i].Length - body.Length)] + Name + body[executable.Length..];
        }
        return string.Join('\n', lines);
    }
}
