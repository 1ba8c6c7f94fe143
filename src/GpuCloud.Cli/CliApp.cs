using System.CommandLine;
using GpuCloud.Errors;

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

    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default)
    {
        Output.AcceptOnlyFromAmong("table", "json");
        var root = new RootCommand("gpucloud: find, rent, watch and release GPUs on Fluence and Fluidstack.")
        {
            Sandbox,
            Output,
            PlansCommand.Create(io),
            InstancesCommands.Create(io),
            KeysCommands.Create(io),
            RunCommand.Create(io),
        };
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Error };
        var code = await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        // System.CommandLine answers a usage error with 1; ours is 2, so scripts can tell it from an API error.
        return parse.Errors.Count > 0 && code != ExitCodes.Success ? ExitCodes.Usage : code;
    }

    /// <summary>Runs a command's body with a session, turning failures into one line on stderr and an exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Handle(CliIo io, Func<CliSession, ParseResult, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            try
            {
                await using var session = await CliSession.OpenAsync(parse.GetValue(Sandbox), io, ct).ConfigureAwait(false);
                return await body(session, parse, ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.InvalidRequest && ex.StatusCode is null)
            {
                io.Error.WriteLine($"error: {Describe(ex)}");
                return ExitCodes.Usage;
            }
            catch (GpuCloudException ex)
            {
                io.Error.WriteLine($"error: {Describe(ex)}");
                return ExitCodes.ProviderError;
            }
            catch (ArgumentException ex)
            {
                io.Error.WriteLine($"error: {OneLine(ex.Message)}");
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                io.Error.WriteLine("cancelled.");
                return ExitCodes.Cancelled;
            }
        };

    /// <summary>One line: provider, error code, message (without repeating what the message already starts with).</summary>
    internal static string Describe(GpuCloudException ex)
    {
        var provider = ex.Provider ?? "gpucloud";
        var message = OneLine(ex.Message);
        if (message.StartsWith(provider + ": ", StringComparison.Ordinal)) message = message[(provider.Length + 2)..];
        var code = ex.Code.ToString();
        return message.StartsWith(code, StringComparison.Ordinal) ? $"{provider}: {message}" : $"{provider}: {code}: {message}";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    public static bool Json(ParseResult parse) => parse.GetValue(Output) == "json";
}
