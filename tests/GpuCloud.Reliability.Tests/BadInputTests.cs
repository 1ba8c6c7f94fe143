using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;

namespace GpuCloud.Reliability.Tests;

/// <summary>What a bad-input case needs: a composed client whose every attempt is recorded by <see cref="Transport"/>.</summary>
public sealed class BadInputRig(SandboxServer sandbox, Transport transport, GpuCloudClient client, GpuPlan fluencePlan)
{
    public SandboxServer Sandbox { get; } = sandbox;

    public Transport Transport { get; } = transport;

    public GpuCloudClient Client { get; } = client;

    public GpuPlan FluencePlan { get; } = fluencePlan;

    public FluenceOptions Fluence(Action<FluenceOptions>? change = null)
    {
        var o = new FluenceOptions { ApiKey = Sandbox.FluenceApiKey, BaseUrl = Sandbox.FluenceBaseUrl };
        change?.Invoke(o);
        return o;
    }

    public FluidstackOptions Fluidstack(Action<FluidstackOptions>? change = null)
    {
        var o = Clients.Options(Sandbox).Fluidstack;
        change?.Invoke(o);
        return o;
    }

    public GpuCloudOptions Options(Action<GpuCloudOptions> change)
    {
        var o = Clients.Options(Sandbox);
        change(o);
        return o;
    }
}

/// <summary>
/// One bad input: the field the error must name, and how to submit it. <see cref="Argument"/> cases expect an
/// <see cref="ArgumentException"/> (settings), the others a <see cref="GpuCloudException"/> with
/// <see cref="GpuCloudErrorCode.InvalidRequest"/>. Either way nothing may leave the machine.
/// </summary>
public sealed record BadInput(string Name, string Field, Func<BadInputRig, Task> Act)
{
    public bool Argument { get; init; }

    /// <summary>A secret value the error message must not repeat.</summary>
    public string? Secret { get; init; }

    /// <summary>The instance name of a create case: the sandbox must see no create request for it.</summary>
    public string? CreateName { get; init; }

    public override string ToString() => Name;
}

[TestFixture]
[NonParallelizable]
public sealed class BadInputTests
{
    private const string Fl = "fluence";
    private const string Fs = "fluidstack";
    private const string Guid1 = "0b6c3c0e-6a3e-4a53-9a2e-4a4c3b1f6d11";
    private const string GoodName = "bad-input";

    private static SandboxServer _sandbox = null!;
    private static GpuPlan _fluencePlan = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sandbox = await Sandboxes.StartAsync();
        _fluencePlan = await Clients.FluenceContainerPlanAsync(_sandbox);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    // Settings are refused when a provider or client is constructed, before anything could be sent. So that "nothing was
    // sent" can fail for them too, each is constructed over the recording transport and, were it accepted, used for one
    // call (listing SSH keys reaches every provider): a setting that slipped through would show as a recorded request.

    private static BadInput Option(string name, string field, Func<BadInputRig, IGpuCloudProvider> create, string? secret = null) =>
        new(name, field, async r =>
        {
            using var provider = (IDisposable)create(r);
            await ((IGpuCloudProvider)provider).ListSshKeysAsync();
        }) { Argument = true, Secret = secret };

    /// <summary>Options used the way <c>new GpuCloudClient(options)</c> uses them (same validation, same pipeline), over the recording transport.</summary>
    private static async Task UseAsync(BadInputRig r, GpuCloudOptions options)
    {
        using var composed = new Composed(options, r.Transport, null);
        await composed.Client.ListSshKeysAsync();
    }

    private static BadInput Settings(string name, string field, Action<GpuCloudOptions> change) =>
        new(name, field, r => UseAsync(r, r.Options(change))) { Argument = true };

    /// <summary>
    /// Variables read by <see cref="GpuCloudOptions.FromEnvironment(Func{string, string?})"/>. The others a provider needs
    /// come from <paramref name="variables"/> too, pointing at the sandbox, so a bad one ignored or accepted would be used.
    /// </summary>
    private static BadInput Environment(string name, string field, Func<SandboxServer, Dictionary<string, string>> variables) =>
        new(name, field, r =>
        {
            var set = variables(r.Sandbox);
            return UseAsync(r, GpuCloudOptions.FromEnvironment(v => set.GetValueOrDefault(v)));
        }) { Argument = true };

    private static Dictionary<string, string> FluenceVariables(SandboxServer s, string baseUrl) =>
        new() { ["FLUENCE_API_KEY"] = s.FluenceApiKey, ["FLUENCE_BASE_URL"] = baseUrl };

    private static Dictionary<string, string> FluidstackVariables(SandboxServer s) => new()
    {
        ["FLUIDSTACK_CLIENT_ID"] = s.FluidstackClientId, ["FLUIDSTACK_CLIENT_SECRET"] = s.FluidstackClientSecret,
        ["FLUIDSTACK_TOKEN_URL"] = s.FluidstackTokenUrl.ToString(), ["FLUIDSTACK_BASE_URL"] = s.FluidstackManagementUrl.ToString(),
        ["FLUIDSTACK_PROJECT_ID"] = s.FluidstackProjectId.ToString(),
    };

    private static Dictionary<string, string> With(Dictionary<string, string> variables, string name, string value)
    {
        variables[name] = value;
        return variables;
    }

    private static BadInput Fluence(string name, string field, Func<CreateInstanceRequest, CreateInstanceRequest> change) =>
        new(name, field, r => r.Client.CreateInstanceAsync(change(Clients.FluenceRequest(r.FluencePlan, GoodName)))) { CreateName = change(Clients.FluenceRequest(_fluencePlan ?? Placeholder, GoodName)).Name };

    private static BadInput Fluidstack(string name, string field, Func<CreateInstanceRequest, CreateInstanceRequest> change) =>
        new(name, field, r => r.Client.CreateInstanceAsync(change(Clients.FluidstackRequest(GoodName)))) { CreateName = change(Clients.FluidstackRequest(GoodName)).Name };

    private static BadInput Call(string name, string field, Func<GpuCloudClient, Task> call) => new(name, field, r => call(r.Client));

    private static BadInput Query(string name, string field, PlanQuery query) => Call(name, field, c => c.ListPlansAsync(query));

    private static readonly GpuPlan Placeholder = new() { Provider = Fl, Id = "container:x", Name = "x", Workload = WorkloadType.Container, Gpu = GpuSpec.None };

    private static ContainerSettings Container(Func<ContainerSettings, ContainerSettings> change) => change(new ContainerSettings { Image = Clients.Image });

    private static IReadOnlyDictionary<string, string> Env(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static readonly string LongName = new('a', 26);

    public static readonly BadInput[] Catalogue =
    [
        // ---- credentials and endpoints (settings: ArgumentException, nothing constructed)
        Option("API key with CRLF (header injection)", "Fluence.ApiKey", r => new FluenceProvider(r.Fluence(o => o.ApiKey = "rel-k3y-9\r\nX-Injected: 1"), r.Transport.Handler(Fl)), secret: "rel-k3y-9"),
        Option("API key with LF", "Fluence.ApiKey", r => new FluenceProvider(r.Fluence(o => o.ApiKey = "rel-k3y-9\nX: 1"), r.Transport.Handler(Fl)), secret: "rel-k3y-9"),
        Option("API key with NUL", "Fluence.ApiKey", r => new FluenceProvider(r.Fluence(o => o.ApiKey = "rel-k3y-9\0"), r.Transport.Handler(Fl)), secret: "rel-k3y-9"),
        Option("API key with non-ASCII", "Fluence.ApiKey", r => new FluenceProvider(r.Fluence(o => o.ApiKey = "rel-k3y-9-é"), r.Transport.Handler(Fl)), secret: "rel-k3y-9"),
        Option("static token with CRLF", "Fluidstack.Token", r => new FluidstackProvider(r.Fluidstack(o => { o.Token = "rel-t0k\r\nX: 1"; }), r.Transport.Handler(Fs)), secret: "rel-t0k"),
        Option("client secret with CR", "Fluidstack.ClientSecret", r => new FluidstackProvider(r.Fluidstack(o => o.ClientSecret = "rel-s3cret\rX"), r.Transport.Handler(Fs)), secret: "rel-s3cret"),
        Option("client secret whitespace only", "Fluidstack", r => new FluidstackProvider(r.Fluidstack(o => o.ClientSecret = "   "), r.Transport.Handler(Fs))),
        Option("Fluence base URL over plain http", "Fluence.BaseUrl", r => new FluenceProvider(r.Fluence(o => o.BaseUrl = new Uri("http://api.fluence.dev")), r.Transport.Handler(Fl))),
        Option("Fluence base URL ftp on loopback", "Fluence.BaseUrl", r => new FluenceProvider(r.Fluence(o => o.BaseUrl = new Uri("ftp://127.0.0.1/")), r.Transport.Handler(Fl))),
        Option("Fluence base URL relative", "Fluence.BaseUrl", r => new FluenceProvider(r.Fluence(o => o.BaseUrl = new Uri("/gpu", UriKind.Relative)), r.Transport.Handler(Fl))),
        Option("Fluidstack management URL over plain http", "Fluidstack.ManagementUrl", r => new FluidstackProvider(r.Fluidstack(o => o.ManagementUrl = new Uri("http://api.atlas.example/api/v1alpha1")), r.Transport.Handler(Fs))),
        Option("Fluidstack token URL over plain http", "Fluidstack.TokenUrl", r => new FluidstackProvider(r.Fluidstack(o => o.TokenUrl = new Uri("http://oauth.example/oauth/token")), r.Transport.Handler(Fs))),
        Option("Fluidstack region cache duration negative", "Fluidstack.RegionCacheDuration", r => new FluidstackProvider(r.Fluidstack(o => o.RegionCacheDuration = TimeSpan.FromSeconds(-1)), r.Transport.Handler(Fs))),
        Option("Fluidstack token refresh margin negative", "Fluidstack.TokenRefreshMargin", r => new FluidstackProvider(r.Fluidstack(o => o.TokenRefreshMargin = TimeSpan.FromSeconds(-1)), r.Transport.Handler(Fs))),
        Option("Fluidstack project id empty GUID", "Fluidstack.ProjectId", r => new FluidstackProvider(r.Fluidstack(o => o.ProjectId = Guid.Empty), r.Transport.Handler(Fs))),
        Settings("MaxRetries negative", "MaxRetries", o => o.Resilience.MaxRetries = -1),
        Settings("MaxRetries absurd", "MaxRetries", o => o.Resilience.MaxRetries = 1000),
        Settings("RetryBaseDelay zero", "RetryBaseDelay", o => o.Resilience.RetryBaseDelay = TimeSpan.Zero),
        Settings("AttemptTimeout negative", "AttemptTimeout", o => o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(-5)),
        Settings("TotalTimeout zero", "TotalTimeout", o => o.Resilience.TotalTimeout = TimeSpan.Zero),
        Settings("MaxRetryAfter negative", "MaxRetryAfter", o => o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(-1)),
        Settings("circuit breaker ratio zero", "CircuitBreakerFailureRatio", o => o.Resilience.CircuitBreakerFailureRatio = 0),
        Settings("circuit breaker ratio above one", "CircuitBreakerFailureRatio", o => o.Resilience.CircuitBreakerFailureRatio = 1.5),
        Settings("circuit breaker ratio NaN", "CircuitBreakerFailureRatio", o => o.Resilience.CircuitBreakerFailureRatio = double.NaN),
        Settings("AttemptTimeout of 1 ms", "AttemptTimeout", o => o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(1)),
        Settings("TotalTimeout of two days", "TotalTimeout", o => o.Resilience.TotalTimeout = TimeSpan.FromDays(2)),
        Settings("RetryBaseDelay of two days", "RetryBaseDelay", o => o.Resilience.RetryBaseDelay = TimeSpan.FromDays(2)),
        Settings("circuit break of two days", "CircuitBreakerBreakDuration", o => o.Resilience.CircuitBreakerBreakDuration = TimeSpan.FromDays(2)),
        Settings("circuit breaker throughput one", "CircuitBreakerMinimumThroughput", o => o.Resilience.CircuitBreakerMinimumThroughput = 1),
        Settings("PollInterval zero", "PollInterval", o => o.PollInterval = TimeSpan.Zero),
        Settings("ReadyTimeout negative", "ReadyTimeout", o => o.ReadyTimeout = TimeSpan.FromMinutes(-1)),
        Settings("CleanupTimeout zero", "CleanupTimeout", o => o.CleanupTimeout = TimeSpan.Zero),
        Settings("MaxCreateAttempts zero", "MaxCreateAttempts", o => o.MaxCreateAttempts = 0),
        Environment("FLUENCE_BASE_URL not a URL", "FLUENCE_BASE_URL", s => FluenceVariables(s, "api.fluence.dev:443")),
        Environment("FLUENCE_BASE_URL a file path", "FLUENCE_BASE_URL", s => FluenceVariables(s, "/etc/passwd")),
        Environment("FLUENCE_BASE_URL plain http to a remote host", "Fluence.BaseUrl", s => FluenceVariables(s, "http://api.fluence.dev")),
        Environment("FLUIDSTACK_TOKEN_URL javascript", "FLUIDSTACK_TOKEN_URL", s => With(FluidstackVariables(s), "FLUIDSTACK_TOKEN_URL", "javascript:alert(1)")),
        Environment("FLUIDSTACK_PROJECT_ID not a GUID", "FLUIDSTACK_PROJECT_ID", s => With(FluidstackVariables(s), "FLUIDSTACK_PROJECT_ID", "../../etc")),

        // ---- Fluence create requests
        Fluence("name empty", "Name", r => r with { Name = "" }),
        Fluence("name null", "Name", r => r with { Name = null! }),
        Fluence("name upper case", "Name", r => r with { Name = "Bad-Input" }),
        Fluence("name leading hyphen", "Name", r => r with { Name = "-bad" }),
        Fluence("name over 25 characters", "Name", r => r with { Name = LongName }),
        Fluence("name with CRLF", "Name", r => r with { Name = "bad\r\nname" }),
        Fluence("name with path separators", "Name", r => r with { Name = "../etc/passwd" }),
        Fluence("container missing", "Container", r => r with { Container = null }),
        Fluence("image upper case", "Container.Image", r => r with { Container = Container(c => c with { Image = "Docker.io/Library/Ubuntu" }) }),
        Fluence("image with CRLF", "Container.Image", r => r with { Container = Container(c => c with { Image = "ubuntu\r\nX-Injected: 1" }) }),
        Fluence("image over 255 characters", "Container.Image", r => r with { Container = Container(c => c with { Image = "docker.io/" + new string('a', 250) }) }),
        Fluence("no ports", "Container.Ports", r => r with { Container = Container(c => c with { Ports = [] }) }),
        Fluence("port zero", "Container.Ports[0]", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(0)] }) }),
        Fluence("port 65536", "Container.Ports[0]", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(65536)] }) }),
        Fluence("port negative", "Container.Ports[1]", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(22), new ContainerPort(-22)] }) }),
        Fluence("http protocol off port 80", "Container.Ports[0]", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(8080, PortProtocol.Http)] }) }),
        Fluence("unknown protocol", "Container.Ports[0]", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(22, (PortProtocol)42)] }) }),
        Fluence("same port twice", "Container.Ports", r => r with { Container = Container(c => c with { Ports = [new ContainerPort(22), new ContainerPort(22)] }) }),
        Fluence("eleven ports", "Container.Ports", r => r with { Container = Container(c => c with { Ports = Enumerable.Range(1, 11).Select(p => new ContainerPort(1000 + p)).ToArray() }) }),
        Fluence("environment name lower case", "Container.Environment[lower]", r => r with { Container = Container(c => c with { Environment = Env(("lower", "x")) }) }),
        Fluence("environment name with CRLF", "Container.Environment[A??B]", r => r with { Container = Container(c => c with { Environment = Env(("A\r\nB", "x")) }) }),
        Fluence("environment name with a dash", "Container.Environment[BAD-NAME]", r => r with { Container = Container(c => c with { Environment = Env(("BAD-NAME", "x")) }) }),
        Fluence("environment SSH_PUBKEY is reserved", "Container.Environment[SSH_PUBKEY]", r => r with { Container = Container(c => c with { Environment = Env(("SSH_PUBKEY", Keys.Rsa2048)) }) }),
        Fluence("environment value null", "Container.Environment[TOKEN]", r => r with { Container = Container(c => c with { Environment = Env(("TOKEN", null!)) }) }),
        Fluence("65 environment variables", "Container.Environment", r => r with { Container = Container(c => c with { Environment = Enumerable.Range(0, 65).ToDictionary(i => $"V{i}", i => "x") }) }),
        Fluence("startup command over 2048 characters", "Container.StartupCommand", r => r with { Container = Container(c => c with { StartupCommand = new string('x', 2049) }) }),
        Fluence("registry not docker.io or ghcr.io", "Container.Registry.Host", r => r with { Container = Container(c => c with { Registry = new RegistryCredentials("quay.io", "user", "pass") }) }),
        Fluence("registry password empty", "Container.Registry", r => r with { Container = Container(c => c with { Registry = new RegistryCredentials("docker.io", "user", "") }) }),
        Fluence("two SSH keys", "SshPublicKeys", r => r with { SshPublicKeys = [Keys.Ed25519, Keys.Rsa2048] }),
        Fluence("SSH key truncated", "SshPublicKeys[0]", r => r with { SshPublicKeys = [Keys.TruncatedEd25519] }),
        Fluence("SSH private key", "SshPublicKeys[0]", r => r with { SshPublicKeys = ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"] }),
        Fluence("SSH key with an embedded newline", "SshPublicKeys[0]", r => r with { SshPublicKeys = [Keys.Ed25519 + "\n" + Keys.Rsa2048] }),
        Fluence("SSH key of an unsupported type", "SshPublicKeys[0]", r => r with { SshPublicKeys = ["ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4Ed dsa@host"] }),
        Fluence("SSH RSA key of 512 bits", "SshPublicKeys[0]", r => r with { SshPublicKeys = [Keys.Rsa512] }),
        Fluence("SSH key blob of another type", "SshPublicKeys[0]", r => r with { SshPublicKeys = [Keys.MislabelledKey] }),
        Fluence("SSH key not base64", "SshPublicKeys[0]", r => r with { SshPublicKeys = ["ssh-ed25519 not*base64!"] }),
        Fluence("location not a country code", "Location", r => r with { Location = "USA" }),
        Fluence("location with a newline", "Location", r => r with { Location = "U\n" }),
        Fluence("location the plan does not run in", "Location", r => r with { Location = "JP" }),
        Fluence("tags on Fluence", "Tags", r => r with { Tags = Env(("env", "prod")) }),
        Fluence("user data on Fluence", "UserData", r => r with { UserData = "#cloud-config\n" }),
        Fluence("OS image on a container", "OsImage", r => r with { OsImage = "ubuntu22.04" }),
        Fluence("plan id with path traversal", "PlanId", r => r with { Plan = null, Provider = Fl, PlanId = "container:../../admin" }),
        Fluence("plan id without workload prefix", "PlanId", r => r with { Plan = null, Provider = Fl, PlanId = "e553aa0f-fff4-4ba6-ba97-5a140bcc94c3" }),

        // ---- Fluidstack create requests
        Fluidstack("name with a space", "Name", r => r with { Name = "bad name" }),
        Fluidstack("name over 63 characters", "Name", r => r with { Name = new string('a', 64) }),
        Fluidstack("Fluidstack name with path separators", "Name", r => r with { Name = "../x" }),
        Fluidstack("tag value with CRLF", "Tags[env]", r => r with { Tags = Env(("env", "prod\r\nX-Injected: 1")) }),
        Fluidstack("tag value with NUL", "Tags[env]", r => r with { Tags = Env(("env", "prod\0")) }),
        Fluidstack("tag value over 255 characters", "Tags[big]", r => r with { Tags = Env(("big", new string('v', 256))) }),
        Fluidstack("tag key with a space", "Tags[bad key]", r => r with { Tags = Env(("bad key", "v")) }),
        Fluidstack("tag key empty", "Tags[]", r => r with { Tags = Env(("", "v")) }),
        Fluidstack("location of another region", "Location", r => r with { Location = "us-east-2" }),
        Fluidstack("OS image with a space", "OsImage", r => r with { OsImage = "image://ubuntu 22.04" }),
        Fluidstack("user data over 64 KiB", "UserData", r => r with { UserData = "#cloud-config\n#" + new string('x', 64 * 1024) }),
        Fluidstack("user data script with SSH keys to merge", "UserData", r => r with { UserData = "#!/bin/sh\necho hi\n" }),
        Fluidstack("container settings on Fluidstack", "Container", r => r with { Container = new ContainerSettings { Image = Clients.Image } }),
        Fluidstack("plan id with dot-dot type", "PlanId", r => r with { PlanId = "eu-north-1/.." }),
        Fluidstack("plan id with dot-dot region", "PlanId", r => r with { PlanId = "../cpu.2x" }),
        Fluidstack("plan id with three parts", "PlanId", r => r with { PlanId = "eu-north-1/../cpu.2x" }),
        Fluidstack("plan id with a query string", "PlanId", r => r with { PlanId = "eu-north-1/cpu.2x?admin=1" }),
        Fluidstack("no plan at all", "Plan", r => r with { Provider = null, PlanId = null }),
        Fluidstack("provider without plan id", "PlanId", r => r with { PlanId = null }),
        Fluidstack("unknown provider", "provider", r => r with { Provider = "n0pe" }),

        // ---- ids that reach a URL path
        Call("Fluence id with path traversal", "instanceId", c => c.GetInstanceAsync(Fl, "container:../../etc/passwd")),
        Call("Fluence id with a slash", "instanceId", c => c.GetInstanceAsync(Fl, "container:a/b")),
        Call("Fluence id with CRLF", "instanceId", c => c.GetInstanceAsync(Fl, "container:id\r\nX-Injected: 1")),
        Call("Fluence id of 300 characters", "instanceId", c => c.GetInstanceAsync(Fl, "container:" + new string('a', 300))),
        Call("Fluence id that is only dots", "instanceId", c => c.DeleteInstanceAsync(Fl, "vm:..")),
        Call("Fluence id empty", "instanceId", c => c.DeleteInstanceAsync(Fl, "")),
        Call("Fluence id null", "instanceId", c => c.DeleteInstanceAsync(Fl, null!)),
        Call("Fluidstack id with three parts", "instanceId", c => c.GetInstanceAsync(Fs, "eu-north-1/../" + Guid1)),
        Call("Fluidstack id with dot-dot region", "instanceId", c => c.GetInstanceAsync(Fs, "../" + Guid1)),
        Call("Fluidstack id with an encoded slash", "instanceId", c => c.GetInstanceAsync(Fs, "eu%2Fnorth/" + Guid1)),
        Call("Fluidstack id not a GUID", "instanceId", c => c.StartInstanceAsync(Fs, "eu-north-1/not-a-guid")),
        Call("Fluidstack id whitespace", "instanceId", c => c.StopInstanceAsync(Fs, "   ")),
        Call("Fluence key id not a UUID", "keyId", c => c.RemoveSshKeyAsync(Fl, "../keys")),
        Call("Fluidstack key id with a slash", "keyId", c => c.RemoveSshKeyAsync(Fs, "a/b")),
        Call("Fluidstack key id empty", "keyId", c => c.RemoveSshKeyAsync(Fs, "")),
        Call("provider name empty", "provider", c => c.GetInstanceAsync("", "container:" + Guid1)),

        // ---- SSH keys
        Call("key name empty", "name", c => c.AddSshKeyAsync("", Keys.Ed25519)),
        Call("Fluence key name with a space", "name", c => c.AddSshKeyAsync("Bad Name", Keys.Ed25519, Fl)),
        Call("Fluence key name over 25 characters", "name", c => c.AddSshKeyAsync(LongName, Keys.Ed25519, Fl)),
        Call("Fluidstack key name with CRLF", "name", c => c.AddSshKeyAsync("key\r\nX: 1", Keys.Ed25519, Fs)),
        Call("key that is not a key", "publicKey", c => c.AddSshKeyAsync("good", "hello world")),
        Call("key null", "publicKey", c => c.AddSshKeyAsync("good", null!)),

        // ---- absurd numbers in a plan query
        Query("negative GPU count", "MinGpuCount", new PlanQuery { MinGpuCount = -1 }),
        Query("NaN GPU memory", "MinGpuMemoryGiB", new PlanQuery { MinGpuMemoryGiB = double.NaN }),
        Query("infinite memory", "MinMemoryGiB", new PlanQuery { MinMemoryGiB = double.PositiveInfinity }),
        Query("minus infinite total GPU memory", "MinTotalGpuMemoryGiB", new PlanQuery { MinTotalGpuMemoryGiB = double.NegativeInfinity }),
        Query("negative vCPUs", "MinVCpus", new PlanQuery { MinVCpus = -5 }),
        Query("negative storage", "MinStorageGiB", new PlanQuery { MinStorageGiB = -0.5 }),
        Query("negative price", "MaxPricePerHour", new PlanQuery { MaxPricePerHour = -0.01m }),
        Query("empty GPU model", "GpuModels", new PlanQuery { GpuModels = ["H100", ""] }),
        Query("blank provider", "Providers", new PlanQuery { Providers = [" "] }),
        new("wait with a zero timeout", "timeout", r => r.Client.WaitForStateAsync(Fl, "container:" + Guid1, InstanceState.Running, TimeSpan.Zero)) { Argument = true },
        new("wait for the Unknown state", "target", r => r.Client.WaitForStateAsync(Fl, "container:" + Guid1, InstanceState.Unknown, TimeSpan.FromSeconds(1))) { Argument = true },
        new("create cheapest with zero attempts", "maxAttempts", r => r.Client.CreateCheapestAsync(new PlanQuery(), Clients.FluidstackRequest(GoodName), maxAttempts: 0)) { Argument = true },
    ];

    public static IEnumerable<TestCaseData> Cases() => Catalogue.Select(c =>
    {
        var data = new TestCaseData(c.Name).SetName("Rejected_" + string.Concat(c.Name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_')));
        return data;
    });

    [Test]
    public void TheCatalogueHasAtLeastFiftyDistinctCases() =>
        Assert.That(Catalogue.Select(c => c.Name).Distinct().Count(), Is.EqualTo(Catalogue.Length).And.GreaterThanOrEqualTo(50));

    [TestCaseSource(nameof(Cases))]
    public async Task BadInputIsRefusedBeforeAnythingIsSent(string name)
    {
        var input = Catalogue.Single(c => c.Name == name);
        var createsBefore = input.CreateName is { Length: > 0 } n ? CreatesFor(n) : 0;
        using var loopbackOnly = new LoopbackOnly();
        using var transport = new Transport(loopbackOnly);
        using var composed = Clients.Compose(_sandbox, transport);
        var rig = new BadInputRig(_sandbox, transport, composed.Client, _fluencePlan);

        Exception? error = null;
        try { await input.Act(rig); }
        catch (Exception ex) { error = ex; }

        using (Assert.EnterMultipleScope())
        {
            // Asserted first and for every case: the recorder sees any request, whether the input was refused or not.
            Assert.That(transport.Sent.Select(s => $"{s.Method} {s.Path}"), Is.Empty, "requests sent (recorded below the resilience handler)");
            Assert.That(error, Is.Not.Null, "the input was accepted");
            if (error is null) return;
            if (input.Argument)
            {
                Assert.That(error, Is.InstanceOf<ArgumentException>(), error!.ToString());
                Assert.That(((error as ArgumentException)?.ParamName ?? "") + " " + error.Message, Does.Contain(input.Field), "the error names the field");
            }
            else
            {
                Assert.That(error, Is.InstanceOf<GpuCloudException>(), error!.ToString());
                var ex = error as GpuCloudException;
                Assert.That(ex?.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest), error.Message);
                Assert.That(ex?.Field, Does.StartWith(input.Field), "GpuCloudException.Field");
                Assert.That(error.Message, Does.Contain(input.Field), "the message names the field");
            }
            if (input.CreateName is { Length: > 0 } created)
                Assert.That(CreatesFor(created), Is.EqualTo(createsBefore), "create requests the sandbox saw for that name");
            if (input.Secret is { } secret)
                Assert.That(error.ToString(), Does.Not.Contain(secret), "the error repeats the secret");
            Assert.That(error.Message, Does.Not.Contain("\r").And.Not.Contain("\n"), "control characters of the input are not echoed");
        }
    }

    [Test]
    public async Task AnAbsurdButFiniteFilterIsAcceptedAndMatchesNothing()
    {
        // 1e308 GiB is finite, so PlanQuery.Validate accepts it: the search runs and finds nothing. Reported as a deviation
        // (a sanity bound would catch unit mistakes), not as a bug.
        using var transport = new Transport();
        using var composed = Clients.Compose(_sandbox, transport);
        var result = await composed.Client.ListPlansAsync(new PlanQuery { MinMemoryGiB = 1e308, MinGpuCount = int.MaxValue });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(result.Failures, Is.Empty);
            Assert.That(transport.Sent, Is.Not.Empty, "the query was sent");
        }
    }

    [Test]
    public void ATemplateWithAnInvalidNameIsRefusedOnlyAfterThePlanSearch()
    {
        // CreateCheapestAsync validates each plan's request when it gets to it: the search (GETs) runs first, but no create.
        using var transport = new Transport();
        using var composed = Clients.Compose(_sandbox, transport);
        var ex = Assert.ThrowsAsync<GpuCloudException>(() => composed.Client.CreateCheapestAsync(
            new PlanQuery { Providers = [Fl], Workload = WorkloadType.Container }, Clients.FluenceRequest(_fluencePlan, "Bad Name") with { Plan = null }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("Name"));
            Assert.That(transport.Sent.Where(s => s.Method != "GET"), Is.Empty, "no create was sent");
            Assert.That(CreatesFor("Bad Name"), Is.Zero);
        }
    }

    /// <summary>
    /// The bottom of the bad-input pipelines: loopback requests go to the sandbox, any other host is answered 502 here.
    /// A setting that slipped through (e.g. a base URL ignored in favour of the real API's) is recorded by the transport
    /// above, and still never leaves the machine.
    /// </summary>
    private sealed class LoopbackOnly() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri is { IsLoopback: true }
                ? base.SendAsync(request, cancellationToken)
                : Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway) { RequestMessage = request });
    }

    private static int CreatesFor(string name) =>
        _sandbox.Inventory.CreateRequests(SandboxProvider.Fluence, name) + _sandbox.Inventory.CreateRequests(SandboxProvider.Fluidstack, name);
}
