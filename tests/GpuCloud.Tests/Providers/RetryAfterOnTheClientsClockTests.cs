using System.Net;

namespace GpuCloud.Tests;

/// <summary>
/// A <c>Retry-After</c> HTTP-date in a provider's error answer is turned into a wait on the provider's clock, the same
/// clock the resilience handler waits on: read on the system clock, a date from a test's (or an application's own)
/// clock comes out as "now" or as months.
/// </summary>
public class RetryAfterOnTheClientsClockTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string ThirtySecondsLater = "Sun, 01 Mar 2026 12:00:30 GMT";

    [Test]
    public void Fluidstack_ARetryAfterDate_IsAWaitOnTheProvidersClock()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        http.Raw(HttpMethod.Get, FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid, HttpStatusCode.TooManyRequests,
            FluidstackJson.Error("slow down"), "application/json", h => h.TryAddWithoutValidation("Retry-After", ThirtySecondsLater));
        using var fluidstack = Build.Fluidstack(http, new FakeTimeProvider(Now));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.GetInstanceAsync("sandbox/" + FluidstackJson.InstanceGuid));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Fluence_ARetryAfterDate_IsAWaitOnTheProvidersClock()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, FluenceJson.ContainerInstancesUrl + FluenceJson.ActiveContainerId, HttpStatusCode.TooManyRequests,
            """{"error": "slow down"}""", "application/json", h => h.TryAddWithoutValidation("Retry-After", ThirtySecondsLater));
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(FluenceJson.Base) },
            http.Handler, timeProvider: new FakeTimeProvider(Now));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.GetInstanceAsync("container:" + FluenceJson.ActiveContainerId));

        Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }
}
