namespace GpuCloud.Tests;

/// <summary>
/// One place puts the provider in front of a message: <see cref="GpuCloudException"/> shows <c>"{Provider}: {Detail}"</c>,
/// and what creates an exception writes only the detail.
/// </summary>
public class ProviderMessageTests
{
    [TestCase("testcloud", "instance x is Stopped.", "testcloud: instance x is Stopped.", "instance x is Stopped.",
        TestName = "TheMessageIsTheProviderThenTheText_WhenAProviderIsGiven")]
    [TestCase(null, "Name: a name is required.", "Name: a name is required.", "Name: a name is required.",
        TestName = "TheMessageIsTheTextAlone_WhenNoProviderIsGiven")]
    public void TheMessageIsTheProviderThenTheDetail(string? provider, string text, string message, string detail)
    {
        var ex = new GpuCloudException(GpuCloudErrorCode.Conflict, text, provider);

        Assert.That((ex.Message, ex.Detail), Is.EqualTo((message, detail)));
    }

    [Test]
    public void ATranslatedHttpError_CarriesTheProviderOnce()
    {
        var ex = ErrorTranslation.FromStatus("testcloud", 404, "Instance not found", null, TimeProvider.System, new InvalidOperationException());

        Assert.That((ex.Message, ex.Detail), Is.EqualTo(("testcloud: HTTP 404: Instance not found", "HTTP 404: Instance not found")));
    }

    [Test]
    public void ATransportFailure_CarriesTheProviderOnce()
    {
        var ex = ErrorTranslation.FromTransport("testcloud", new TimeoutException(), CancellationToken.None)!;

        Assert.That((ex.Message, ex.Detail), Is.EqualTo(("testcloud: the request timed out.", "the request timed out.")));
    }

    [Test]
    public void EachProvidersOwnMessages_CarryItsNameOnce()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.StartInstanceAsync("container:x"))!;

        Assert.That(ex.Message, Is.EqualTo("fluence: instances cannot be started or stopped, only deployed and terminated."));
        Assert.That(ex.Detail, Does.Not.StartWith("fluence"));
    }

    [Test]
    public void AProviderCheckBeforeSending_NamesTheProviderOnce()
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.DeleteInstanceAsync("not-an-id"))!;

        Assert.That(ex.Message, Does.StartWith("fluidstack: instanceId: "));
        Assert.That(ex.Detail, Does.StartWith("instanceId: "));
        Assert.That(http.Requests, Is.Empty);
    }
}
