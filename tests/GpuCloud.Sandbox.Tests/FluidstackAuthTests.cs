using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GpuCloud.Generated.Fluidstack.Management;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluidstackAuthTests : SandboxTestBase
{
    protected override void Configure(SandboxOptions options) => options.TokenLifetime = TimeSpan.FromMinutes(10);

    private async Task<HttpResponseMessage> TokenAsync(string? clientId = null, string? clientSecret = null, string? grantType = "client_credentials", string? audience = "https://api.fluidstack.io")
    {
        var form = new Dictionary<string, string>
        {
            ["client_id"] = clientId ?? Server.FluidstackClientId,
            ["client_secret"] = clientSecret ?? Server.FluidstackClientSecret,
        };
        if (grantType is not null) form["grant_type"] = grantType;
        if (audience is not null) form["audience"] = audience;
        return await Http.PostAsync("oauth/token", new FormUrlEncodedContent(form));
    }

    [Test]
    public async Task ClientCredentialsIssueABearerJwtThatWorksUntilItExpires()
    {
        var token = await ExpectAsync(await TokenAsync(), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(((JObject)token).Properties().Select(p => p.Name), Is.EqualTo(new[] { "access_token", "token_type", "expires_in" }));
            Assert.That((string)token["token_type"]!, Is.EqualTo("Bearer"));
            Assert.That((long)token["expires_in"]!, Is.EqualTo(600));
            Assert.That(((string)token["access_token"]!).Split('.'), Has.Length.EqualTo(3));
        });

        var accessToken = (string)token["access_token"]!;
        var payload = ((string)token["access_token"]!).Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var claims = JObject.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        Assert.That((long)claims["exp"]! - (long)claims["iat"]!, Is.EqualTo(600));

        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions"), token: accessToken), HttpStatusCode.OK);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "instances"), token: accessToken), HttpStatusCode.OK);

        Advance(599);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions"), token: accessToken), HttpStatusCode.OK);
        Advance(1);
        var expired = await FluidstackAsync(HttpMethod.Get, Management("regions"), token: accessToken);
        var body = await ExpectAsync(expired, HttpStatusCode.Unauthorized);
        Assert.Multiple(() =>
        {
            Assert.That((string)body["message"]!, Does.Contain("expired"));
            Assert.That(expired.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        });
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(UsEast, "instance-types"), token: accessToken), HttpStatusCode.Unauthorized);

        var fresh = (string)(await ExpectAsync(await TokenAsync(), HttpStatusCode.OK))["access_token"]!;
        Assert.That(fresh, Is.Not.EqualTo(accessToken));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions"), token: fresh), HttpStatusCode.OK);
    }

    [Test]
    public async Task TheStaticTokenNeverExpires()
    {
        Advance(TimeSpan.FromDays(30).TotalSeconds);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions")), HttpStatusCode.OK);
    }

    [Test]
    public async Task BadClientCredentialsAre401()
    {
        var body = await ExpectAsync(await TokenAsync(clientSecret: "wrong"), HttpStatusCode.Unauthorized);
        Assert.That((string)body["error"]!, Is.EqualTo("access_denied"));
        await ExpectAsync(await TokenAsync(clientId: "someone-else"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task WrongGrantOrAudienceIsRejected()
    {
        var grant = await ExpectAsync(await TokenAsync(grantType: "password"), HttpStatusCode.BadRequest);
        var missing = await ExpectAsync(await TokenAsync(grantType: null), HttpStatusCode.BadRequest);
        var audience = await ExpectAsync(await TokenAsync(audience: "https://elsewhere.example"), HttpStatusCode.Forbidden);
        await ExpectAsync(await TokenAsync(audience: null), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)grant["error"]!, Is.EqualTo("unsupported_grant_type"));
            Assert.That((string)missing["error"]!, Is.EqualTo("invalid_request"));
            Assert.That((string)audience["error"]!, Is.EqualTo("access_denied"));
        });
    }

    [Test]
    public async Task HttpBasicClientAuthenticationAndJsonBodiesWorkToo()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new StringContent("{\"grant_type\":\"client_credentials\",\"audience\":\"https://api.fluidstack.io\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Server.FluidstackClientId}:{Server.FluidstackClientSecret}")));
        await ExpectAsync(await Http.SendAsync(request), HttpStatusCode.OK);
    }

    [TestCase(null)]
    [TestCase("not-a-token")]
    public async Task BothFluidstackApisAnswer401WithAMessage(string? token)
    {
        foreach (var path in new[] { Management("regions"), Management("user/keys"), Infra(EuNorth, "instances"), Infra(UsEast, "capabilities") })
        {
            var response = await SendAsync(HttpMethod.Get, path, null, r =>
            {
                if (token is not null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                r.Headers.Add("X-PROJECT-ID", Server.FluidstackProjectId.ToString());
            });
            var body = await ExpectAsync(response, HttpStatusCode.Unauthorized);
            Assert.That(((JObject)body).Properties().Select(p => p.Name), Is.EqualTo(new[] { "message" }), path);
        }
    }

    [Test]
    public void TheGeneratedManagementClientSeesTheDocumented401()
    {
        var e = Assert.ThrowsAsync<FluidstackManagementApiException<Error>>(() => ManagementClient("nope").ListRegionsAsync());
        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(401));
            Assert.That(e.Result.Message, Does.StartWith("Unauthorized"));
        });
    }
}
