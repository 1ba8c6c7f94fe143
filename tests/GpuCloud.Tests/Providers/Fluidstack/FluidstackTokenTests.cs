using static GpuCloud.Tests.Support.FluidstackJson;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// Fluidstack OAuth2 client credentials: the token request, caching until expiry minus the margin on a fake clock,
/// one refresh however many callers wait, and one refresh-and-resend on a 401.
/// </summary>
public class FluidstackTokenTests : PlumbingTest
{
    private const string TokenUrl = "https://auth.example.test/oauth/token";

    private static FluidstackOptions ClientCredentials(string secret = ClientSecret) => new()
    {
        ClientId = ClientId,
        ClientSecret = secret,
        TokenUrl = new Uri(TokenUrl),
        ManagementUrl = new Uri(Management),
        ProjectId = FluidstackJson.ProjectId,
    };

    private static Responder Keys => Always(HttpStatusCode.OK, $"[{Key("laptop", SchemaKey)}]");

    private static Responder Tokens(params string[] tokens) =>
        (_, call, _) => Task.FromResult(Response(HttpStatusCode.OK, TokenJson(tokens[Math.Min(call, tokens.Length) - 1])));

    private static IReadOnlyList<SentRequest> TokenRequests(ScriptedHandler http) => http.Sent(HttpMethod.Post, TokenUrl);

    private static IReadOnlyList<SentRequest> KeyRequests(ScriptedHandler http) => http.Sent(HttpMethod.Get, UserKeysUrl);

    [Test]
    public async Task TheTokenRequest_IsAFormPost_WithTheClientCredentialsAndAudience()
    {
        var http = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, Tokens(IssuedToken1)).On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var keys = await Guard(fluidstack.ListSshKeysAsync());

        var post = TokenRequests(http).Single();
        var form = System.Web.HttpUtility.ParseQueryString(post.Body!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys, Has.Count.EqualTo(1));
            Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
            Assert.That(form["client_id"], Is.EqualTo(ClientId));
            Assert.That(form["client_secret"], Is.EqualTo(ClientSecret));
            Assert.That(form["audience"], Is.EqualTo(FluidstackOptions.DefaultAudience));
            Assert.That(post.Authorization, Is.Null, "the token request authenticates with its body, not a bearer token");
            Assert.That(KeyRequests(http).Single().Authorization, Is.EqualTo("Bearer " + IssuedToken1));
            Assert.That(http.Requests.Select(r => r.Number), Is.EqualTo(new[] { 1, 2 }), "the token first, then the API call");
        }
    }

    [Test]
    public async Task FiftyConcurrentCalls_ShareOneTokenRequest()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, async (_, call, _) =>
            {
                await gate.Task;
                return Response(HttpStatusCode.OK, TokenJson(call == 1 ? IssuedToken1 : IssuedToken2));
            })
            .On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var calls = Enumerable.Range(0, 50).Select(_ => fluidstack.ListSshKeysAsync()).ToArray();
        await http.WaitForCountAsync(1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls.Count(c => c.IsCompleted), Is.Zero, "all 50 are waiting for the token");
            Assert.That(TokenRequests(http), Has.Count.EqualTo(1));
        }

        gate.SetResult();
        var results = await Guard(Task.WhenAll(calls));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TokenRequests(http), Has.Count.EqualTo(1), "one token request for 50 concurrent calls");
            Assert.That(KeyRequests(http), Has.Count.EqualTo(50));
            Assert.That(KeyRequests(http).Select(r => r.Authorization), Is.All.EqualTo("Bearer " + IssuedToken1));
            Assert.That(results, Has.All.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task TokenSource_FiftyWaiters_AllWaitOnTheOneFetch()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, async (_, _, _) =>
        {
            await gate.Task;
            return Response(HttpStatusCode.OK, TokenJson(IssuedToken1));
        });
        using var tokens = new FluidstackTokenSource(ClientCredentials(), http, new FakeTimeProvider());

        var waiting = Enumerable.Range(0, 50).Select(_ => tokens.GetTokenAsync(CancellationToken.None).AsTask()).ToArray();
        await http.WaitForCountAsync(1);
        Assert.That(waiting.Count(t => t.IsCompleted), Is.Zero);

        gate.SetResult();
        var issued = await Guard(Task.WhenAll(waiting));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(issued, Is.All.EqualTo(IssuedToken1));
            Assert.That(tokens.Fetches, Is.EqualTo(1));
            Assert.That(http.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task TheTokenIsReused_UntilExpiryMinusTheMargin_ThenRefreshed()
    {
        var clock = new FakeTimeProvider();
        var http = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, Tokens(IssuedToken1, IssuedToken2)).On(HttpMethod.Get, UserKeysUrl, Keys);
        var options = ClientCredentials();
        options.TokenRefreshMargin = TimeSpan.FromSeconds(60);
        using var fluidstack = new FluidstackProvider(options, http, clock);

        await Guard(fluidstack.ListSshKeysAsync());
        clock.Advance(TimeSpan.FromSeconds(3600 - 60) - TimeSpan.FromMilliseconds(1));
        await Guard(fluidstack.ListSshKeysAsync());
        Assert.That(TokenRequests(http), Has.Count.EqualTo(1), "still valid one millisecond before expiry minus the margin");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Guard(fluidstack.ListSshKeysAsync());
        await Guard(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TokenRequests(http), Has.Count.EqualTo(2));
            Assert.That(KeyRequests(http).Select(r => r.Authorization), Is.EqualTo(new[]
            {
                "Bearer " + IssuedToken1, "Bearer " + IssuedToken1, "Bearer " + IssuedToken2, "Bearer " + IssuedToken2,
            }));
        }
    }

    [Test]
    public async Task A401FromTheApi_RefreshesOnce_AndResendsWithTheNewToken()
    {
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, Tokens(IssuedToken1, IssuedToken2))
            .On(HttpMethod.Get, UserKeysUrl, (request, _, _) => Task.FromResult(request.Headers.Authorization?.Parameter == IssuedToken1
                ? Response(HttpStatusCode.Unauthorized, Error("token revoked"))
                : Response(HttpStatusCode.OK, $"[{Key("laptop", SchemaKey)}]")));
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var keys = await Guard(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "laptop" }));
            Assert.That(TokenRequests(http), Has.Count.EqualTo(2), "one refresh");
            Assert.That(KeyRequests(http).Select(r => r.Authorization), Is.EqualTo(new[] { "Bearer " + IssuedToken1, "Bearer " + IssuedToken2 }),
                "one resend, with the new token");
        }

        await Guard(fluidstack.ListSshKeysAsync());
        Assert.That(TokenRequests(http), Has.Count.EqualTo(2), "the refreshed token is cached");
    }

    [Test]
    public async Task FiftyConcurrent401s_ForTheSameToken_CauseOneRefresh()
    {
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, Tokens(IssuedToken1, IssuedToken2, "issued-SECRET-token-3"))
            .On(HttpMethod.Get, UserKeysUrl, async (request, _, _) =>
            {
                if (request.Headers.Authorization?.Parameter != IssuedToken1) return Response(HttpStatusCode.OK, "[]");
                await refused.Task;
                return Response(HttpStatusCode.Unauthorized, Error("token revoked"));
            });
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var calls = Enumerable.Range(0, 50).Select(_ => fluidstack.ListSshKeysAsync()).ToArray();
        await http.WaitForAsync(r => r.Count(x => x.Method == HttpMethod.Get) == 50);
        refused.SetResult();
        await Guard(Task.WhenAll(calls));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TokenRequests(http), Has.Count.EqualTo(2), "the first token, and one refresh for all 50 refusals");
            Assert.That(KeyRequests(http).Count(r => r.Authorization == "Bearer " + IssuedToken1), Is.EqualTo(50));
            Assert.That(KeyRequests(http).Count(r => r.Authorization == "Bearer " + IssuedToken2), Is.EqualTo(50), "each call resent once, with the new token");
        }
    }

    [Test]
    public async Task A401AfterTheRefresh_IsUnauthorized_WithoutALoop()
    {
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, Tokens(IssuedToken1, IssuedToken2, "issued-SECRET-token-3"))
            .On(HttpMethod.Get, UserKeysUrl, Always(HttpStatusCode.Unauthorized, Error("not allowed")));
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(TokenRequests(http), Has.Count.EqualTo(2));
            Assert.That(KeyRequests(http), Has.Count.EqualTo(2));
            Assert.That(ex.ToString(), Does.Not.Contain("issued-SECRET-token"));
        }
    }

    [Test]
    public async Task AStaticToken_Refused_IsUnauthorized_AfterOneRequest()
    {
        var http = new ScriptedHandler().On(HttpMethod.Get, UserKeysUrl, Always(HttpStatusCode.Unauthorized, Error("bad token")));
        var options = new FluidstackOptions { Token = FluidstackToken, ProjectId = FluidstackJson.ProjectId };
        using var fluidstack = new FluidstackProvider(options, http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(http.Requests.Select(r => r.Authorization), Is.EqualTo(new[] { "Bearer " + FluidstackToken }), "nothing to refresh: no resend");
        }
    }

    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.BadRequest)]
    [TestCase(HttpStatusCode.Forbidden)]
    public async Task ABadClientSecret_IsUnauthorized_AndTheMessageNeverShowsTheSecret(HttpStatusCode status)
    {
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, Always(status, """{"error": "access_denied", "error_description": "Unauthorized"}"""))
            .On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials("client-SECRET-789-wrong"), http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.StatusCode, Is.EqualTo(status));
            Assert.That(ex.Message, Does.Contain("token endpoint"));
            Assert.That(ex.ToString(), Does.Not.Contain("client-SECRET-789"));
            Assert.That(KeyRequests(http), Is.Empty, "no API call without a token");
        }
    }

    [Test]
    public async Task TheTokenEndpointDown_IsProviderUnavailable_AndTheNextCallTriesAgain()
    {
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, (_, call, _) => Task.FromResult(call == 1
                ? Response(HttpStatusCode.ServiceUnavailable, "upstream down")
                : Response(HttpStatusCode.OK, TokenJson(IssuedToken1))))
            .On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());
        var keys = await Guard(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(keys, Has.Count.EqualTo(1));
            Assert.That(TokenRequests(http), Has.Count.EqualTo(2), "a failed fetch is not cached");
        }
    }

    [Test]
    public async Task AFailedRefresh_IsSharedByTheCallersWaitingOnIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, async (_, _, _) =>
            {
                await gate.Task;
                return Response(HttpStatusCode.ServiceUnavailable, "upstream down");
            })
            .On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var calls = Enumerable.Range(0, 50).Select(_ => fluidstack.ListSshKeysAsync()).ToArray();
        await http.WaitForCountAsync(1);
        gate.SetResult();
        var errors = new List<GpuCloudException>();
        foreach (var call in calls) errors.Add(await FailsWith<GpuCloudException>(call));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors.Select(e => e.Code), Is.All.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(TokenRequests(http), Has.Count.EqualTo(1), "the callers waiting on the failed fetch share its failure");
        }
    }

    [TestCase("""{"access_token": "issued-SECRET-token-1", "expires_in": "soon"}""")]
    [TestCase("""{"access_token": "issued-SECRET-token-1""")]
    [TestCase("""{"access_token": issued-SECRET-token-1}""")]
    [TestCase("""{"token": "issued-SECRET-token-1"}""")]
    [TestCase("""<html>issued-SECRET-token-1</html>""")]
    public async Task AnUnreadableTokenAnswer_IsInvalidResponse_WithoutEchoingIt(string body)
    {
        var http = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, Always(HttpStatusCode.OK, body));
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, new FakeTimeProvider());

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(ex.ToString(), Does.Not.Contain("SECRET"));
        }
    }

    [Test]
    public async Task ExpiresInMissing_DefaultsToAnHour()
    {
        var clock = new FakeTimeProvider();
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, Always(HttpStatusCode.OK, $$"""{"access_token": "{{IssuedToken1}}"}"""))
            .On(HttpMethod.Get, UserKeysUrl, Keys);
        using var fluidstack = new FluidstackProvider(ClientCredentials(), http, clock);

        await Guard(fluidstack.ListSshKeysAsync());
        clock.Advance(TimeSpan.FromMinutes(58));
        await Guard(fluidstack.ListSshKeysAsync());
        Assert.That(TokenRequests(http), Has.Count.EqualTo(1));
        clock.Advance(TimeSpan.FromMinutes(1));
        await Guard(fluidstack.ListSshKeysAsync());
        Assert.That(TokenRequests(http), Has.Count.EqualTo(2));
    }
}
