using System.Net;
using GpuCloud.Sandbox.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GpuCloud.Sandbox;

/// <summary>
/// A local server speaking the Fluence GPU API, the Fluidstack Management and Infrastructure APIs and Fluidstack's
/// OAuth token endpoint, as the specs in <c>specs/</c> describe them, on one loopback listener:
/// <list type="bullet">
/// <item>Fluence at the root (<see cref="FluenceBaseUrl"/>; <c>X-API-KEY</c>).</item>
/// <item>Fluidstack management at <c>/fluidstack/api/v1alpha1</c> (<see cref="FluidstackManagementUrl"/>); its
/// <c>/regions</c> lists each region's <c>url</c> (<c>/fluidstack/regions/{name}</c>), whose Infrastructure API is
/// <c>url + /api/v1alpha1</c> (<see cref="FluidstackInfrastructureUrl"/>).</item>
/// <item><c>POST /oauth/token</c> (<see cref="FluidstackTokenUrl"/>) issuing bearer tokens.</item>
/// <item>The control API at <c>/_sandbox</c> (inventory, faults, reset, the request log).</item>
/// </list>
/// State is kept in memory, seeded and deterministic; lifecycle transitions follow <see cref="SandboxOptions.TimeProvider"/>.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxContext _sandbox;
    private int _stopped;
    private readonly RequestLog _requests;

    private SandboxServer(WebApplication app, SandboxContext sandbox, SandboxInventory inventory, RequestLog requests, Uri baseUrl)
    {
        _app = app;
        _requests = requests;
        _sandbox = sandbox;
        Inventory = inventory;
        BaseUrl = baseUrl;
    }

    /// <summary>
    /// Every request that reached a provider API so far (not the control API), as <c>"METHOD /path"</c> in arrival order;
    /// also <c>GET /_sandbox/requests</c>.
    /// </summary>
    public IReadOnlyList<string> Requests => _requests.Requests;

    /// <summary>Empties <see cref="Requests"/> (also <c>DELETE /_sandbox/requests</c>).</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>The listener's root, e.g. <c>http://127.0.0.1:5080/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The Fluence base URL (the root: paths are <c>/gpu/...</c> and <c>/v1/ssh_keys</c>).</summary>
    public Uri FluenceBaseUrl => BaseUrl;

    /// <summary>The Fluidstack Management API base URL, <c>{BaseUrl}fluidstack/api/v1alpha1</c>.</summary>
    public Uri FluidstackManagementUrl => new(BaseUrl, "fluidstack/api/v1alpha1");

    /// <summary>The OAuth2 token endpoint, <c>{BaseUrl}oauth/token</c>.</summary>
    public Uri FluidstackTokenUrl => new(BaseUrl, "oauth/token");

    /// <summary>The Fluidstack regions, as <c>/regions</c> lists them.</summary>
    public IReadOnlyList<string> FluidstackRegions => _sandbox.State.Catalog.Regions.Select(r => r.Name).ToArray();

    /// <summary>The Fluence API key to send as <c>X-API-KEY</c>.</summary>
    public string FluenceApiKey => _sandbox.Options.FluenceApiKey;

    /// <summary>A static Fluidstack bearer token that never expires.</summary>
    public string FluidstackToken => _sandbox.Options.FluidstackToken;

    /// <summary>The OAuth client id accepted by the token endpoint.</summary>
    public string FluidstackClientId => _sandbox.Options.FluidstackClientId;

    /// <summary>The OAuth client secret accepted by the token endpoint.</summary>
    public string FluidstackClientSecret => _sandbox.Options.FluidstackClientSecret;

    /// <summary>The OAuth audience accepted by the token endpoint.</summary>
    public string FluidstackAudience => _sandbox.Options.FluidstackAudience;

    /// <summary>The sandbox's Fluidstack project, to send as <c>X-PROJECT-ID</c>.</summary>
    public Guid FluidstackProjectId => _sandbox.State.DefaultProjectId;

    /// <summary>Fault injection rules (also reachable over HTTP at <c>/_sandbox/faults</c>).</summary>
    public SandboxFaults Faults => _sandbox.Faults;

    /// <summary>Create-request counts and live instances, for leak and duplicate assertions.</summary>
    public SandboxInventory Inventory { get; }

    /// <summary>The Fluence account balance in USDC; settable to provoke "Insufficient balance".</summary>
    public decimal FluenceBalance
    {
        get => _sandbox.State.GetFluenceBalance();
        set => _sandbox.State.SetFluenceBalance(value);
    }

    /// <summary>A region's <c>url</c> as <c>/regions</c> returns it, <c>{BaseUrl}fluidstack/regions/{region}</c>.</summary>
    /// <param name="region">A region name, e.g. <c>eu-north-1</c>.</param>
    /// <returns>The region URL.</returns>
    public Uri FluidstackRegionUrl(string region) => new(BaseUrl, $"fluidstack/regions/{region}");

    /// <summary>A region's Infrastructure API base, the region URL plus <c>/api/v1alpha1</c>.</summary>
    /// <param name="region">A region name, e.g. <c>eu-north-1</c>.</param>
    /// <returns>The regional API base URL.</returns>
    public Uri FluidstackInfrastructureUrl(string region) => new(BaseUrl, $"fluidstack/regions/{region}/api/v1alpha1");

    /// <summary>The capacity <c>/capacity</c> currently reports for one instance type in one region.</summary>
    /// <param name="region">The region.</param>
    /// <param name="instanceType">The instance type name.</param>
    /// <returns>Available instances of that type.</returns>
    /// <exception cref="ArgumentException">The region has no such type.</exception>
    public int GetFluidstackCapacity(string region, string instanceType) => _sandbox.State.GetCapacity(region, instanceType);

    /// <summary>Sets the capacity of one instance type in one region (0 makes new instances go out-of-stock).</summary>
    /// <param name="region">The region.</param>
    /// <param name="instanceType">The instance type name.</param>
    /// <param name="capacity">Available instances (not negative).</param>
    /// <exception cref="ArgumentException">The region has no such type.</exception>
    public void SetFluidstackCapacity(string region, string instanceType, int capacity) =>
        _sandbox.State.SetCapacity(region, instanceType, capacity);

    /// <summary>
    /// Back to how the server started: forgets every instance, key, project, token and counter, restores the seeded
    /// balance and capacity, and replaces the fault rules with fresh copies of <see cref="SandboxOptions.Faults"/>
    /// (the catalog, credentials and clock stay). Also <c>POST /_sandbox/reset</c>.
    /// </summary>
    public void Reset() => _sandbox.Reset();

    /// <summary>Starts a sandbox on a loopback listener.</summary>
    /// <param name="options">Settings; null uses the defaults (a free port on 127.0.0.1).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException"><see cref="SandboxOptions.Urls"/> is not a single http URL on a loopback host.</exception>
    public static async Task<SandboxServer> StartAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var (address, port) = ResolveListener(options);
        var sandbox = new SandboxContext(options);

        // The empty builder reads no appsettings or environment variables (ASPNETCORE_URLS cannot move the
        // listener), watches no files and logs nothing: the sandbox is configured by SandboxOptions alone.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, port);
        });

        var app = builder.Build();
        if (options.LogRequests)
        {
            app.Use(async (http, next) =>
            {
                await next(http).ConfigureAwait(false);
                Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {http.Request.Method} {http.Request.Path}{http.Request.QueryString} -> {http.Response.StatusCode}");
            });
        }

        var requests = new RequestLog();
        requests.Use(app);
        app.UseMiddleware<FaultMiddleware>(sandbox);
        FluenceEndpoints.Map(app, sandbox);
        FluenceSshKeyEndpoints.Map(app, sandbox);
        FluidstackAuth.Map(app, sandbox);
        FluidstackEndpoints.Map(app, sandbox);
        var inventory = new SandboxInventory(sandbox.State);
        ControlEndpoints.Map(app, sandbox, inventory);
        requests.Map(app);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var boundPort = new Uri(bound).Port;
            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            sandbox.BaseUrl = new Uri($"http://{host}:{boundPort}/");
            return new SandboxServer(app, sandbox, inventory, requests, sandbox.BaseUrl);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops listening; in-flight requests get a moment to finish.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Stops the server and releases it.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _sandbox.State.SshListeners.Dispose();
    }

    /// <summary>Checks a listener URL: one <c>http</c> URL whose host is loopback.</summary>
    /// <param name="url">E.g. <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="address">The loopback address to bind.</param>
    /// <param name="port">The port (0 for a free one).</param>
    /// <returns>Whether the URL is acceptable.</returns>
    public static bool TryParseLoopbackUrl(string url, out IPAddress address, out int port)
    {
        address = IPAddress.Loopback;
        port = 0;
        if (string.IsNullOrWhiteSpace(url) || url.Contains(';', StringComparison.Ordinal)) return false;
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp) return false;
        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query)) return false;
        port = uri.Port;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) || !IPAddress.IsLoopback(ip)) return false;
        address = ip;
        return true;
    }

    private static (IPAddress Address, int Port) ResolveListener(SandboxOptions options)
    {
        if (options.Urls is { } urls)
        {
            if (!TryParseLoopbackUrl(urls, out var address, out var port))
                throw new ArgumentException($"The sandbox listens on one http loopback URL only (127.0.0.1, ::1 or localhost); refusing '{urls}'.", nameof(options));
            return (address, port);
        }

        if (options.Port is < 0 or > 65535) throw new ArgumentException("Port must be between 0 and 65535.", nameof(options));
        return (IPAddress.Loopback, options.Port);
    }
}
