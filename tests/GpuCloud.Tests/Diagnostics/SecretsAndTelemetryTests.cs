using System.Diagnostics;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// A mix of operations through GpuCloudClient (real providers, auth handlers and resilience handler over a
/// scripted primary handler), successes and failures alike, with every log line at Trace level and every
/// exception captured: no secret anywhere. Also: one activity and one gpucloud.operations measurement per
/// facade operation, tagged with operation, provider and outcome.
/// </summary>
public class SecretsAndTelemetryTests : PlumbingTest
{
    private const string TokenUrl = "https://auth.example.test/oauth/token";
    private const string CreatedName = "mix-created-1";
    private const string CreatedId = "0d6f1f7e-3c9a-4f59-9d7b-8f3a2c1b0e11";
    private const string NeverAnsweredId = "6a1d0c55-7d0e-4c1b-9a52-2f0e8b3c9d44";

    private static GpuCloudOptions Options()
    {
        var options = new GpuCloudOptions
        {
            Fluence = { ApiKey = FluenceKey, BaseUrl = new Uri(FluenceJson.Base) },
            Fluidstack =
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                TokenUrl = new Uri(TokenUrl),
                ProjectId = FluidstackJson.ProjectId,
            },
        };
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        options.Resilience.CircuitBreakerMinimumThroughput = 100;
        return options;
    }

    private static ScriptedHandler Script()
    {
        var http = new ScriptedHandler();
        http.On(HttpMethod.Post, TokenUrl, (_, call, _) => Task.FromResult(Response(HttpStatusCode.OK, TokenJson(call == 1 ? IssuedToken1 : IssuedToken2))));
        http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        http.On(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", Always(HttpStatusCode.OK, FluidstackJson.InstanceTypes));
        http.On(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", Always(HttpStatusCode.OK, FluidstackJson.Capacity));
        http.On(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, Always(HttpStatusCode.OK, $"[{FluidstackJson.ManagementInstance("sandbox")}]"));
        http.On(HttpMethod.Get, FluidstackJson.UserKeysUrl, (request, _, _) => Task.FromResult(request.Headers.Authorization?.Parameter == IssuedToken1
            ? Response(HttpStatusCode.Unauthorized, FluidstackJson.Error("token expired"))
            : Response(HttpStatusCode.OK, "[]")));
        http.On(HttpMethod.Get, FluenceJson.ContainerPlansUrl, Always(HttpStatusCode.OK, FluenceJson.ContainerPlans));
        http.On(HttpMethod.Get, FluenceJson.VmPlansUrl, Always(HttpStatusCode.InternalServerError, """{"detail": "plans backend down"}"""));
        http.On(HttpMethod.Get, FluenceJson.BareMetalPlansUrl, Always(HttpStatusCode.Unauthorized, """{"detail": "Not authenticated"}"""));
        // The create's answer is lost (504), but the instance it made is listed from then on.
        http.On(HttpMethod.Get, FluenceJson.ContainerInstancesUrl, (_, _, _) => Task.FromResult(Response(HttpStatusCode.OK,
            http.Sent(HttpMethod.Post, FluenceJson.ContainerInstancesUrl).Count == 0
                ? FluenceJson.ContainerInstances
                : FluenceJson.ContainerList(FluenceJson.ContainerInstance(CreatedId, CreatedName, "INITIALIZED")))));
        http.On(HttpMethod.Get, FluenceJson.VmInstancesUrl, Always(HttpStatusCode.OK, "[]"));
        http.On(HttpMethod.Get, FluenceJson.BareMetalInstancesUrl, Always(HttpStatusCode.OK, "[]"));
        http.On(HttpMethod.Post, FluenceJson.ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        // A list reads the details of its live rows (Fluence lists carry no SSH endpoint and no price).
        http.On(HttpMethod.Get, FluenceJson.ContainerInstancesUrl + FluenceJson.ActiveContainerId, Always(HttpStatusCode.OK, FluenceJson.ContainerDetail()));
        http.On(HttpMethod.Get, FluenceJson.ContainerInstancesUrl + CreatedId, Always(HttpStatusCode.OK, FluenceJson.ContainerDetail("INITIALIZED", CreatedId).Replace("fuchsia-hawk-4706", CreatedName, StringComparison.Ordinal)));
        http.On(HttpMethod.Get, FluenceJson.ContainerInstancesUrl + NeverAnsweredId, Hang);
        return http;
    }

    private static CreateInstanceRequest FluenceCreate(string name = CreatedName, string environmentName = "MODEL") => new()
    {
        Provider = "fluence",
        PlanId = "container:" + FluenceJson.H200PlanId,
        Name = name,
        SshPublicKeys = [TestKeys.Ed25519],
        Container = new ContainerSettings
        {
            Image = "ghcr.io/me/private:1",
            Environment = new Dictionary<string, string> { [environmentName] = RegistryPassword },
            Registry = new RegistryCredentials("ghcr.io", "me", RegistryPassword),
        },
    };

    /// <summary>Runs the mix; returns every exception it provoked.</summary>
    private async Task<List<Exception>> RunTheMix(GpuCloudClient client, TrackedClock clock)
    {
        var errors = new List<Exception>();
        async Task Expect<T>(Task task) where T : Exception => errors.Add(await FailsWith<T>(task));
        var shortHorizon = TimeSpan.FromSeconds(5);

        // Plan search: one Fluence endpoint 500 (retried), one 401; Fluidstack through a fresh OAuth token.
        var plans = await clock.RunAsync(client.ListPlansAsync(), shortHorizon);
        Assert.That(plans.Plans, Is.Not.Empty);
        Assert.That(plans.Failures.Select(f => f.Error.Code), Is.EquivalentTo(new[] { GpuCloudErrorCode.ProviderUnavailable, GpuCloudErrorCode.Unauthorized }));
        foreach (var failure in plans.Failures) errors.Add(Watch.Saw(failure.Error));

        // Fluidstack keys: the API refuses the first token (401), the client refreshes once and resends.
        await clock.RunAsync(client.ListSshKeysAsync("fluidstack"), shortHorizon);

        // Instances on both providers.
        var instances = await clock.RunAsync(client.ListInstancesAsync(), shortHorizon);
        Assert.That(instances, Has.Count.EqualTo(3));

        // A create whose outcome is unknown (504), found as the one instance with its name that was not there before.
        var created = await clock.RunAsync(client.CreateInstanceAsync(FluenceCreate()), shortHorizon);
        Assert.That(created.Id, Is.EqualTo("container:" + CreatedId));

        // A read that never answers: attempt timeouts, retries, then Timeout.
        await Expect<GpuCloudException>(clock.RunAsync(client.GetInstanceAsync("fluence", "container:" + NeverAnsweredId), TimeSpan.FromMinutes(3)));

        // Validation: an environment variable name Fluence refuses, with secrets in the request; nothing is sent.
        var sent = Watch.Logs.Records.Count;
        await Expect<GpuCloudException>(client.CreateInstanceAsync(FluenceCreate(environmentName: "bad name")));
        Assert.That(Watch.Logs.Records, Has.Count.EqualTo(sent), "nothing was sent, so nothing was logged");

        // Fluidstack: an instance id in a region that does not exist.
        await Expect<GpuCloudException>(clock.RunAsync(client.GetInstanceAsync("fluidstack", "nowhere/" + FluidstackJson.InstanceGuid), shortHorizon));

        // A provider that is not configured, and the caller's own cancellation.
        errors.Add(await FailsWith<GpuCloudException>(() => client.GetInstanceAsync("lambda", "x")));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Expect<OperationCanceledException>(client.ListInstancesAsync("fluence", cancelled.Token));
        return errors;
    }

    [Test]
    public async Task AMixOfOperationsAndFailures_NoSecretInAnyLogLineOrExceptionText()
    {
        var clock = new TrackedClock();
        var http = Script();
        var options = Options();
        using var client = new GpuCloudClient(options, clock, Watch.Logs.Factory, _ => http);

        var errors = await RunTheMix(client, clock);
        Watch.Saw(options.ToString());
        Watch.Saw(options.Fluence.ToString());
        Watch.Saw(options.Fluidstack.ToString());
        Watch.Saw(FluenceCreate().ToString());
        foreach (var instance in await client.ListInstancesAsync()) Watch.Saw(instance.ToString());

        var logs = Watch.Logs.Records;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors.OfType<GpuCloudException>().Select(e => e.Code), Is.SupersetOf(new[]
            {
                GpuCloudErrorCode.ProviderUnavailable, GpuCloudErrorCode.Unauthorized, GpuCloudErrorCode.Timeout, GpuCloudErrorCode.InvalidRequest,
                GpuCloudErrorCode.NotFound,
            }), "the mix provoked every kind of failure");
            Assert.That(logs.Count(e => e.Id.Id == 1001), Is.GreaterThan(20), "attempts were logged");
            Assert.That(logs.Select(e => e.Value("Status")), Does.Contain("500").And.Contain("401").And.Contain("504"));
            Assert.That(logs.Select(e => e.Category).Distinct(), Is.EquivalentTo(new[] { "GpuCloud.Http.fluence", "GpuCloud.Http.fluidstack" }));
            Assert.That(http.Requests.Select(r => r.Authorization), Does.Contain("Bearer " + IssuedToken2), "the refresh happened");
            Assert.That(http.Sent(HttpMethod.Post, TokenUrl).Select(r => r.Body).ToArray(), Has.Length.EqualTo(2).And.All.Contain("client_secret="), "the secret did travel, in the token requests only");
            Assert.That(Watch.TextCount, Is.GreaterThan(100));
            Assert.That(Watch.Leaks(), Is.Empty);
        }
    }

    [Test]
    public async Task EachFacadeOperation_RecordsAnActivity_AndAMeasurement_WithOperationProviderAndOutcome()
    {
        var clock = new TrackedClock();
        var http = Script();
        using var recorder = new DiagnosticsRecorder();
        using var client = new GpuCloudClient(Options(), clock, Watch.Logs.Factory, _ => http);

        await RunTheMix(client, clock);

        var activities = recorder.Activities;
        string? Tag(Activity a, string name) => a.GetTagItem(name)?.ToString();
        (string?, string?, string?) Tags(Activity a) => (Tag(a, "gpucloud.operation"), Tag(a, "gpucloud.provider"), Tag(a, "gpucloud.outcome"));
        var counted = recorder.Measurements.Where(m => m.Instrument == "gpucloud.operations")
            .Select(m => (m.Tag("gpucloud.operation"), m.Tag("gpucloud.provider"), m.Tag("gpucloud.outcome"))).ToArray();

        var expected = new (string?, string?, string?)[]
        {
            ("ListPlans", "fluence", "success"),
            ("ListPlans", "fluidstack", "success"),
            ("ListSshKeys", "fluidstack", "success"),
            ("ListInstances", "fluence", "success"),
            ("ListInstances", "fluidstack", "success"),
            ("CreateInstance", "fluence", "success"),
            ("GetInstance", "fluence", "Timeout"),
            ("CreateInstance", "fluence", "InvalidRequest"),
            ("GetInstance", "fluidstack", "NotFound"),
            ("ListInstances", "fluence", "cancelled"),
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(activities.Select(Tags), Is.EquivalentTo(expected));
            Assert.That(activities.Select(a => a.OperationName), Is.All.StartsWith("GpuCloud."));
            Assert.That(activities.Where(a => Tag(a, "gpucloud.outcome") is "Timeout" or "InvalidRequest" or "NotFound").Select(a => a.Status),
                Is.All.EqualTo(ActivityStatusCode.Error));
            Assert.That(counted, Is.EquivalentTo(expected.Select(e => (e.Item1, e.Item2 ?? "all", e.Item3))));
            Assert.That(recorder.Measurements.Count(m => m.Instrument == "gpucloud.operation.duration"), Is.EqualTo(expected.Length));
            Assert.That(recorder.Measurements.Where(m => m.Instrument == "gpucloud.operation.duration").Select(m => m.Value), Is.All.GreaterThanOrEqualTo(0));
        }
    }

    [Test]
    public async Task SshKeyOperations_AreFacadeOperationsToo()
    {
        var clock = new TrackedClock();
        var http = Script();
        http.On(HttpMethod.Get, FluenceJson.SshKeysUrl, Always(HttpStatusCode.OK, FluenceJson.SshKeyPage(0, 1,
            FluenceJson.SshKey(FluenceJson.DocKeyId, "laptop", TestKeys.Ed25519, fingerprint: TestKeys.Ed25519Fingerprint))));
        http.On(HttpMethod.Delete, FluenceJson.SshKeysUrl + "/" + FluenceJson.DocKeyId, Always(HttpStatusCode.NoContent));
        using var recorder = new DiagnosticsRecorder();
        using var client = new GpuCloudClient(Options(), clock, Watch.Logs.Factory, _ => http);

        await clock.RunAsync(client.ListSshKeysAsync("fluence"), TimeSpan.FromSeconds(5));
        await clock.RunAsync(client.AddSshKeyAsync("laptop", TestKeys.Ed25519, "fluence"), TimeSpan.FromSeconds(5));
        await clock.RunAsync(client.RemoveSshKeyAsync("fluence", FluenceJson.DocKeyId), TimeSpan.FromSeconds(5));

        var operations = recorder.Activities.Select(a => a.GetTagItem("gpucloud.operation")?.ToString()).ToArray();
        Assert.That(operations, Has.Length.EqualTo(3), "one activity per facade call");
        Assert.That(recorder.Measurements.Count(m => m.Instrument == "gpucloud.operations"), Is.EqualTo(3));
    }
}
