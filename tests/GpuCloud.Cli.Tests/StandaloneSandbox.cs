using System.Net.Http.Headers;
using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// A sandbox started by the test on 127.0.0.1, outliving single CLI runs: the CLI reaches it without <c>--sandbox</c>,
/// through the environment variables a user would set (<c>FLUENCE_BASE_URL</c>, <c>FLUIDSTACK_BASE_URL</c>, ...), so
/// state persists between commands and the test can read the sandbox's own view over raw HTTP.
/// </summary>
internal sealed class StandaloneSandbox : IAsyncDisposable
{
    private readonly HttpClient _http;

    private StandaloneSandbox(SandboxServer server)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = HangGuard.Limit };
    }

    public SandboxServer Server { get; }

    /// <summary>Starts a sandbox without provisioning, start/stop or deletion delays (waits end at their first poll).</summary>
    public static async Task<StandaloneSandbox> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { ProvisioningDelay = TimeSpan.Zero, StartStopDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return new StandaloneSandbox(await SandboxServer.StartAsync(options));
    }

    /// <summary>The variables pointing the CLI at this sandbox: Fluence by API key, Fluidstack by OAuth client credentials or a static token.</summary>
    public Dictionary<string, string> Environment(bool staticToken = false) => SandboxConnection.Variables(Server, staticToken);

    /// <summary>Runs the CLI against this sandbox (no <c>--sandbox</c>).</summary>
    public Task<Cli.Result> RunAsync(params string[] args) => Cli.RunAsync(args, null, Environment());

    /// <summary>GET on the Fluence API with the sandbox's key: the sandbox's own answer, not the CLI's.</summary>
    public Task<JsonElement> FluenceAsync(string path) => GetAsync(path, r => r.Headers.Add("X-API-KEY", Server.FluenceApiKey));

    /// <summary>GET on the Fluidstack Management API (path relative to it) with the static token and the project.</summary>
    public Task<JsonElement> FluidstackAsync(string path) => GetAsync("fluidstack/api/v1alpha1/" + path, r =>
    {
        r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Server.FluidstackToken);
        r.Headers.Add("X-PROJECT-ID", Server.FluidstackProjectId.ToString());
    });

    private async Task<JsonElement> GetAsync(string path, Action<HttpRequestMessage> authorize)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        authorize(request);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
