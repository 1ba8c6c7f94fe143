using System.Net;
using System.Net.Sockets;
using GpuCloud.Testing;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests;

/// <summary>
/// Issue 25, item 5: errors say the first real cause, not the circuit breaker's symptom of it; a provider's stated reason
/// (its message, OAuth's <c>error</c>/<c>error_description</c>, RFC 6749 §5.2) is in the message and a secret never is;
/// one wording per code; the token endpoint is retried on 429 and 5xx honouring Retry-After.
/// </summary>
public class ErrorWordingTests
{
    private const string TokenUrl = "https://auth.example.test/oauth/token";
    private const string NoSuchHost = "Name or service not known (api.fluence.dev:443)";

    // Long enough for every retry delay and Retry-After here, shorter than the 30 s attempt timeout: the clock never
    // fires a timeout under a request still in flight.
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(20);

    private static GpuCloudOptions FluenceOnly(Uri? baseUrl = null) => new()
    {
        Fluence = { ApiKey = FluenceKey, BaseUrl = baseUrl ?? new Uri(FluenceJson.Base) },
    };

    private static GpuCloudOptions FluidstackOnly() => new()
    {
        Fluidstack =
        {
            ClientId = ClientId, ClientSecret = ClientSecret, TokenUrl = new Uri(TokenUrl),
            ManagementUrl = new Uri(FluidstackJson.Management), ProjectId = FluidstackJson.ProjectId,
        },
    };

    private static async Task<GpuCloudException> Fails(Task task)
    {
        try
        {
            await task;
        }
        catch (GpuCloudException ex)
        {
            return ex;
        }
        throw new AssertionException("expected a GpuCloudException");
    }

    [Test]
    public async Task NoNetwork_ThreeParallelPlanCalls_ReportTheNameResolutionFailure_NotTheCircuit()
    {
        // With the default breaker (10 calls, half failing), Fluence's three plan endpoints and their retries open the
        // circuit within one search: the later attempts are refused by it.
        var clock = new TrackedClock();
        var http = new ScriptedHandler().OnAny((_, _, _) => throw new HttpRequestException(HttpRequestError.NameResolutionError, NoSuchHost));
        using var client = new GpuCloudClient(FluenceOnly(), clock, null, _ => http);

        var plans = await clock.RunAsync(client.ListPlansAsync(), Horizon);
        var afterwards = await Fails(clock.RunAsync(client.GetInstanceAsync("fluence", "container:" + FluenceJson.ActiveContainerId), Horizon));

        var failure = plans.Failures.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failure.Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(failure.Error.Detail, Does.StartWith("the request failed: " + NoSuchHost), "the search's own cause");
            Assert.That(afterwards.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(afterwards.Detail, Does.StartWith(NoSuchHost).And.Contain("circuit open"), "stopped by the circuit, it still says why");
        }
    }

    [Test]
    public async Task RefusedPort_SaysConnectionRefused_AndTheAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var clock = new TrackedClock();
        using var client = new GpuCloudClient(FluenceOnly(new Uri($"http://127.0.0.1:{port}")), clock, null, null);

        var plans = await clock.RunAsync(client.ListPlansAsync(), Horizon);
        var afterwards = await Fails(clock.RunAsync(client.GetInstanceAsync("fluence", "container:" + FluenceJson.ActiveContainerId), Horizon));

        var failure = plans.Failures.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failure.Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(failure.Error.Message, Is.EqualTo($"fluence: the request failed: Connection refused (127.0.0.1:{port})"));
            Assert.That(afterwards.Message, Does.StartWith($"fluence: Connection refused (127.0.0.1:{port})"));
        }
    }

    [TestCase(401, """{"error": "invalid_client", "error_description": "Client authentication failed"}""", GpuCloudErrorCode.Unauthorized,
        "the token endpoint refused the token request (HTTP 401): invalid_client: Client authentication failed")]
    [TestCase(403, """{"error": "access_denied", "error_description": "Service not enabled within domain: https://api.fluidstack.io"}""", GpuCloudErrorCode.Unauthorized,
        "the token endpoint refused the token request (HTTP 403): access_denied: Service not enabled within domain: https://api.fluidstack.io")]
    [TestCase(400, """{"error": "invalid_scope"}""", GpuCloudErrorCode.InvalidRequest,
        "the token endpoint refused the token request (HTTP 400): invalid_scope")]
    [TestCase(401, """{"error": "invalid_client", "error_description": "bad secret client-SECRET-789"}""", GpuCloudErrorCode.Unauthorized,
        "the token endpoint refused the token request (HTTP 401): invalid_client: bad secret (secret)")]
    [TestCase(401, "", GpuCloudErrorCode.Unauthorized, "the token endpoint refused the token request (HTTP 401), with no reason given.")]
    public async Task TokenRefusal_SaysTheServersReason_NeverTheSecret(int status, string body, GpuCloudErrorCode code, string detail)
    {
        var clock = new TrackedClock();
        var http = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, Always((HttpStatusCode)status, body));
        using var client = new GpuCloudClient(FluidstackOnly(), clock, null, _ => http);

        var ex = await Fails(clock.RunAsync(client.ListSshKeysAsync("fluidstack"), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.Detail, Is.EqualTo(detail));
            Assert.That(ex.Message, Does.Not.Contain(ClientSecret));
            Assert.That(http.Sent(HttpMethod.Post, TokenUrl), Has.Count.EqualTo(1), "a refusal is not retried");
        }
    }

    [TestCase(HttpStatusCode.TooManyRequests)]
    [TestCase(HttpStatusCode.ServiceUnavailable)]
    public async Task TokenEndpoint_BusyThenFine_IsRetriedAfterRetryAfter(HttpStatusCode busy)
    {
        var clock = new TrackedClock();
        var asked = new List<DateTimeOffset>();
        var http = new ScriptedHandler()
            .On(HttpMethod.Post, TokenUrl, (_, call, _) =>
            {
                lock (asked) asked.Add(clock.GetUtcNow());
                return Task.FromResult(call == 1
                    ? Response(busy, """{"error": "too_many_requests"}""", h => h.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7)))
                    : Response(HttpStatusCode.OK, TokenJson(IssuedToken1)));
            })
            .On(HttpMethod.Get, FluidstackJson.UserKeysUrl, Always(HttpStatusCode.OK, "[]"));
        using var client = new GpuCloudClient(FluidstackOnly(), clock, null, _ => http);

        var keys = await clock.RunAsync(client.ListSshKeysAsync("fluidstack"), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys, Is.Empty);
            Assert.That(asked, Has.Count.EqualTo(2));
            Assert.That(asked[1] - asked[0], Is.EqualTo(TimeSpan.FromSeconds(7)), "the second request waited as Retry-After said");
            Assert.That(http.Sent(HttpMethod.Get, FluidstackJson.UserKeysUrl).Single().Authorization, Is.EqualTo("Bearer " + IssuedToken1));
        }
    }

    [Test]
    public async Task NotFound_SaysTheCodeOnce()
    {
        var http = new ScriptedHandler().OnAny(Always(HttpStatusCode.NotFound, ""));
        using var client = new GpuCloudClient(FluenceOnly(), new TrackedClock(), null, _ => http);

        var ex = await Fails(client.GetInstanceAsync("fluence", "container:" + FluenceJson.ActiveContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
            Assert.That(ex.Message, Is.EqualTo("fluence: HTTP 404, with no reason given."));
        }
    }
}
