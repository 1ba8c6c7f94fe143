using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary>
/// The question a command asks before money moves (<c>run</c>, <c>instances create</c>) or something is destroyed
/// (<c>instances delete</c>, <c>keys remove</c>), as <c>gh</c>, <c>az</c> and <c>sky</c> do: what will happen, then
/// <c>[y/N]</c> on stderr. <c>--yes</c> skips it; the in-process sandbox asks nothing. Without a terminal on stdin nothing is
/// ever waited for: a destructive command refuses (before any request) unless given <c>--yes</c>; one that rents goes ahead,
/// as scripts expect.
/// </summary>
internal static class Confirmation
{
    public static Option<bool> YesOption() => new("--yes", "-y") { Description = "Do not ask for confirmation." };

    /// <summary>Whether the command may ask at all: false with <c>--yes</c> or in the sandbox.</summary>
    private static bool Asks(CliIo io, ParseResult parse, Option<bool> yes, CliSession session) => !parse.GetValue(yes) && !session.IsSandbox;

    /// <summary>
    /// For a destructive command, before anything is sent: refuses when it would have to ask and cannot (stdin is not a terminal).
    /// </summary>
    public static void RequireAnswerable(CliIo io, ParseResult parse, Option<bool> yes, CliSession session, string doing)
    {
        if (Asks(io, parse, yes, session) && !io.InputIsTerminal)
            throw new ArgumentException($"{CommandName(parse)} asks before it {doing}, and stdin is not a terminal: add --yes (-y) to go ahead without asking.");
    }

    /// <summary>
    /// Shows <paramref name="summary"/> and asks <paramref name="question"/>; true when the answer is yes, when it need not ask,
    /// or (for a command that is not destructive) when there is no terminal to ask on.
    /// </summary>
    public static async Task<bool> AskAsync(CliIo io, ParseResult parse, Option<bool> yes, CliSession session, IEnumerable<string> summary, string question,
        CancellationToken ct)
    {
        if (!Asks(io, parse, yes, session) || !io.InputIsTerminal) return true;
        foreach (var line in summary) io.Error.WriteLine(line);
        io.Error.Write($"{question} [y/N] ");
        io.Error.Flush();
        // Read aside, so that Ctrl+C while the question waits ends the command at once.
        var answer = await Task.Run(io.In.ReadLine, CancellationToken.None).WaitAsync(ct).ConfigureAwait(false);
        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private static string CommandName(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return string.Join(' ', names);
    }
}
