using System.Net;
using GpuCloud.Generated.Fluence;
using GpuCloud.Sandbox.Tests.Support;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluenceAuthTests : SandboxTestBase
{
    [TestCase("GET", "gpu/plans/")]
    [TestCase("GET", "gpu/plans/vms")]
    [TestCase("GET", "gpu/plans/baremetal")]
    [TestCase("GET", "gpu/default-images/")]
    [TestCase("GET", "gpu/instances/")]
    [TestCase("POST", "gpu/instances/")]
    [TestCase("GET", "gpu/instances/vms")]
    [TestCase("POST", "gpu/instances/baremetal")]
    [TestCase("DELETE", "gpu/instances/3fa85f64-5717-4562-b3fc-2c963f66afa6")]
    [TestCase("GET", "gpu/instances/3fa85f64-5717-4562-b3fc-2c963f66afa6/logs")]
    public async Task GpuEndpointsAnswer403WithoutOrWithAWrongKey(string method, string path)
    {
        foreach (var key in new[] { null, "wrong-key" })
        {
            var response = await SendAsync(new HttpMethod(method), path, "{}", r =>
            {
                if (key is not null) r.Headers.Add("X-API-KEY", key);
            });
            var body = await ExpectAsync(response, HttpStatusCode.Forbidden);
            Assert.That(body.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo("{\"error\":\"Auth failed. No such API Key\"}"));
        }
    }

    [TestCase("gpu/plans/")]
    [TestCase("v1/ssh_keys")]
    public async Task TheAuthorizationFormOfTheKeyIsAccepted_AndAWrongOneRefused(string path)
    {
        // Source: the Fluence API docs show "Authorization: X-API-KEY <key>"; Fluence's own Go client sends it beside
        // X-API-KEY "so either gateway configuration works" (fluencelabs/terraform-provider-cloudless, internal/client/client.go).
        var ok = await SendAsync(HttpMethod.Get, path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "X-API-KEY " + Server.FluenceApiKey));
        var wrong = await SendAsync(HttpMethod.Get, path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "X-API-KEY wrong-key"));
        var bare = await SendAsync(HttpMethod.Get, path, configure: r => r.Headers.TryAddWithoutValidation("Authorization", Server.FluenceApiKey));
        Assert.Multiple(() =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)wrong.StatusCode, Is.AnyOf(401, 403));
            Assert.That((int)bare.StatusCode, Is.AnyOf(401, 403), "the key needs its X-API-KEY scheme word");
        });
    }

    [Test]
    public async Task SshKeyEndpointsAnswerTheMainApi401()
    {
        var body = await ExpectAsync(await SendAsync(HttpMethod.Get, "v1/ssh_keys"), HttpStatusCode.Unauthorized);
        Assert.Multiple(() =>
        {
            Assert.That((string)body["code"]!, Is.EqualTo("unauthorized"));
            Assert.That((string)body["error"]!, Is.EqualTo("Auth token invalid or missing"));
        });
    }

    [Test]
    public void TheGeneratedClientSeesTheDocumented403()
    {
        var http = NewClient(new SocketsHttpHandler());
        http.DefaultRequestHeaders.Add("X-API-KEY", "nope");
        var client = new FluenceClient(http) { BaseUrl = Server.FluenceBaseUrl.ToString() };
        var e = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => client.ListContainerPlansAsync());
        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(403));
            Assert.That(e.Result.Error, Is.EqualTo("Auth failed. No such API Key"));
        });
    }
}
