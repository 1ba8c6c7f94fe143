using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// One <c>Retry-After</c> reader for the resilience handler, error translation and Fluidstack's token endpoint:
/// delta-seconds or an HTTP-date (RFC 9110 §10.2.3, dates in the three forms of §5.6.7), dated on the given clock;
/// anything else is no wait at all rather than a guess.
/// </summary>
public class RetryAfterReaderTests : PlumbingTest
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static TimeSpan? Read(string value) =>
        ErrorTranslation.RetryAfter(new Dictionary<string, IEnumerable<string>> { ["Retry-After"] = [value] }, Time);

    [TestCase("Sun, 01 Mar 2026 12:00:30 GMT", 30, TestName = "IMF-fixdate")]
    [TestCase("Sunday, 01-Mar-26 12:00:30 GMT", 30, TestName = "obsolete RFC 850 date")]
    [TestCase("Sun Mar  1 12:00:30 2026", 30, TestName = "obsolete asctime date")]
    [TestCase("0", 0, TestName = "zero seconds")]
    [TestCase("86400", 86400, TestName = "a day in seconds")]
    public void AValidValue_IsTheWaitItAsksFor(string value, int seconds) =>
        Assert.That(Read(value), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("1.5", TestName = "fractional seconds")]
    [TestCase("+5", TestName = "signed seconds")]
    [TestCase("-5", TestName = "negative seconds")]
    [TestCase("2026-03-01T12:00:30Z", TestName = "an ISO date, not an HTTP-date")]
    [TestCase("3/1/2026 12:00:30", TestName = "a local-style date")]
    [TestCase("tomorrow", TestName = "a word")]
    [TestCase("", TestName = "empty")]
    [TestCase("1000000000000", TestName = "more seconds than a TimeSpan holds")]
    public void AnythingElse_IsIgnored(string value) => Assert.That(Read(value), Is.Null);

    [Test]
    public async Task TheFluidstackTokenEndpoint_RetryAfterAsAnHttpDate_IsReadOnTheProvidersClock()
    {
        var clock = new TrackedClock();
        var at = clock.GetUtcNow().AddSeconds(40);
        var http = new ScriptedHandler().On(HttpMethod.Post, "https://auth.example.test/oauth/token",
            Always(HttpStatusCode.TooManyRequests, """{"error": "slow_down"}""", h => h.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(at)));
        var options = new FluidstackOptions
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            TokenUrl = new Uri("https://auth.example.test/oauth/token"),
            ManagementUrl = new Uri(FluidstackJson.Management),
        };
        using var fluidstack = new FluidstackProvider(options, http, clock);

        var ex = await FailsWith<GpuCloudException>(fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(40)), "a date is a wait too, not only delta-seconds");
        }
    }
}
