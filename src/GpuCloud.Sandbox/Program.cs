using System.Globalization;
using System.Runtime.InteropServices;

namespace GpuCloud.Sandbox;

/// <summary>
/// Standalone sandbox: <c>dotnet run --project src/GpuCloud.Sandbox -- --urls http://127.0.0.1:5080</c>.
/// Prints the base URLs and the (fake) credentials, then serves until Ctrl+C or SIGTERM.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: GpuCloud.Sandbox [--urls http://127.0.0.1:5080] [--seed N] [--provisioning-delay SECONDS]
                                [--deletion-delay SECONDS] [--start-stop-delay SECONDS] [--token-lifetime SECONDS]
                                [--balance USDC] [--quiet]

          --urls                one http URL on a loopback host (127.0.0.1, ::1, localhost); port 0 picks a free port.
                                Default http://127.0.0.1:5080.
          --seed                catalog and id seed (default 42).
          --provisioning-delay  INITIALIZED->ACTIVE / creating->running, in seconds (default 2).
          --quiet               do not log requests.
        """;

    private static async Task<int> Main(string[] args)
    {
        var options = new SandboxOptions { Urls = "http://127.0.0.1:5080", LogRequests = true };
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            try
            {
                switch (arg)
                {
                    case "--urls": options.Urls = Next(); break;
                    case "--seed": options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--provisioning-delay": options.ProvisioningDelay = Seconds(Next()); break;
                    case "--deletion-delay": options.DeletionDelay = Seconds(Next()); break;
                    case "--start-stop-delay": options.StartStopDelay = Seconds(Next()); break;
                    case "--token-lifetime": options.TokenLifetime = Seconds(Next()); break;
                    case "--balance": options.FluenceBalance = decimal.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--quiet": options.LogRequests = false; break;
                    case "-h" or "--help":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        throw new ArgumentException($"Unknown argument '{arg}'.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }

        if (!SandboxServer.TryParseLoopbackUrl(options.Urls!, out _, out _))
        {
            Console.Error.WriteLine($"Refusing to listen on '{options.Urls}': the sandbox binds only to one http loopback URL (127.0.0.1, ::1 or localhost).");
            return 2;
        }

        await using var server = await SandboxServer.StartAsync(options).ConfigureAwait(false);
        Console.WriteLine($"""
            GpuCloud provider sandbox listening on {server.BaseUrl}
              Fluence base URL           {server.FluenceBaseUrl}   X-API-KEY: {server.FluenceApiKey}
              Fluidstack management URL  {server.FluidstackManagementUrl}
              Fluidstack token URL       {server.FluidstackTokenUrl}   client_id={server.FluidstackClientId} client_secret={server.FluidstackClientSecret} audience={server.FluidstackAudience}
              Fluidstack static token    Authorization: Bearer {server.FluidstackToken}
              Fluidstack project         X-PROJECT-ID: {server.FluidstackProjectId}
            """);
        foreach (var region in server.FluidstackRegions)
            Console.WriteLine($"  Fluidstack region {region,-10} {server.FluidstackInfrastructureUrl(region)}");
        Console.WriteLine($"""
              Control                    GET {server.BaseUrl}_sandbox/inventory   POST {server.BaseUrl}_sandbox/faults   POST {server.BaseUrl}_sandbox/reset
            (credentials are the sandbox's own fake values)

            Paste into another shell to point gpucloud (or GpuCloudOptions.FromEnvironment) at this sandbox:
            """);
        foreach (var line in SandboxEnvironment.ExportLines(server)) Console.WriteLine(line);
        Console.WriteLine("Press Ctrl+C to stop.");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task.ConfigureAwait(false);
        Console.WriteLine("Stopping.");
        return 0;
    }

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
}

/// <summary>The environment a client reads (<c>GpuCloudOptions.FromEnvironment</c>, the <c>gpucloud</c> CLI) to reach a sandbox.</summary>
public static class SandboxEnvironment
{
    /// <summary>The variables and their values: Fluence by API key, Fluidstack by OAuth client credentials.</summary>
    /// <param name="server">The running sandbox.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Variables(SandboxServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return
        [
            new("FLUENCE_API_KEY", server.FluenceApiKey),
            new("FLUENCE_BASE_URL", server.FluenceBaseUrl.ToString()),
            new("FLUIDSTACK_CLIENT_ID", server.FluidstackClientId),
            new("FLUIDSTACK_CLIENT_SECRET", server.FluidstackClientSecret),
            new("FLUIDSTACK_TOKEN_URL", server.FluidstackTokenUrl.ToString()),
            new("FLUIDSTACK_BASE_URL", server.FluidstackManagementUrl.ToString()),
            new("FLUIDSTACK_PROJECT_ID", server.FluidstackProjectId.ToString()),
        ];
    }

    /// <summary>
    /// <c>export NAME='value'</c> lines, paste-ready for a POSIX shell (single quotes: nothing in a value is expanded).
    /// </summary>
    /// <param name="server">The running sandbox.</param>
    public static IReadOnlyList<string> ExportLines(SandboxServer server) =>
        Variables(server).Select(v => $"export {v.Key}='{v.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'").ToArray();
}
