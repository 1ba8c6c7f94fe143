namespace GpuCloud.Cli.Tests;

/// <summary>
/// The CLI shows the provider once, from <see cref="GpuCloudException.Provider"/>, in front of the exception's
/// <see cref="GpuCloudException.Detail"/>: <c>error: &lt;provider&gt;: &lt;code&gt;: &lt;detail&gt;</c>.
/// </summary>
public sealed class ProviderPrefixTests
{
    [Test]
    public void AProviderError_ShowsTheProviderOnce()
    {
        var ex = new GpuCloudException(GpuCloudErrorCode.Conflict, "instance x is Stopped.", "testcloud");

        Assert.That(CliApp.Describe(ex), Is.EqualTo("testcloud: Conflict: instance x is Stopped."));
    }

    [Test]
    public void AnErrorWithoutAProvider_IsGpuCloudsOwn()
    {
        var ex = new GpuCloudException(GpuCloudErrorCode.InvalidRequest, "Name: a name is required.");

        Assert.That(CliApp.Describe(ex), Is.EqualTo("gpucloud: InvalidRequest: Name: a name is required."));
    }

    [Test]
    public void ADetailThatMerelyStartsLikeTheProvidersName_IsKeptWhole()
    {
        var ex = new GpuCloudException(GpuCloudErrorCode.NotFound, "testcloud-eu: no such region.", "testcloud");

        Assert.That(CliApp.Describe(ex), Is.EqualTo("testcloud: NotFound: testcloud-eu: no such region."));
    }

    [Test]
    public async Task AProvidersOwnError_ShowsItsNameOnce_OnTheCommandLine()
    {
        var result = await Cli.RunAsync("instances", "start", "--sandbox", "fluence", "container:00000000-0000-0000-0000-000000000000");

        Assert.That(result.Error.TrimEnd(), Is.EqualTo("error: fluence: NotSupported: instances cannot be started or stopped, only deployed and terminated."));
    }
}
