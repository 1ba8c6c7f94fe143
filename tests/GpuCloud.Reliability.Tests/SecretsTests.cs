using System.Collections.Concurrent;
using System.Diagnostics;
using GpuCloud;
using GpuCloud.Providers;
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
/// Each operation is checked on its own: the outcome it must have (success, or the exact error code), and no secret in
/// its texts and the log lines it wrote, so an operation that fails early cannot shrink what is checked unnoticed.
/// The CLI's output is checked by GpuCloud.Cli.Tests/CliSecretsTests.cs (<c>CliApp</c> is internal, visible to that project only).
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

    private const string Ok = "ok";
    private const string Argument = nameof(ArgumentException);
    private const string Invalid = nameof(GpuCloudErrorCode.InvalidRequest);
    private const string OptionsInvalid = nameof(Microsoft.Extensions.Options.OptionsValidationException);

    private static string Fails(GpuCloudErrorCode code) => code.ToString();

    /// <summary>A plan search that returns, listing these providers' failures.</summary>
    private static string SearchFails(GpuCloudErrorCode code) => "not searched: " + code;

    /// <summary>One operation: what it had to end with, what it ended with, and every text it produced.</summary>
    private sealed record OperationRecord(string What, string Expected, string Actual, int LogTexts, IReadOnlyList<string> Texts);

    private SandboxServer _sandbox = null!;
    private readonly ConcurrentQueue<string> _texts = new();
    private readonly TestLogs _logs = new();
    private readonly List<OperationRecord> _operations = [];

    [OneTimeSetUp]
    public async Task StartAsync() => _sandbox = await Sandboxes.StartAsync(o =>
    {
        o.FluenceApiKey = ApiKey;
        o.FluidstackClientSecret = ClientSecret;
        o.FluidstackToken = StaticToken;
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    /// <summary>
    /// Runs one operation and records its outcome with every text it produced: the result's ToString (a plan search's
    /// failures included), any exception's Message and ToString (inner ones, provider message, field and attempts
    /// included) and the log lines written meanwhile (operations run one at a time).
    /// </summary>
    private async Task Run(string what, string expected, Func<Task<object?>> operation)
    {
        var texts = new List<string>();
        void Add(object? value)
        {
            if (value is not null) texts.Add(value.ToString() ?? "");
        }
        void AddException(Exception ex)
        {
            texts.Add($"{what}: {ex.Message}");
            texts.Add(ex.ToString());
            for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException) texts.Add(inner.Message);
            if (ex is GpuCloudException g)
            {
                Add(g.ProviderMessage);
                Add(g.Field);
                foreach (var attempt in g.Attempts) Add(attempt);
            }
        }

        var logsBefore = _logs.All.Count;
        string actual;
        try
        {
            var result = await operation();
            Add(result);
            actual = Ok;
            if (result is PlanSearchResult { Failures.Count: > 0 } search)
            {
                foreach (var failure in search.Failures) AddException(failure.Error);
                actual = "not searched: " + string.Join(", ", search.Failures.Select(f => f.Error.Code).Distinct());
            }
        }
        catch (GpuCloudException ex)
        {
            AddException(ex);
            actual = ex.Code.ToString();
        }
        catch (ArgumentException ex)
        {
            AddException(ex);
            actual = Argument;
        }
        catch (Exception ex)
        {
            AddException(ex);
            actual = ex.GetType().Name;
        }
        var logs = _logs.All.Skip(logsBefore).Select(t => t.Text).ToArray();
        _operations.Add(new OperationRecord(what, expected, actual, logs.Length, [.. texts, .. logs]));
    }

    private Task Run(string what, string expected, Func<Task> operation) => Run(what, expected, async () => { await operation(); return null; });

    private void Text(object? value)
    {
        if (value is not null) _texts.Enqueue(value.ToString() ?? "");
    }

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
    public async Task NoSecretReachesALogAnExceptionOrAToString()
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

        var activityTexts = activities.ToArray();
        var setupTexts = _texts.ToArray();
        TestContext.Out.WriteLine($"secrets: {_operations.Count} operations ({_operations.Count(o => o.Expected == Ok)} expected to succeed), {_logs.Entries} log entries, {activityTexts.Length} activities");
        foreach (var op in _operations) TestContext.Out.WriteLine($"  {op.What}: {op.Actual} ({op.LogTexts} log texts, {op.Texts.Count} texts in all)");
        using (Assert.EnterMultipleScope())
        {
            // Per operation: the outcome it must have, and none of the secrets in what it produced.
            foreach (var op in _operations)
            {
                Assert.That(op.Actual, Is.EqualTo(op.Expected), $"{op.What}: outcome");
                Assert.That(op.Texts, Is.Not.Empty, $"{op.What}: texts checked");
                // A refusal before sending writes no attempt; anything else was sent, so its attempts were logged and checked.
                if (op.Expected is Argument or Invalid or OptionsInvalid)
                    Assert.That(op.LogTexts, Is.Zero, $"{op.What}: attempts logged");
                else
                    Assert.That(op.LogTexts, Is.Positive, $"{op.What}: attempts logged");
                foreach (var secret in Secrets)
                    Assert.That(op.Texts.Where(t => t.Contains(secret, StringComparison.Ordinal)).Take(2), Is.Empty, $"{op.What}: texts containing {secret[..12]}...");
                Assert.That(op.Texts.Where(t => t.Contains("eyJ", StringComparison.Ordinal)).Take(2), Is.Empty, $"{op.What}: texts containing an issued JWT");
                Assert.That(op.Texts.Where(t => t.Contains("Bearer ", StringComparison.Ordinal) && !t.Contains("Bearer [", StringComparison.Ordinal)).Take(2), Is.Empty,
                    $"{op.What}: texts containing a bearer header");
            }

            // Outside the operations: options and requests ToString, every log line (structured values included; the
            // framework's own header logging is removed, see the test below), every activity.
            var all = setupTexts.Concat(_logs.All.Select(t => t.Text)).Concat(activityTexts).ToArray();
            foreach (var secret in Secrets)
                Assert.That(all.Where(t => t.Contains(secret, StringComparison.Ordinal)).Take(3), Is.Empty, $"texts containing {secret[..12]}...");
            Assert.That(all.Where(t => t.Contains("eyJ", StringComparison.Ordinal)).Take(3), Is.Empty, "texts containing an issued JWT");
            Assert.That(setupTexts, Has.Length.GreaterThan(10), "options and requests ToString checked");
            Assert.That(_logs.Texts, Has.Some.Contains("failed with"), "failed attempts were logged");
            Assert.That(_logs.Texts, Has.None.Contains("System.Net.Http.HttpClient.GpuCloud."), "IHttpClientFactory's own logging is removed from the GpuCloud clients");
            Assert.That(activityTexts, Is.Not.Empty, "activities captured");
            Assert.That(_sandbox.Inventory.LiveInstances(), Is.Empty, "everything created was deleted");
        }
    }

    private static bool IsFactoryHeaderState(LogText t) =>
        t.Part == "state" && t.Category.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) && t.EventId is 102 or 103;

    [Test]
    public async Task DependencyInjectionKeepsSecretsOutOfStructuredLogState()
    {
        using var logs = new TestLogs();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs.Provider).SetMinimumLevel(LogLevel.Trace));
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
        using var client = new GpuCloudClient(Options(), _logs.Factory, TimeProvider.System);
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

        await Run("plans", Ok, async () => await client.ListPlansAsync());
        await Run("list", Ok, async () => await client.ListInstancesAsync());
        GpuInstance? fl = null, fs = null;
        await Run("create fluence", Ok, async () => fl = await client.CreateInstanceAsync(fluenceRequest));
        await Run("create fluidstack", Ok, async () => fs = await client.CreateInstanceAsync(fluidstackRequest));
        await Run("get fluence", Ok, async () => await client.GetInstanceAsync("fluence", fl!.Id));
        await Run("get fluidstack", Ok, async () => await client.GetInstanceAsync("fluidstack", fs!.Id));
        await Run("wait", Ok, async () => await client.WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Running, HangGuard.Limit));
        await Run("keys", Ok, async () => await client.ListSshKeysAsync());
        await Run("add key", Ok, async () => await client.AddSshKeyAsync("secret-key", Keys.Ecdsa256));

        // Each fault below gets a client of its own: an earlier failure may have opened a client's circuit, and an
        // operation failing fast on an open circuit would not take the path it is named for.
        var clients = new List<GpuCloudClient>();
        GpuCloudClient Fresh()
        {
            var c = new GpuCloudClient(Options(Clients.ShortAttempts), _logs.Factory, TimeProvider.System);
            clients.Add(c);
            return c;
        }
        try
        {
            // 5xx with retries that succeed, and 5xx that do not.
            _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/instances", "GET", count: 2));
            _sandbox.Faults.Add(FaultRule.Status(502, "/fluidstack/api/v1alpha1/instances", "GET", count: 2));
            await Run("list after 5xx", Ok, async () => await Fresh().ListInstancesAsync());
            _sandbox.Faults.Add(FaultRule.Status(500, "/fluidstack/regions/", "POST"));
            await Run("create 500", Fails(GpuCloudErrorCode.ProviderUnavailable), async () => await Fresh().CreateInstanceAsync(fluidstackRequest with { Name = "secret-fs-500" }));
            await Run("stop 500", Fails(GpuCloudErrorCode.ProviderUnavailable), async () => await Fresh().StopInstanceAsync("fluidstack", fs!.Id));
            _sandbox.Faults.Clear();
            _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/instances"));
            await Run("create fluence 503", Fails(GpuCloudErrorCode.ProviderUnavailable), async () => await Fresh().CreateInstanceAsync(fluenceRequest with { Name = "secret-fl-503" }));
            _sandbox.Faults.Clear();

            // Timeouts: a GET retried after a slow attempt, a POST that times out, a wait that runs out.
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = Clients.Forever, PathPrefix = "/v1/ssh_keys", Method = "GET", Count = 1 });
            await Run("keys after a slow attempt", Ok, async () => await Fresh().ListSshKeysAsync("fluence"));
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = Clients.Forever, PathPrefix = "/fluidstack/regions/", Method = "POST", Count = 1 });
            await Run("stop timeout", Fails(GpuCloudErrorCode.Timeout), async () => await Fresh().StopInstanceAsync("fluidstack", fs!.Id));
            _sandbox.Faults.Clear();
            await Run("wait timeout", Fails(GpuCloudErrorCode.Timeout), async () => await Fresh().WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Terminated, TimeSpan.FromMilliseconds(100)));

            // Unreadable answers, including from the token endpoint (whose body may hold a token).
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, PathPrefix = "/gpu/instances/", Method = "GET", Count = 1 });
            await Run("get malformed", Fails(GpuCloudErrorCode.InvalidResponse), async () => await Fresh().GetInstanceAsync("fluence", fl!.Id));
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HtmlError, PathPrefix = "/v1/ssh_keys" });
            await Run("keys html", Fails(GpuCloudErrorCode.ProviderUnavailable), async () => await Fresh().ListSshKeysAsync("fluence"));
            _sandbox.Faults.Clear();
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.TruncatedJson, PathPrefix = "/oauth/token", Count = 1 });
            await Run("token truncated", Fails(GpuCloudErrorCode.InvalidResponse), async () => await Fresh().ListInstancesAsync("fluidstack"));
            // Asking for a token changes nothing at the server: its 500 is retried like a GET's (issue 25), and the call succeeds.
            _sandbox.Faults.Add(FaultRule.Status(500, "/oauth/token", count: 1));
            var afterTokenFailure = Fresh();
            await Run("token 500", Ok, async () => await afterTokenFailure.ListInstancesAsync("fluidstack"));
            await Run("token after a 500", Ok, async () => await afterTokenFailure.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, PathPrefix = "/oauth/token", Count = 1 });
            await Run("token malformed", Fails(GpuCloudErrorCode.InvalidResponse), async () => await Fresh().ListInstancesAsync("fluidstack"));
            // A 401 from the API: one refresh, one resend.
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET", count: 1));
            await Run("401 then refresh", Ok, async () => await Fresh().ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET"));
            await Run("401 always", Fails(GpuCloudErrorCode.Unauthorized), async () => await Fresh().ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Clear();
        }
        finally
        {
            _sandbox.Faults.Clear();
            foreach (var c in clients) c.Dispose();
        }

        // Clean up with a client that saw no fault.
        using var calm = new GpuCloudClient(Options(), _logs.Factory, TimeProvider.System);
        await Run("remove key", Ok, async () => await calm.RemoveSshKeyAsync("fluence", (await calm.ListSshKeysAsync("fluence")).Single(k => k.Name == "secret-key").Id));
        await Run("delete fluence", Ok, () => calm.DeleteInstanceAsync("fluence", fl!.Id));
        await Run("delete fluidstack", Ok, () => calm.DeleteInstanceAsync("fluidstack", fs!.Id));
        await Run("wait gone", Ok, async () => await calm.WaitForStateAsync("fluidstack", fs!.Id, InstanceState.Terminated, HangGuard.Limit));
    }

    private async Task RunStaticTokenAsync()
    {
        using var client = new GpuCloudClient(Options(o => { o.Fluidstack.Token = StaticToken; o.Fluidstack.ClientId = null; o.Fluidstack.ClientSecret = null; }), _logs.Factory, TimeProvider.System);
        await Run("static list", Ok, async () => await client.ListInstancesAsync("fluidstack"));
        await Run("static plans", Ok, async () => await client.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] }));
        _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/user/keys"));
        await Run("static 401", Fails(GpuCloudErrorCode.Unauthorized), async () => await client.ListSshKeysAsync("fluidstack"));
        _sandbox.Faults.Clear();
    }

    private async Task RunWrongCredentialsAsync()
    {
        using var wrongKey = new GpuCloudClient(Options(o => o.Fluence.ApiKey = WrongKey), _logs.Factory, TimeProvider.System);
        await Run("wrong key list", Fails(GpuCloudErrorCode.Unauthorized), async () => await wrongKey.ListInstancesAsync("fluence"));
        await Run("wrong key keys", Fails(GpuCloudErrorCode.Unauthorized), async () => await wrongKey.ListSshKeysAsync("fluence"));
        await Run("wrong key plans", SearchFails(GpuCloudErrorCode.Unauthorized), async () => await wrongKey.ListPlansAsync(new PlanQuery { Providers = ["fluence"] }));

        using var wrongSecret = new GpuCloudClient(Options(o => o.Fluidstack.ClientSecret = WrongSecret), _logs.Factory, TimeProvider.System);
        await Run("wrong secret", Fails(GpuCloudErrorCode.Unauthorized), async () => await wrongSecret.ListInstancesAsync("fluidstack"));
        await Run("wrong secret plans", SearchFails(GpuCloudErrorCode.Unauthorized), async () => await wrongSecret.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] }));

        using var wrongToken = new GpuCloudClient(Options(o => { o.Fluidstack.Token = WrongToken; o.Fluidstack.ClientSecret = null; }), _logs.Factory, TimeProvider.System);
        await Run("wrong token", Fails(GpuCloudErrorCode.Unauthorized), async () => await wrongToken.ListInstancesAsync("fluidstack"));
        await Run("wrong token keys", Fails(GpuCloudErrorCode.Unauthorized), async () => await wrongToken.AddSshKeyAsync("k", Keys.Ed25519, "fluidstack"));
    }

    private async Task RunValidationErrorsAsync()
    {
        using var client = new GpuCloudClient(Options(), _logs.Factory, TimeProvider.System);
        var request = Clients.FluidstackRequest("Bad Name!") with { UserData = "#cloud-config\n# " + UserDataSecret };
        Text(request);
        await Run("bad name", Fails(GpuCloudErrorCode.InvalidRequest), async () => await client.CreateInstanceAsync(request));
        await Run("bad registry", Fails(GpuCloudErrorCode.InvalidRequest), async () => await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "container:" + Guid.Empty, Name = "ok-name",
            Container = new ContainerSettings { Image = "quay.io/x", Registry = new RegistryCredentials("quay.io", "u", RegistryPassword), Environment = new Dictionary<string, string> { ["lower"] = EnvironmentSecret } },
        }));
        await Run("env secret with bad name", Fails(GpuCloudErrorCode.InvalidRequest), async () => await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "container:" + Guid.Empty, Name = "ok-name",
            Container = new ContainerSettings { Image = Clients.Image, Environment = new Dictionary<string, string> { ["SSH_PUBKEY"] = EnvironmentSecret } },
            SshPublicKeys = [Keys.Ed25519],
        }));
        await Run("secret as a key", Fails(GpuCloudErrorCode.InvalidRequest), async () => await client.AddSshKeyAsync("k", "ssh-ed25519 " + ApiKey));
        await Run("key with CRLF", Argument, () => { using var p = new FluenceProvider(new FluenceOptions { ApiKey = ApiKey + "\r\nX: 1", BaseUrl = _sandbox.FluenceBaseUrl }); return Task.CompletedTask; });
        await Run("token with CRLF", Argument, () => { using var p = new FluidstackProvider(new FluidstackOptions { Token = StaticToken + "\r\nX: 1", ManagementUrl = _sandbox.FluidstackManagementUrl }); return Task.CompletedTask; });
        await Run("secret over http", Argument, () => { using var c = new GpuCloudClient(new GpuCloudOptions { Fluidstack = { ClientId = "id", ClientSecret = ClientSecret, TokenUrl = new Uri("http://oauth.example/" + ClientSecret) } }); return Task.CompletedTask; });
    }

    private async Task RunThroughDependencyInjectionAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs.Provider).SetMinimumLevel(LogLevel.Trace));
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
            await Run("di list", Ok, async () => await client.ListInstancesAsync());
            await Run("di keys", Ok, async () => await client.ListSshKeysAsync());
            _sandbox.Faults.Add(FaultRule.Status(503, "/gpu/plans", count: 2));
            await Run("di plans", Ok, async () => await client.ListPlansAsync());
            _sandbox.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances", "GET", count: 1));
            await Run("di 401", Ok, async () => await client.ListInstancesAsync("fluidstack"));
            _sandbox.Faults.Clear();
        }

        var bad = new ServiceCollection();
        bad.AddLogging(b => b.AddProvider(_logs.Provider).SetMinimumLevel(LogLevel.Trace));
        bad.AddGpuCloud(o => { o.Fluence.ApiKey = ApiKey + "\r\nX: 1"; o.Fluidstack.Token = "x"; o.Fluidstack.ClientSecret = ClientSecret; });
        await using var broken = bad.BuildServiceProvider();
        await Run("di invalid", OptionsInvalid, () => { broken.GetRequiredService<GpuCloudClient>(); return Task.CompletedTask; });
    }
}
