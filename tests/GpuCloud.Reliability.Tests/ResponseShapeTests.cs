using System.Net;
using GpuCloud;
using GpuCloud.Reliability.Tests.Support;
using RichardSzalay.MockHttp;

namespace GpuCloud.Reliability.Tests;

/// <summary>
/// Answers the sandbox cannot give, from a MockHttp handler under the real pipeline (provider, resilience handler):
/// numbers at the edge of their type and required fields that are missing. Nothing here touches the network.
/// </summary>
[TestFixture]
public sealed class ResponseShapeTests
{
    private const string Management = "https://fs.example.test/api/v1alpha1";
    private static readonly Guid Project = Guid.Parse("5d7bdc2f-1c11-4c35-9d37-6f0c1f5e0c3a");

    private MockHttpMessageHandler _mock = null!;
    private Transport _transport = null!;
    private Composed _composed = null!;

    [SetUp]
    public void SetUp()
    {
        _mock = new MockHttpMessageHandler();
        _transport = new Transport(_mock);
        var options = new GpuCloudOptions
        {
            Fluidstack = { Token = "static-test-token", ManagementUrl = new Uri(Management), ProjectId = Project },
            Resilience = { RetryBaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = Clients.AttemptTimeout, TotalTimeout = Clients.TotalTimeout },
        };
        _composed = new Composed(options, _transport, null);
        _mock.When(HttpMethod.Get, Management + "/regions").Respond("application/json",
            """[{"name": "r1", "url": "https://r1.example.test"}, {"name": "r2", "url": "https://r2.example.test"}]""");
        foreach (var region in new[] { "r1", "r2" })
            _mock.When(HttpMethod.Get, $"https://{region}.example.test/api/v1alpha1/instance-types").Respond("application/json",
                """[{"name": "h100-hgx-80gb.8x", "cpu": 96, "memory": "960Gi", "gpuModel": "GH100_H100_SXM5_80GB", "gpuCount": 8}]""");
    }

    [TearDown]
    public void TearDown()
    {
        _composed.Dispose();
        _transport.Dispose();
        _mock.Dispose();
    }

    [Test]
    public async Task CapacityNearIntMaxValueInOneRegionNeitherThrowsUntypedNorHidesOtherRegions()
    {
        _mock.When(HttpMethod.Get, "https://r1.example.test/api/v1alpha1/capacity").Respond("application/json",
            """[{"name": "h100-hgx-80gb.8x", "capacity": 2147483647}, {"name": "h100-hgx-80gb.8x", "capacity": 1}]""");
        _mock.When(HttpMethod.Get, "https://r2.example.test/api/v1alpha1/capacity").Respond("application/json",
            """[{"name": "h100-hgx-80gb.8x", "capacity": 3}]""");

        var result = await _composed.Client.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Where(p => p.Region == "r2").Select(p => p.AvailableCount), Is.EqualTo(new int?[] { 3 }), "region r2 is listed");
            Assert.That(result.Failures.Select(f => f.Error.Code), Has.None.EqualTo(GpuCloudErrorCode.Unknown), "failures are typed: " + string.Join("; ", result.Failures.Select(f => f.Error.Message)));
            Assert.That(result.Failures.Where(f => f.Region is null), Is.Empty, "one region's answer does not fail the whole provider");
        }
    }

    [Test]
    public async Task CapacityOfOrdinarySizeIsSummedPerType()
    {
        _mock.When(HttpMethod.Get, "https://r1.example.test/api/v1alpha1/capacity").Respond("application/json",
            """[{"name": "h100-hgx-80gb.8x", "capacity": 2}, {"name": "H100-HGX-80GB.8x", "capacity": 1}]""");
        _mock.When(HttpMethod.Get, "https://r2.example.test/api/v1alpha1/capacity").Respond("application/json", "[]");

        var result = await _composed.Client.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Plans.Single(p => p.Region == "r1").AvailableCount, Is.EqualTo(3));
            Assert.That(result.Plans.Single(p => p.Region == "r2").Availability, Is.EqualTo(PlanAvailability.Unavailable));
            Assert.That(_transport.Sent, Has.Count.EqualTo(5), "regions once, then types and capacity per region");
        }
    }

    [Test]
    public async Task AnInstanceWithoutItsRequiredStateIsUnknownNeverProvisioning()
    {
        _mock.When(HttpMethod.Get, Management + "/instances").Respond("application/json",
            """[{"id": "7c1f7f1e-3a2b-4c1d-9e8f-0a1b2c3d4e5f", "name": "no-state", "type": "h100-hgx-80gb.8x", "region": "r1"},""" +
            """ {"id": "8c1f7f1e-3a2b-4c1d-9e8f-0a1b2c3d4e5f", "name": "odd-state", "type": "h100-hgx-80gb.8x", "region": "r1", "state": "  RUNNING-ISH  "}]""");

        var instances = await _composed.Client.ListInstancesAsync("fluidstack");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances.Select(i => i.State), Is.All.EqualTo(InstanceState.Unknown));
            Assert.That(instances.Select(i => i.IsReady), Is.All.False);
            Assert.That(instances.Single(i => i.Name == "odd-state").ProviderState, Is.EqualTo("  RUNNING-ISH  "), "the raw state is kept");
        }
    }

    [Test]
    public async Task A429WithAnHTTPDateRetryAfterBeyondMaxRetryAfterIsNotRetried()
    {
        var calls = 0;
        _mock.When(HttpMethod.Get, Management + "/user/keys").Respond(_ =>
        {
            Interlocked.Increment(ref calls);
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("""{"message": "slow down"}""") };
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(10));
            return response;
        });

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => _composed.Client.ListSshKeysAsync("fluidstack"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.RetryAfter, Is.GreaterThan(TimeSpan.FromMinutes(9)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(ex.ProviderMessage, Is.EqualTo("slow down"));
            Assert.That(calls, Is.EqualTo(1), "a wait longer than MaxRetryAfter is left to the caller");
        }
    }
}
