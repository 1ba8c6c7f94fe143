using GpuCloud.Generated.Fluidstack.Infrastructure;

namespace GpuCloud.Generated.Tests;

public partial class FluidstackInfrastructureClientTests
{
    [TestCase("https://eu-1.atlas.fluidstack.io/api/v1alpha1")]
    [TestCase("https://eu-1.atlas.fluidstack.io/api/v1alpha1/")]
    public async Task BaseUrlWithOrWithoutTrailingSlashGivesTheSameRequest(string baseUrl)
    {
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, $"{Base}/instance-types").Respond(HttpStatusCode.OK, Mock.Json, "[]");
        using var http = mock.ToHttpClient();

        await new FluidstackInfrastructureClient(http) { BaseUrl = baseUrl }.ListInstanceTypesAsync();

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }

    [Test]
    public async Task BaseUrlBuiltFromAManagementRegionUrlReachesTheRegion()
    {
        var region = Newtonsoft.Json.JsonConvert.DeserializeObject<List<Generated.Fluidstack.Management.Region>>(FluidstackExamples.Management.Regions)![0];
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, "https://sandbox.atlas.fluidstack.io/api/v1alpha1/capabilities").Respond(HttpStatusCode.OK, Mock.Json, FluidstackExamples.Infrastructure.Capabilities);
        using var http = mock.ToHttpClient();

        await new FluidstackInfrastructureClient(http) { BaseUrl = region.Url + "/api/v1alpha1" }.ListCapabilitiesAsync();

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }

    [Test]
    public void DefaultBaseUrlIsTheSpecPlaceholderAndCannotBeCalled()
    {
        // servers: https://<region>.atlas.fluidstack.io/api/v1alpha1 becomes the default BaseUrl; the facade must
        // always set BaseUrl from Region.url. Calling without it fails before any request is sent.
        using var mock = Mock.CreateHandler();
        using var http = mock.ToHttpClient();
        var client = new FluidstackInfrastructureClient(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.BaseUrl, Is.EqualTo("https://<region>.atlas.fluidstack.io/api/v1alpha1/"));
            Assert.That(() => client.ListInstanceTypesAsync(), Throws.TypeOf<UriFormatException>());
        }
    }
}
