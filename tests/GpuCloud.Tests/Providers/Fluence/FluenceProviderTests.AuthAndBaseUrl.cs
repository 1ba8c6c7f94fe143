using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
    [Test]
    public async Task EveryCall_SendsTheKeyInBothForms()
    {
        // Source: Fluence's Go client sets "Authorization: X-API-KEY <key>" and "X-Api-Key: <key>" on every call, "so either
        // gateway configuration works" (internal/client/client.go); the docs show the Authorization form.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, "[]");
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(1, 1));
        using var fluence = Build.Fluence(http);

        await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });
        await fluence.ListSshKeysAsync();

        Assert.That(http.Requests, Has.Count.EqualTo(2));
        foreach (var request in http.Requests)
            using (Assert.EnterMultipleScope())
            {
                Assert.That(request.Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey), request.ToString());
                Assert.That(request.Header("Authorization"), Is.EqualTo("X-API-KEY " + Build.FluenceKey), request.ToString());
            }
    }

    [TestCase("https://api.fluence.dev/gpu")]
    [TestCase("https://api.fluence.dev/gpu/")]
    [TestCase("https://api.fluence.dev/")]
    [TestCase("https://api.fluence.dev")]
    [TestCase("https://api.fluence.dev/GPU//")]
    public async Task BaseUrl_WithOrWithoutTheDocsGpuSuffix_ReachesTheSamePaths(string baseUrl)
    {
        // Source: the Fluence GPU docs print https://api.fluence.dev/gpu as the base URL (fluencelabs/docs, gpu_cloud);
        // the main API's base is https://api.fluence.dev. Copying either must not give /gpu/gpu/... (a 404 on every call).
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, "[]");
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(1, 1));
        var options = new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(baseUrl) };
        using var fluence = new FluenceProvider(options, http.Handler);

        await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });
        await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Requests.Select(r => r.Uri.GetLeftPart(UriPartial.Path)), Is.EqualTo(new[] { ContainerPlansUrl, SshKeysUrl }));
            Assert.That(options.BaseUrl, Is.EqualTo(new Uri("https://api.fluence.dev")), "normalized once, in the options");
        }
    }

    [Test]
    public void BaseUrl_KeepsAProxyPrefix()
    {
        var options = new FluenceOptions { BaseUrl = new Uri("https://proxy.example/fluence/gpu/") };

        Assert.That(options.BaseUrl, Is.EqualTo(new Uri("https://proxy.example/fluence")));
    }
}
