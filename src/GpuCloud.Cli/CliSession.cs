using GpuCloud.Sandbox;

namespace GpuCloud.Cli;

/// <summary>A client for one command: over the in-process sandbox with <c>--sandbox</c>, else over the real clouds configured by environment variables.</summary>
internal sealed class CliSession : IAsyncDisposable
{
    private CliSession(GpuCloudClient client, SandboxServer? sandbox, GpuCloudOptions options)
    {
        Client = client;
        Sandbox = sandbox;
        CleanupTimeout = options.CleanupTimeout;
        Owner = options.Owner;
    }

    /// <summary>How long the client tries to delete what a cancelled create left behind (<see cref="GpuCloudOptions.CleanupTimeout"/>).</summary>
    public TimeSpan CleanupTimeout { get; }

    /// <summary>Who this CLI creates as (<see cref="GpuCloudOptions.Owner"/>): <c>user@host</c>.</summary>
    public string Owner { get; }

    public GpuCloudClient Client { get; }

    public SandboxServer? Sandbox { get; }

    public bool IsSandbox => Sandbox is not null;

    /// <param name="sandbox">Whether to run against an in-process sandbox.</param>
    /// <param name="journal">
    /// The journal file; by default the user's state directory, except in the sandbox (whose instances vanish with it), which
    /// records nothing unless a file is given.
    /// </param>
    /// <param name="io">Where output goes and the environment comes from.</param>
    /// <param name="ct">Cancels starting the sandbox.</param>
    public static async Task<CliSession> OpenAsync(bool sandbox, string? journal, CliIo io, CancellationToken ct)
    {
        if (sandbox)
        {
            var server = await SandboxServer.StartAsync(new SandboxOptions
            {
                ProvisioningDelay = TimeSpan.FromSeconds(3),
                StartStopDelay = TimeSpan.FromSeconds(2),
                DeletionDelay = TimeSpan.FromSeconds(1),
            }, ct).ConfigureAwait(false);
            var options = new GpuCloudOptions
            {
                PollInterval = TimeSpan.FromMilliseconds(500),
                ReadyTimeout = TimeSpan.FromMinutes(2),
                Fluence = { ApiKey = server.FluenceApiKey, BaseUrl = server.FluenceBaseUrl },
                Fluidstack =
                {
                    // The OAuth flow, not a static token: the sandbox issues expiring tokens like Fluidstack does.
                    ClientId = server.FluidstackClientId,
                    ClientSecret = server.FluidstackClientSecret,
                    TokenUrl = server.FluidstackTokenUrl,
                    ManagementUrl = server.FluidstackManagementUrl,
                    ProjectId = server.FluidstackProjectId,
                },
            };
            if (journal is not null) options.Journal = OpenJournal(journal, io);
            io.ConfigureSandbox?.Invoke(server, options);
            return new CliSession(new GpuCloudClient(options), server, options);
        }

        var fromEnvironment = GpuCloudOptions.FromEnvironment(io.Environment);
        var where = journal
                    ?? (io.Environment(JournalVariable) is { Length: > 0 } shared ? shared : null)
                    ?? SqliteInstanceJournal.DefaultPath(io.Environment, io.HomeDirectory);
        fromEnvironment.Journal = OpenJournal(where, io);
        var client = new GpuCloudClient(fromEnvironment);
        foreach (var (provider, reason) in client.DisabledProviders)
            io.Error.WriteLine($"note: {provider} skipped: {reason}.");
        if (client.Providers.Count == 0)
        {
            client.Dispose();
            throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
                "no provider is configured: set FLUENCE_API_KEY and/or FLUIDSTACK_TOKEN (or FLUIDSTACK_CLIENT_ID and FLUIDSTACK_CLIENT_SECRET), or add --sandbox.");
        }
        return new CliSession(client, null, fromEnvironment);
    }

    /// <summary>The environment variable that names the journal when <c>--journal</c> does not: a file, or a <c>postgres://</c> URL.</summary>
    public const string JournalVariable = "GPUCLOUD_JOURNAL";

    /// <summary>
    /// A SQLite file for one machine, or, for a <c>postgres://</c> URL, the journal a team's machines share (its password from
    /// <c>PGPASSWORD</c> or <c>~/.pgpass</c>, never printed); opened when a command first uses it.
    /// </summary>
    private static IInstanceJournal OpenJournal(string where, CliIo io) =>
        PostgresInstanceJournal.IsPostgresUrl(where)
            ? new OnFirstUseSharedJournal(() => new PostgresInstanceJournal(where, new PostgresJournalOptions { Warning = Warn(io) }))
            : new OnFirstUseJournal(() => new SqliteInstanceJournal(where, Warn(io)));

    private static Action<string> Warn(CliIo io) => warning => io.Error.WriteLine("warning: " + warning);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (Sandbox is not null) await Sandbox.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Records that the command hands <paramref name="instance"/> to the user on purpose, so a later sweep does not take it
    /// for one left behind by a crash. A journal that cannot be written costs a note, not the command.
    /// </summary>
    public async Task KeepAsync(GpuInstance instance, TextWriter notes, CancellationToken ct)
    {
        try
        {
            await Client.KeepInstanceAsync(instance.Provider, instance.Id, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.JournalUnavailable)
        {
            notes.WriteLine($"note: the journal did not record that {instance.Name} is kept ({ex.Detail}); 'gpucloud instances sweep' may list it.");
        }
    }
}
