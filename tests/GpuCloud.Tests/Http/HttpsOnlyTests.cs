using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>Credentials only travel over HTTPS; plain HTTP only to loopback. Header secrets are one line of visible ASCII.</summary>
public class HttpsOnlyTests : PlumbingTest
{
    public static readonly string[] Refused =
    [
        "http://example.com",
        "http://api.fluence.dev",
        "http://localhost.example.com",
        "http://127.0.0.1.example.com",
        "http://0.0.0.0",
        "http://10.0.0.1",
        "ftp://example.com",
        "file:///etc/passwd",
    ];

    public static readonly string[] Loopback =
    [
        "http://127.0.0.1:8080",
        "http://localhost:5000",
        "http://[::1]:5000",
        "http://127.0.0.2",
        "https://example.com",
    ];

    private static FluidstackOptions Fluidstack(string? management = null, string? tokenUrl = null) => new()
    {
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        TokenUrl = new Uri(tokenUrl ?? "https://auth.example.test/oauth/token"),
        ManagementUrl = new Uri(management ?? FluidstackJson.Management),
        ProjectId = FluidstackJson.ProjectId,
    };

    [TestCaseSource(nameof(Refused))]
    public void Fluence_NonHttpsBaseUrl_IsRefused(string url)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() =>
            new FluenceProvider(new FluenceOptions { ApiKey = FluenceKey, BaseUrl = new Uri(url) }, new ScriptedHandler()))!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo("Fluence.BaseUrl"));
            Assert.That(ex.Message, Does.Contain("https"));
        }
    }

    [TestCaseSource(nameof(Refused))]
    public void Fluidstack_NonHttpsManagementUrl_IsRefused(string url)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => new FluidstackProvider(Fluidstack(management: url), new ScriptedHandler()))!);

        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.ManagementUrl"));
    }

    [TestCaseSource(nameof(Refused))]
    public void Fluidstack_NonHttpsTokenUrl_IsRefused(string url)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => new FluidstackProvider(Fluidstack(tokenUrl: url), new ScriptedHandler()))!);

        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.TokenUrl"));
    }

    [Test]
    public void TheClient_RefusesANonHttpsProvider_WhenBuilt()
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => new GpuCloudClient(new GpuCloudOptions
        {
            Fluence = { ApiKey = FluenceKey, BaseUrl = new Uri("http://example.com") },
        }))!);

        Assert.That(ex.Message, Does.Contain("Fluence.BaseUrl"));
    }

    [Test]
    public void ARelativeUrl_IsRefused()
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() =>
            new FluenceProvider(new FluenceOptions { ApiKey = FluenceKey, BaseUrl = new Uri("/gpu", UriKind.Relative) }, new ScriptedHandler()))!);

        Assert.That(ex.Message, Does.Contain("absolute"));
    }

    [TestCaseSource(nameof(Loopback))]
    public async Task Fluence_LoopbackOrHttps_IsAccepted_AndUsed(string url)
    {
        var http = new ScriptedHandler().OnAny(Always(HttpStatusCode.OK, FluenceJson.SshKeyPage(0, 1)));
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = FluenceKey, BaseUrl = new Uri(url) }, http);

        await Guard(fluence.ListSshKeysAsync());

        Assert.That(http.Requests.Single().Uri.GetLeftPart(UriPartial.Authority), Is.EqualTo(new Uri(url).GetLeftPart(UriPartial.Authority)));
    }

    [TestCaseSource(nameof(Loopback))]
    public void Fluidstack_LoopbackOrHttps_IsAccepted(string url)
    {
        using var fluidstack = new FluidstackProvider(Fluidstack(management: url, tokenUrl: url + "/oauth/token"), new ScriptedHandler());

        Assert.That(fluidstack.Name, Is.EqualTo("fluidstack"));
    }

    [Test]
    public async Task AnHttpRegionUrlFromTheApi_IsInvalidResponse_AndNothingIsSentThere()
    {
        var http = new ScriptedHandler()
            .On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, """[{"name": "sandbox", "url": "http://sandbox.atlas.example.com"}]"""));
        var options = new FluidstackOptions { Token = FluidstackToken, ProjectId = FluidstackJson.ProjectId };
        using var fluidstack = new FluidstackProvider(options, http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.GetInstanceAsync("sandbox/" + FluidstackJson.InstanceGuid));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(ex.Message, Does.Contain("https"));
            Assert.That(http.Requests.Select(r => r.Url), Is.EqualTo(new[] { FluidstackJson.RegionsUrl }), "the bearer token never went over plain HTTP");
        }
    }

    [TestCase("fluence-SECRET-key-123\r\nX-Injected: yes")]
    [TestCase("fluence-SECRET-key-123\nsecond-line")]
    [TestCase("fluence-SECRET-key-123\u0000")]
    [TestCase("fluence-SECRET-key-123\u00e9")]
    public void AnApiKeyWithControlOrNonAsciiCharacters_IsRefused_WithoutShowingIt(string key)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() =>
            new FluenceProvider(new FluenceOptions { ApiKey = key, BaseUrl = new Uri(FluenceJson.Base) }, new ScriptedHandler()))!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo("Fluence.ApiKey"));
            Assert.That(ex.Message, Does.Contain("not shown"));
        }
    }

    [Test]
    public async Task AnApiKeyWithSurroundingWhitespace_IsTrimmed()
    {
        var http = new ScriptedHandler().OnAny(Always(HttpStatusCode.OK, FluenceJson.SshKeyPage(0, 1)));
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = "  " + FluenceKey + " \t", BaseUrl = new Uri(FluenceJson.Base) }, http);

        await Guard(fluence.ListSshKeysAsync());

        Assert.That(http.Requests.Single().ApiKey, Is.EqualTo(FluenceKey));
    }

    [TestCase("fluidstack-SECRET-token-456\r\nX-Injected: yes")]
    [TestCase("fluidstack-SECRET\ttoken-456")]
    public void ABearerTokenWithControlCharacters_IsRefused_WithoutShowingIt(string token)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() =>
            new FluidstackProvider(new FluidstackOptions { Token = token, ProjectId = FluidstackJson.ProjectId }, new ScriptedHandler()))!);

        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.Token"));
    }

    [Test]
    public void ARefusedUrl_NeverShowsCredentialsEmbeddedInIt()
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => new FluenceProvider(new FluenceOptions
        {
            ApiKey = FluenceKey,
            BaseUrl = new Uri($"http://admin:{RegistryPassword}@example.com/"),
        }, new ScriptedHandler()))!);

        Assert.That(ex.Message, Does.Not.Contain(RegistryPassword).And.Contain("example.com"));
    }
}
