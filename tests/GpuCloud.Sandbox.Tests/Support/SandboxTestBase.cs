using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GpuCloud.Generated.Fluence;
using GpuCloud.Generated.Fluidstack.Infrastructure;
using GpuCloud.Generated.Fluidstack.Management;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests.Support;

/// <summary>One recorded exchange (the body is buffered).</summary>
public sealed record Exchange(HttpMethod Method, Uri Uri, int Status, string Body);

/// <summary>Buffers and records every response that passes through it.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly List<Exchange> _exchanges = new();

    public IReadOnlyList<Exchange> Exchanges
    {
        get
        {
            lock (_exchanges) return _exchanges.ToArray();
        }
    }

    public Exchange Last => Exchanges[^1];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        lock (_exchanges) _exchanges.Add(new Exchange(request.Method, request.RequestUri!, (int)response.StatusCode, body));
        return response;
    }
}

/// <summary>
/// One sandbox per fixture on a free loopback port, with a <see cref="TrackedClock"/> (the library's FakeTimeProvider, plus waiting for a timer) and the default (2 s)
/// delays, reset before every test (so each test starts from the seeded state). Lifecycle tests move time explicitly
/// and never sleep.
/// </summary>
public abstract class SandboxTestBase
{
    protected const string EuNorth = "eu-north-1";
    protected const string UsEast = "us-east-2";

    private readonly List<HttpClient> _clients = new();

    protected SandboxServer Server { get; private set; } = null!;
    protected TrackedClock Clock { get; private set; } = null!;
    protected RecordingHandler Recorder { get; private set; } = null!;

    /// <summary>A plain client on the sandbox root with no credentials.</summary>
    protected HttpClient Http { get; private set; } = null!;

    protected virtual void Configure(SandboxOptions options)
    {
    }

    [OneTimeSetUp]
    public async Task StartSandboxAsync()
    {
        Clock = new TrackedClock(new DateTimeOffset(2026, 2, 7, 14, 42, 29, TimeSpan.Zero));
        var options = new SandboxOptions { TimeProvider = Clock };
        Configure(options);
        Server = await SandboxServer.StartAsync(options);
    }

    [OneTimeTearDown]
    public async Task StopSandboxAsync() => await Server.DisposeAsync();

    [SetUp]
    public void ResetSandbox()
    {
        Server.Reset();
        Clock.ForgetArmedTimers();
        Recorder = new RecordingHandler();
        Http = NewClient(new SocketsHttpHandler());
    }

    [TearDown]
    public void DisposeClients()
    {
        foreach (var client in _clients) client.Dispose();
        _clients.Clear();
        Http.Dispose();
        Recorder.Dispose();
    }

    protected HttpClient NewClient(HttpMessageHandler handler, bool disposeHandler = true)
    {
        var client = new HttpClient(handler, disposeHandler) { BaseAddress = Server.BaseUrl, Timeout = HangGuard.Limit };
        _clients.Add(client);
        return client;
    }

    // ------------------------------------------------------------------------------- generated clients

    protected FluenceClient FluenceClient()
    {
        var http = NewClient(Recorder, disposeHandler: false);
        http.DefaultRequestHeaders.Add("X-API-KEY", Server.FluenceApiKey);
        return new FluenceClient(http) { BaseUrl = Server.FluenceBaseUrl.ToString() };
    }

    protected FluidstackManagementClient ManagementClient(string? token = null)
    {
        var http = NewClient(Recorder, disposeHandler: false);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Server.FluidstackToken);
        return new FluidstackManagementClient(http) { BaseUrl = Server.FluidstackManagementUrl.ToString() };
    }

    protected FluidstackInfrastructureClient InfrastructureClient(string region = EuNorth, string? token = null)
    {
        var http = NewClient(Recorder, disposeHandler: false);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Server.FluidstackToken);
        return new FluidstackInfrastructureClient(http) { BaseUrl = Server.FluidstackInfrastructureUrl(region).ToString() };
    }

    // ------------------------------------------------------------------------------------ raw requests

    protected static string Infra(string region, string path) => $"fluidstack/regions/{region}/api/v1alpha1/{path}";

    protected static string Management(string path) => $"fluidstack/api/v1alpha1/{path}";

    protected Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? json = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            var text = json as string ?? JsonConvert.SerializeObject(json);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>A Fluence request with the sandbox's API key.</summary>
    protected Task<HttpResponseMessage> FluenceAsync(HttpMethod method, string path, object? json = null) =>
        SendAsync(method, path, json, r => r.Headers.Add("X-API-KEY", Server.FluenceApiKey));

    /// <summary>A Fluidstack request with the static token and (unless null) the sandbox's project.</summary>
    protected Task<HttpResponseMessage> FluidstackAsync(HttpMethod method, string path, object? json = null, bool withProject = true, string? token = null) =>
        SendAsync(method, path, json, r =>
        {
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Server.FluidstackToken);
            if (withProject) r.Headers.Add("X-PROJECT-ID", Server.FluidstackProjectId.ToString());
        });

    /// <summary>Parses JSON keeping date strings as strings (exactly as sent).</summary>
    protected static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JToken.ReadFrom(reader);
    }

    protected static async Task<JToken> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? JValue.CreateNull() : Parse(body);
    }

    protected void Advance(double seconds) => Clock.Advance(TimeSpan.FromSeconds(seconds));

    // ------------------------------------------------------------------------------------ catalog picks

    protected async Task<JObject> ContainerPlanAsync(Func<JObject, bool>? where = null)
    {
        var plans = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/"), HttpStatusCode.OK);
        var items = plans.Cast<JObject>().Where(where ?? (_ => true));
        return items.OrderBy(p => (decimal)p["plan"]!["pricing"]!["hour"]!).First();
    }

    protected async Task<JObject> VmOptionAsync(bool bareMetal = false)
    {
        var plans = await ExpectAsync(await FluenceAsync(HttpMethod.Get, bareMetal ? "gpu/plans/baremetal" : "gpu/plans/vms"), HttpStatusCode.OK);
        return plans["data"]!.SelectMany(g => g["availability_by_number"]!).SelectMany(a => a["options"]!).Cast<JObject>()
            .OrderBy(o => (decimal)o["pricing"]!["hour"]!).First();
    }

    protected static object ContainerBody(string planId, string name = "my-gpu-container", string? sshKey = null, object? expose = null) => new
    {
        plan_id = planId,
        name,
        container_settings = new
        {
            image = "docker.io/fluencelabs/debian-ssh-root:11",
            expose = expose ?? new[] { new { port = "22", protocol = "tcp" } },
        },
        ssh_key = sshKey ?? SshKeys.Ed25519(),
    };

    protected async Task<string> DeployContainerAsync(string name = "my-gpu-container")
    {
        var plan = await ContainerPlanAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody((string)plan["plan"]!["id"]!, name)), HttpStatusCode.OK);
        return (string)body["instance_id"]!;
    }

    protected async Task<string> DeployVmAsync(string name = "my-gpu-vm", bool bareMetal = false)
    {
        var option = await VmOptionAsync(bareMetal);
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, bareMetal ? "gpu/instances/baremetal" : "gpu/instances/vms", new
        {
            plan_id = (string)option["id"]!,
            name,
            ssh_key = SshKeys.Ed25519(),
            os_image = (string)option["os_options"]![0]!,
        }), HttpStatusCode.OK);
        return (string)body["instance_id"]!;
    }

    protected async Task<JObject> CreateFluidstackInstanceAsync(string region = EuNorth, string type = "cpu.2x", string name = "instance-1", object? extra = null)
    {
        var body = JObject.FromObject(new { name, type });
        if (extra is not null) body.Merge(JObject.FromObject(extra));
        return (JObject)await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(region, "instances"), body.ToString()), HttpStatusCode.Created);
    }
}
