using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>FluidstackProvider over MockHttp: regions, plans, capacity, instances, states, keys, user data and headers.</summary>
public partial class FluidstackProviderTests
{
    private const string InstanceId = "sandbox/" + InstanceGuid;

    private static void RegionalPlans(RecordingHttp http, string regional, string types = InstanceTypes, string capacity = Capacity)
    {
        http.Json(HttpMethod.Get, regional + "/instance-types", types);
        http.Json(HttpMethod.Get, regional + "/capacity", capacity);
    }

    private static string DecodeUserData(RecordedRequest post)
    {
        var encoded = (string?)JObject.Parse(post.Body!)["userData"];
        Assert.That(encoded, Is.Not.Null, "userData was not sent");
        return Encoding.UTF8.GetString(Convert.FromBase64String(encoded!));
    }
}
