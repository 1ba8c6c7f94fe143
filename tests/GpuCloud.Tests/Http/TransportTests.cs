using Microsoft.Extensions.DependencyInjection;

namespace GpuCloud.Tests;

/// <summary>
/// <see cref="GpuCloudOptions.Transport"/>: the caller's innermost handler carries every provider's requests, with
/// GpuCloud's authentication and resilience on top, with or without a container; it stays the caller's (never disposed).
/// </summary>
[NonParallelizable]
public class TransportTests
{
    private EnvironmentScope _environment = null!;

    [SetUp]
    public void IsolateEnvironment() => _environment = new EnvironmentScope();

    [TearDown]
    public void RestoreEnvironment() => _environment.Dispose();

    // Loopback, on the discard port: a request that bypassed the transport fails at once, without leaving the machine.
    private const string Base = "http://127.0.0.1:9";
    private const string KeysUrl = Base + "/v1/ssh_keys";

    private static RecordingHttp KeysOnFluence()
    {
        var http = new RecordingHttp();
        http.Json(HttpMethod.Get, KeysUrl, FluenceJson.SshKeyPage(1, 1));
        return http;
    }

    private static void Fluence(GpuCloudOptions o, HttpMessageHandler transport)
    {
        o.Fluence.ApiKey = Build.FluenceKey;
        o.Fluence.BaseUrl = new Uri(Base);
        o.Transport = transport;
    }

    [Test]
    public async Task GpuCloudClient_SendsThroughTheTransport_AndLeavesItOpen()
    {
        using var http = KeysOnFluence();
        var options = new GpuCloudOptions();
        Fluence(options, http.Handler);

        using (var cloud = new GpuCloudClient(options))
            await cloud.ListSshKeysAsync();

        Assert.That(http.Requests.Single().Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey), "sent through the transport, with the key on top");
        await StillOpen(http);
    }

    [Test]
    public async Task AddGpuCloud_SendsThroughTheTransport_AndLeavesItOpen()
    {
        using var http = KeysOnFluence();
        var services = new ServiceCollection();
        services.AddGpuCloud(o => Fluence(o, http.Handler));

        using (var provider = services.BuildServiceProvider())
            await provider.GetRequiredService<GpuCloudClient>().ListSshKeysAsync();

        Assert.That(http.Requests.Single().Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey), "sent through the transport, with the key on top");
        await StillOpen(http);
    }

    private static async Task StillOpen(RecordingHttp http)
    {
        using var after = new HttpClient(http.Handler, disposeHandler: false);
        using var response = await after.GetAsync(KeysUrl);
        Assert.That(response.IsSuccessStatusCode, Is.True, "the transport is the caller's: disposing the client must not dispose it");
    }
}
