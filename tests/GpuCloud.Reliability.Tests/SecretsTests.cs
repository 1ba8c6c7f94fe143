using System.Collections.Concurrent;
using System.Diagnostics;
using GpuCloud.DependencyInjection;
using GpuCloud.Errors;
using GpuCloud.Instances;
using GpuCloud.Plans;
using GpuCloud.Providers.Fluence;
using GpuCloud.Providers.Fluidstack;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Reliability.Tests;

/// <summary>
/// Runs operations on their success and failure paths (401/403, 5xx with retries, timeouts, token endpoint failures,
/// validation errors) with recognizable secrets, capturing every log line at Trace (direct and through dependency
/// injection with <c>IHttpClientFactory</c> logging), every activity, every exception's Message and ToString(), and
/// every options and request ToString(); none may contain a secret.
/// </summary>
/// <remarks>
/// The CLI part is not covered here: <c>CliApp.RunAsync</c> and <c>CliIo</c> are internal and visible only to
/// GpuCloud.Cli.Tests, so the CLI cannot be driven in-process from this project.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class SecretsTests
{
    private const string ApiKey = "rel-fluence-KEY-0451";
    private const string ClientSecret = "rel-client-SECRET-9187";
    private const string StaticToken = "rel-static-TOKEN-3310";
    private const string WrongKey = "rel-wrong-KEY-7710";
    private const string WrongSecret = "rel-wrong-SECRET-2208";
    private const string WrongToken = "rel-wrong-TOKEN-5521";
    private const string RegistryPassword = "rel-registry-PASS-7741";
    private const string UserDataSecret = "rel-userdata-SECRET-5520";
    private const string EnvironmentSecret = "rel-env-SECRET-6602";

    private static readonly string[] Secrets =
        [ApiKey, ClientSecret, StaticToken, WrongKey, WrongSecret, WrongToken, RegistryPassword, UserDataSecret, EnvironmentSecret];

    private SandboxServer _sandbox = null!;
    private readonly ConcurrentQueue<string> _texts = new();
    private readonly CapturingLogs _logs = new();
    private int _exceptions;
    private int _successes;

    [OneTimeSetUp]
    public async Task StartAsync() => _sandbox = await Sandboxes.StartAsync(o =>
    {
        o.FluenceApiKey = ApiKey;
        o.FluidstackClientSecret = ClientSecret;
        o.FluidstackToken = StaticToken;
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    private void Text(object? value)
    {
        if (value is not null) _texts.Enqueue(value.ToString() ?? "");
    }

    /// <summary>Runs one operation, keeping the result's and any exception's text (Message and ToString, inner ones included).</summary>
    private async Task Run(string what, Func<Task<object?>> operation)
    {
        try
        {
            Text(await operation());
            Interlocked.Increment(ref _successes);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _exceptions);
            _texts.Enqueue($"{what}: {ex.Message}");
            _texts.Enqueue(ex.ToString());
            for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException) _texts.Enqueue(inner.Message);
            if (ex is GpuCloudException g)
            {
                Text(g.ProviderMessage);
                Text(g.Field);
                foreach (var attempt in g.Attempts) Text(attempt);
            }
        }
    }

    private Task Run(string what, Func<Task> operation) => Run(what, async () => { await operation(); return null; });

    private GpuCloudOptions Options(Action<GpuCloudOptions>? change = null)
    {
        var o = Clients.Options(_sandbox);
        o.Fluence.ApiKey = ApiKey;
        o.Fluidstack.ClientSecret = ClientSecret;
        change?.Invoke(o);
        Text(o);
        Text(o.Fluence);
        Text(o.Fluidstack);
        return o;
    }

    [Test]
    public async Task No_secret_reaches_a_log_an_exception_or_a_ToString()
    {
        var activities = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "GpuCloud",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => activities.Enqueue($"{a.DisplayName} {a.StatusDescription} {string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}"),
        };
        ActivitySource.AddActivityListener(listener);

        await RunClientCredentialsAsync();
        await RunStaticTokenAsync();
        await RunWrongCredentialsAsync();
        await RunValidationErrorsAsync();
        await RunThroughDependencyInjectionAsync();

        // IHttpClientFactory's header events keep the raw header values in their structured state: a known bug with its own
        // test (Dependency_injection_keeps_secrets_out_of_structured_log_state); their formatted lines are checked here.
        var logTexts = _logs.All.Where(t => !IsFactoryHeaderState(t)).Select(t => t.Text);
        var all = _texts.Concat(logTexts).Concat(activities).ToArray();
        using (Assert.EnterMultipleScope())
        {
            // Every path ran and was captured: the assertions below can fail.
            Assert.That(_successes, Is.GreaterThan(20), "successful operations");
            Assert.That(_exceptions, Is.GreaterThan(15), "failed operations");
            Assert.That(_logs.Entries, Is.GreaterThan(50), "log entries captured");
            Assert.That(_logs.Texts, Has.Some.Contains("failed with"), "failed attempts were logged");
            Assert.That(_logs.Texts, Has.None.Contains("System.Net.Http.HttpClient.GpuCloud."), "IHttpClientFactory's own logging is removed from the GpuCloud clients");
            Assert.That(activities, Is.Not.Empty, "activities captured");
            Assert.That(_sandbox.Inventory.LiveInstances(), Is.Empty, "everything created was deleted");
            foreach (var secret in Secrets)
                Assert.That(all.Where(t => t.Contains(secret, StringComparison.Ordinal)).Take(3), Is.Empty, $"texts containing {secret[..12]}...");
            Assert.That(all.Where(t => t.Contains("eyJ", StringComparison.Ordinal)).Take(3), Is.Empty, "texts containing an issued JWT");
            Assert.That(all.Where(t => t.Contains("Bearer ", StringComparison.Ordinal) && !t.Contains("Bearer [", StringComparison.Ordinal)).Take(3), Is.Empty, "texts containing a bearer header");
        }
        TestContext.Out.WriteLine($"secrets: {_successes} successes, {_exceptions} failures, {_logs.Entries} log entries, {activities.Count} activities, {all.Length} texts checked");
    }

    private static bool IsFactoryHeaderState(LogText t) =>
        t.Part == "state" && t.Category.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) && t.EventId is 102 or 103;

    [Test]
    public async Task Dependency_injection_keeps_secrets_out_of_structured_log_state()
    {
        var logs = new CapturingLogs();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddGpuCloud(o =>
        {
            var s = Options();
            o.Fluence = s.Fluence;
            o.Fluidstack = s.Fluidstack;
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<GpuCloudClient>();
            await client.ListInstancesAsync();
        }

        var state = logs.All.Where(t => t.Part == "state").ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logs.All.Where(IsFactoryHeaderState), Is.Empty, "IHttpClientFactory's header logging is removed from the GpuCloud clients");
            Assert.That(state.Where(t => t.Text.Contains(ApiKey, StringComparison.Ordinal)).Select(t => t.ToString()).Take(2), Is.Empty, "structured values holding the API key");
            Assert.That(state.Where(t => t.Text.Contains("Bearer eyJ", StringComparison.Ordinal)).Select(t => t.ToString()[..80]).Take(2), Is.Empty, "structured values holding a bearer token");
        }
    }

    private async Task RunClientCredentialsAsync()
    {
        _sandbox.Reset();
        using var client = new GpuCloudClient(Options(), _logs, TimeProvider.System);
        var plan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] })).Plans[0];
        Text(plan);

        var fluenceRequest = Clients.FluenceRequest(plan, "secret-fl") with
        {
            Container = new ContainerSettings
            {
                Image = Clients.Image,
                Environment = new Dictionary<string, string> { ["API_TOKEN"] = EnvironmentSecret },
                Registry = new RegistryCredentials("docker.io", "someone", RegistryPassword),
            },
        };
        var fluidstackRequest = Clients.FluidstackRequest("secret-fs") with
        {
            UserData = $"#cloud-config\nwrite_files:\n  - path: /etc/secret\n    content: {UserDataSecret}\n",
            Tags = new Dictionary<string, string> { ["team"] = "reliability" },
        };
        Text(fluenceRequest);
        Text(fluenceRequest.Container);
        Text(fluenceRequest.Container!.Registry);
        Text(fluidstackRequest);

        await Run("plans", async () => await client.ListPlansAsync());
        await Run("list", async () => await client.ListInstancesAsync());
        GpuInstance? fl = null, fs = null;
        await Run("create fluence", async () => fl = await client.CreateInstanceAsync(fluenceRequest));
        await Run("create fluidstack", async () => fs = await client.CreateInstanceAsync(fluidstackRequest));
        await Run("get fluence", async () => await client.GetInstanceAsync("fluence", fl!.Id));
        await Run("get fluidstack", async () => await client.GetInstanceAsync("fluidstack", fs!.Id));
        await Run("wait", async () => await client.WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Running, TimeSpan.FromSeconds(5)));
        await Run("keys", async () => await client.ListSshKeysAsync());
        await Run("add key", async () => await client.AddSshKeyAsync("secret-key", Keys.Ecdsa256));

        // 5xx with retries that succeed, and 5xx that do not.
        _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/instances", "GET", count: 2));
        _sandbox.Faults.Add(FaultRule.Status(502, "/fluidstack/api/v1alpha1/instances", "GET", count: 2));
        await Run("list after 5xx", async () => await client.ListInstancesAsync());
        _sandbox.Faults.Add(FaultRule.Status(500, "/fluidstack/regions/", "POST"));
        await Run("create 500", async () => await client.CreateInstanceAsync(fluidstackRequest with { Name = "secret-fs-500" }));
        await Run("stop 500", async () => await client.StopInstanceAsync("fluidstack", fs!.Id));
        _sandbox.Faults.Clear();
        _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/instances"));
        await Run("create fluence 503", async () => await client.CreateInstanceAsync(fluenceRequest with { Name = "secret-fl-503" }));
        _sandbox.Faults.Clear();

        // Timeouts: a GET retried after a slow attempt, a POST that times out, a wait that runs out.
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromMilliseconds(1500), PathPrefix = "/v1/ssh_keys", Method = "GET", Count = 1 });
        await Run("keys after a slow attempt", async () => await client.ListSshKeysAsync("fluence"));
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromMilliseconds(1500), PathPrefix = "/fluidstack/regions/", Method = "POST", Count = 1 });
        await Run("stop timeout", async () => await client.StopInstanceAsync("fluidstack", fs!.Id));
        _sandbox.Faults.Clear();
        await Run("wait timeout", async () => await client.WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Terminated, TimeSpan.FromMilliseconds(100)));

        // Unreadable answers, including from the token endpoint (whose body may hold a token).
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, PathPrefix = "/gpu/instances/", Method = "GET", Count = 1 });
        await Run("get malformed", async () => await client.GetInstanceAsync("fluence", fl!.Id));
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HtmlError, PathPrefix = "/v1/ssh_keys" });
        await Run("keys html", async () => await client.ListSshKeysAsync("fluence"));
        _sandbox.Faults.Clear();
        using (var fresh = new GpuCloudClient(Options(), _logs, TimeProvider.System))
        {
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.TruncatedJson, PathPrefix = "/oauth/token", Count = 1 });
            await Run("token truncated", async () => await fresh.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Add(FaultRule.Status(500, "/oauth/token", count: 1));
            await Run("token 500", async () => await fresh.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, PathPrefix = "/oauth/token", Count = 1 });
            await Run("token malformed", async () => await fresh.ListInstancesAsync("fluidstack"));
            // A 401 from the API: one refresh, one resend.
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET", count: 1));
            await Run("401 then refresh", async () => await fresh.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET"));
            await Run("401 always", async () => await fresh.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Clear();
        }

        // The failures above may have opened the circuits of this client: clean up with a fresh one.
        using var calm = new GpuCloudClient(Options(), _logs, TimeProvider.System);
        await Run("remove key", async () => await calm.RemoveSshKeyAsync("fluence", (await calm.ListSshKeysAsync("fluence")).Single(k => k.Name == "secret-key").Id));
        await Run("delete fluence", () => calm.DeleteInstanceAsync("fluence", fl!.Id));
        await Run("delete fluidstack", () => calm.DeleteInstanceAsync("fluidstack", fs!.Id));
        await Run("wait gone", async () => await calm.WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Terminated, TimeSpan.FromSeconds(5)));
    }

    private async Task RunStaticTokenAsync()
    {
        using var client = new GpuCloudClient(Options(o => { o.Fluidstack.Token = StaticToken; o.Fluidstack.ClientId = null; o.Fluidstack.ClientSecret = null; }), _logs, TimeProvider.System);
        await Run("static list", async () => await client.ListInstancesAsync("fluidstack"));
        await Run("static plans", async () => await client.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] }));
        _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/user/keys"));
        await Run("static 401", async () => await client.ListSshKeysAsync("fluidstack"));
        _sandbox.Faults.Clear();
    }

    private async Task RunWrongCredentialsAsync()
    {
        using var wrongKey = new GpuCloudClient(Options(o => o.Fluence.ApiKey = WrongKey), _logs, TimeProvider.System);
        await Run("wrong key list", async () => await wrongKey.ListInstancesAsync("fluence"));
        await Run("wrong key keys", async () => await wrongKey.ListSshKeysAsync("fluence"));
        await Run("wrong key plans", async () => await wrongKey.ListPlansAsync(new PlanQuery { Providers = ["fluence"] }));

        using var wrongSecret = new GpuCloudClient(Options(o => o.Fluidstack.ClientSecret = WrongSecret), _logs, TimeProvider.System);
        await Run("wrong secret", async () => await wrongSecret.ListInstancesAsync("fluidstack"));
        await Run("wrong secret plans", async () => await wrongSecret.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] }));

        using var wrongToken = new GpuCloudClient(Options(o => { o.Fluidstack.Token = WrongToken; o.Fluidstack.ClientSecret = null; }), _logs, TimeProvider.System);
        await Run("wrong token", async () => await wrongToken.ListInstancesAsync("fluidstack"));
        await Run("wrong token keys", async () => await wrongToken.AddSshKeyAsync("k", Keys.Ed25519, "fluidstack"));
    }

    private async Task RunValidationErrorsAsync()
    {
        using var client = new GpuCloudClient(Options(), _logs, TimeProvider.System);
        var request = Clients.FluidstackRequest("Bad Name!") with { UserData = "#cloud-config\n# " + UserDataSecret };
        Text(request);
        await Run("bad name", async () => await client.CreateInstanceAsync(request));
        await Run("bad registry", async () => await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "container:" + Guid.Empty, Name = "ok-name",
            Container = new ContainerSettings { Image = "quay.io/x", Registry = new RegistryCredentials("quay.io", "u", RegistryPassword), Environment = new Dictionary<string, string> { ["lower"] = EnvironmentSecret } },
        }));
        await Run("env secret with bad name", async () => await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "container:" + Guid.Empty, Name = "ok-name",
            Container = new ContainerSettings { Image = Clients.Image, Environment = new Dictionary<string, string> { ["SSH_PUBKEY"] = EnvironmentSecret } },
            SshPublicKeys = [Keys.Ed25519],
        }));
        await Run("secret as a key", async () => await client.AddSshKeyAsync("k", "ssh-ed25519 " + ApiKey));
        await Run("key with CRLF", () => { using var p = new FluenceProvider(new FluenceOptions { ApiKey = ApiKey + "\r\nX: 1", BaseUrl = _sandbox.FluenceBaseUrl }); return Task.CompletedTask; });
        await Run("token with CRLF", () => { using var p = new FluidstackProvider(new FluidstackOptions { Token = StaticToken + "\n", ManagementUrl = _sandbox.FluidstackManagementUrl }); return Task.CompletedTask; });
        await Run("secret over http", () => { using var c = new GpuCloudClient(new GpuCloudOptions { Fluidstack = { ClientId = "id", ClientSecret = ClientSecret, TokenUrl = new Uri("http://oauth.example/" + ClientSecret) } }); return Task.CompletedTask; });
    }

    private async Task RunThroughDependencyInjectionAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        services.AddGpuCloud(o =>
        {
            var s = Options();
            o.Fluence = s.Fluence;
            o.Fluidstack = s.Fluidstack;
            o.Resilience = s.Resilience;
            o.PollInterval = s.PollInterval;
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<GpuCloudClient>();
            await Run("di list", async () => await client.ListInstancesAsync());
            await Run("di keys", async () => await client.ListSshKeysAsync());
            _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/plans", count: 2));
            await Run("di plans", async () => await client.ListPlansAsync());
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET", count: 1));
            await Run("di 401", async () => await client.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Clear();
        }

        var bad = new ServiceCollection();
        bad.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        bad.AddGpuCloud(o => { o.Fluence.ApiKey = ApiKey + "\r\n"; o.Fluidstack.Token = "x"; o.Fluidstack.ClientSecret = ClientSecret; });
        await using var broken = bad.BuildServiceProvider();
        await Run("di invalid", () => { broken.GetRequiredService<GpuCloudClient>(); return Task.CompletedTask; });
    }
}
