using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary>The <c>gpucloud</c> command tree, and the one place errors become exit codes.</summary>
internal static class CliApp
{
    public static readonly Option<bool> Sandbox = new("--sandbox")
    {
        Description = "Run against an in-process sandbox of both providers (offline, fake credentials).",
        Recursive = true,
    };

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "table (default) or json.",
        Recursive = true,
        DefaultValueFactory = _ => "table",
    };

    public static readonly Option<bool> Wide = new("--wide")
    {
        Description = "Tables: every column, full ids and values (may be wider than the terminal).",
        Recursive = true,
    };

    public static readonly Option<string?> Journal = new("--journal")
    {
        Description = "Where creates are recorded: a file, or a postgres://user@host/db URL for a journal shared by a team's machines "
                      + "(default: $GPUCLOUD_JOURNAL, else $XDG_STATE_HOME/gpucloud/journal.db, else ~/.local/state/gpucloud/journal.db; "
                      + "with --sandbox none unless given).",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default)
    {
        Output.AcceptOnlyFromAmong("table", "json");
        var root = new RootCommand("gpucloud: find, rent, watch and release GPUs on Fluence and Fluidstack.")
        {
            Sandbox,
            Output,
            Wide,
            Journal,
            PlansCommand.Create(io),
            InstancesCommands.Create(io),
            KeysCommands.Create(io),
            RunCommand.Create(io),
            CompletionCommand.Create(io),
            CheckCommand.Create(io),
        };
        SshCommands.AddTo(root, io);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            // One line and a hint, not System.CommandLine's list of errors followed by the whole help text; exit 2 (its own is 1),
            // so scripts can tell a usage error from an API error.
            // "Unrecognized command or argument 'x'" says more than the "Required command was not provided" that comes with it.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            io.Error.WriteLine($"error: gpucloud: InvalidRequest: {UsageMessage(parse, error)}{Suggestion(parse, error)}");
            io.Error.WriteLine($"hint: {CommandPath(parse.CommandResult)} --help");
            return ExitCodes.Usage;
        }
        // ProcessTerminationTimeout null: System.CommandLine would otherwise end the process 2 s after Ctrl+C or SIGTERM, while
        // the command is still deleting what it created. Signals are Interrupts' (Program), which never exits on a timer.
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Error, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>For an unknown option or command, the nearest one the command has: <c>--gpus</c> → <c>did you mean '--gpu'?</c></summary>
    private static string Suggestion(ParseResult parse, System.CommandLine.Parsing.ParseError error)
    {
        var match = System.Text.RegularExpressions.Regex.Match(error.Message, "^Unrecognized command or argument '(?<token>[^']+)'");
        if (!match.Success || parse.CommandResult is not { } result) return "";
        var token = match.Groups["token"].Value;
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.AddRange(r.Command.Options.Where(o => !o.Hidden && (r == result || o.Recursive)).SelectMany(o => o.Aliases.Prepend(o.Name)));
            if (r == result) names.AddRange(r.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        }
        var best = names.Where(n => n.StartsWith('-') == token.StartsWith('-'))
            .Select(n => (Name: n, Distance: Distance(token, n)))
            .Where(c => c.Distance <= Math.Max(1, Math.Min(2, c.Name.Length / 3)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is null ? "" : $" (did you mean '{best.Name}'?)";
    }

    // Levenshtein distance, with a swap of two neighbours counting as one edit ("lsit" is one from "list").
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command is RootCommand ? "gpucloud" : r.Command.Name);
        return names.Count == 0 ? "gpucloud" : string.Join(' ', names);
    }

    /// <summary>
    /// System.CommandLine's parse error in our words: no .NET type names (<c>System.Nullable`1[System.Int32]</c>,
    /// <c>GpuCloud.WorkloadType</c>), the option named as typed, the accepted values listed for an enum.
    /// </summary>
    private static string UsageMessage(ParseResult parse, System.CommandLine.Parsing.ParseError error)
    {
        var match = System.Text.RegularExpressions.Regex.Match(error.Message,
            "^Cannot parse argument '(?<value>.*)' for (option|command|argument) '(?<name>[^']*)' as expected type '(?<type>[^']*)'");
        if (!match.Success)
        {
            // "Argument 'yaml' not recognized. Must be one of: 'table' 'json'" names no option.
            var among = System.Text.RegularExpressions.Regex.Match(error.Message, "^Argument '(?<value>.*)' not recognized\\. Must be one of:(?<values>.*)$",
                System.Text.RegularExpressions.RegexOptions.Singleline);
            var option = error.SymbolResult switch
            {
                System.CommandLine.Parsing.OptionResult o => o.Option,
                System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option,
                _ => null,
            };
            if (among.Success && option is not null)
            {
                var values = among.Groups["values"].Value.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim('\''));
                return $"{option.Name}: '{among.Groups["value"].Value}' is not one of {string.Join(", ", values)}.";
            }
            return OneLine(error.Message);
        }
        var name = match.Groups["name"].Value;
        var value = match.Groups["value"].Value;
        var type = (error.SymbolResult as System.CommandLine.Parsing.OptionResult)?.Option.ValueType;
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is { IsArray: true }) type = type.GetElementType();
        var expected = type switch
        {
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) => "a number",
            _ when type == typeof(TimeSpan) => "a duration such as 00:15:00",
            _ => "a valid value",
        };
        return $"{name}: '{value}' is not {expected}.";
    }

    /// <summary>Takes an enum option's values by name only: .NET would also take any number (<c>--interconnect 7</c>).</summary>
    public static void NamesOnly<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || !int.TryParse(result.Tokens[0].Value, out _)) return;
            var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            result.AddError($"{option.Name}: '{result.Tokens[0].Value}' is not one of {string.Join(", ", Enum.GetNames(type))}.");
        });
    }

    /// <summary>Rejects values below <paramref name="minimum"/> as a usage error naming the option.</summary>
    public static void AtLeast<T>(Option<T> option, double minimum)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || result.Errors.Any()) return;
            T? value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not a number at all: System.CommandLine reports that one
            }
            if (value is null) return;
            var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (!double.IsFinite(number))
                result.AddError($"{option.Name}: '{result.Tokens[0].Value}' is not a number.");
            else if (number < minimum)
                result.AddError($"{option.Name}: must be {minimum.ToString(System.Globalization.CultureInfo.InvariantCulture)} or more, not {result.Tokens[0].Value}.");
        });
    }

    /// <summary>Runs a command's body with a session, turning failures into one line on stderr and an exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Handle(CliIo io, Func<CliSession, ParseResult, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            try
            {
                await using var session = await CliSession.OpenAsync(parse.GetValue(Sandbox), parse.GetValue(Journal), io, ct).ConfigureAwait(false);
                return await body(session, parse, ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.InvalidRequest && ex.StatusCode is null)
            {
                io.Error.WriteLine($"error: {Describe(ex)}");
                io.Error.WriteLine($"hint: {CommandPath(parse.CommandResult)} --help");
                return ExitCodes.Usage;
            }
            catch (GpuCloudException ex)
            {
                io.Error.WriteLine($"error: {Describe(ex)}");
                return ExitCodes.ProviderError;
            }
            catch (ArgumentException ex)
            {
                io.Error.WriteLine($"error: gpucloud: InvalidRequest: {Message(ex)}");
                io.Error.WriteLine($"hint: {CommandPath(parse.CommandResult)} --help");
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                io.Error.WriteLine("cancelled.");
                return io.Interrupts?.ExitCode ?? ExitCodes.Cancelled;
            }
            catch (InputFileException ex)
            {
                // A file the user named exists but cannot be read (permissions, I/O): one line, not a usage error.
                io.Error.WriteLine($"error: gpucloud: {Message(ex)}");
                return ExitCodes.ProviderError;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                io.Error.WriteLine($"error: gpucloud: {Message(ex)}");
                return ExitCodes.ProviderError;
            }
        };

    /// <summary>The one error style: <c>&lt;provider|gpucloud&gt;: &lt;code&gt;: &lt;message&gt;</c>.</summary>
    internal static string Describe(GpuCloudException ex) => $"{ex.Provider ?? "gpucloud"}: {ex.Code}: {Message(ex)}";

    /// <summary>
    /// An exception's message on one line, without what <see cref="Describe"/> already says (the provider, the code) and without
    /// .NET's <c>(Parameter '...')</c> tail.
    /// </summary>
    internal static string Message(Exception ex)
    {
        var message = OneLine(ex is GpuCloudException { Detail: var detail } ? detail : ex.Message);
        if (ex is ArgumentException { ParamName: { } name })
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        if (ex is GpuCloudException g)
        {
            // "NotFound (HTTP 404): Instance not found" after "NotFound: " says the code twice: keep "HTTP 404: Instance not found".
            var repeated = System.Text.RegularExpressions.Regex.Match(message, $"^{g.Code}( \\((?<http>HTTP \\d+)\\))?: ");
            if (repeated.Success)
                message = (repeated.Groups["http"].Success ? repeated.Groups["http"].Value + ": " : "") + message[repeated.Length..];
        }
        return message;
    }

    private static string OneLine(string text) => string.Join(' ', text.ReplaceLineEndings("\n").Split("\n", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    public static bool Json(ParseResult parse) => parse.GetValue(Output) == "json";

    public static bool IsWide(ParseResult parse) => parse.GetValue(Wide);
}
