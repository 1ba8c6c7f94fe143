namespace GpuCloud.Tests;

/// <summary>Every error envelope and status of both providers, transport failures, and the caller's own cancellation.</summary>
public partial class ErrorTranslationTests
{
    private const string ContainerId = FluenceJson.ActiveContainerId;
    private static readonly string ContainerUrl = FluenceJson.ContainerInstancesUrl + ContainerId;
    private static readonly string FluidstackInstanceUrl = FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid;
    private const string FluidstackInstanceId = "sandbox/" + FluidstackJson.InstanceGuid;

    private static CreateInstanceRequest ContainerRequest() => new()
    {
        Plan = new GpuPlan
        {
            Provider = "fluence", Id = "container:" + FluenceJson.H200PlanId, Name = "h200", Workload = WorkloadType.Container,
            Gpu = GpuModelCatalog.Parse("h200", 1), Locations = ["US"],
        },
        Name = "my-gpu-container",
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    private static async Task<GpuCloudException> Caught(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (GpuCloudException ex)
        {
            return ex;
        }
        Assert.Fail("Expected a GpuCloudException.");
        throw new UnreachableException();
    }

    private sealed class UnreachableException : Exception;

    private static void Respond(RecordingHttp http, HttpMethod method, string url, int status, string body, string mediaType = "application/json",
        string? retryAfter = null) =>
        http.Raw(method, url, (HttpStatusCode)status, body, mediaType, h =>
        {
            if (retryAfter is not null) h.TryAddWithoutValidation("Retry-After", retryAfter);
        });

    private static async Task<GpuCloudException> FluenceGet(int status, string body, string mediaType = "application/json", string? retryAfter = null)
    {
        using var http = new RecordingHttp();
        Respond(http, HttpMethod.Get, ContainerUrl, status, body, mediaType, retryAfter);
        using var fluence = Build.Fluence(http);
        return await Caught(() => fluence.GetInstanceAsync("container:" + ContainerId));
    }

    private static async Task<GpuCloudException> FluenceDeploy(int status, string body)
    {
        using var http = new RecordingHttp();
        Respond(http, HttpMethod.Post, FluenceJson.ContainerInstancesUrl, status, body);
        using var fluence = Build.Fluence(http);
        return await Caught(() => fluence.CreateInstanceAsync(ContainerRequest()));
    }
}
