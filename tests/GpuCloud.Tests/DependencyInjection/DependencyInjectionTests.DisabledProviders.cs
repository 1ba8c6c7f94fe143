using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

public partial class DependencyInjectionTests
{
    [Test]
    public async Task AProviderWithoutCredentials_IsDisabledWithAReason_AndTheOtherWorks()
    {
        var http = KeysEverywhere();
        var settings = FullSettings();
        settings.Remove("GpuCloud:Fluidstack:Token");
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)), http);

        var client = sp.GetRequiredService<GpuCloudClient>();
        var keys = await Guard(client.ListSshKeysAsync());
        var ex = await FailsWith<GpuCloudException>(() => client.ListSshKeysAsync("fluidstack"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence" }));
            Assert.That(client.DisabledProviders.Keys, Is.EqualTo(new[] { "fluidstack" }));
            Assert.That(client.DisabledProviders["fluidstack"], Does.Contain("FLUIDSTACK_TOKEN"));
            Assert.That(keys, Is.Empty);
            Assert.That(http.Requests.Select(r => r.Url), Is.EqualTo(new[] { FluenceUrl + "/v1/ssh_keys" }), "only the enabled provider is called");
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Message, Does.Contain("disabled").And.Contain("FLUIDSTACK_TOKEN"));
        }
    }

    [Test]
    public void NoCredentialsAtAll_BothProvidersAreDisabled_AndTheClientStillResolves()
    {
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?> { ["GpuCloud:PollInterval"] = "00:00:05" })));

        var client = sp.GetRequiredService<GpuCloudClient>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers, Is.Empty);
            Assert.That(client.DisabledProviders.Keys, Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
            Assert.That(client.DisabledProviders["fluence"], Does.Contain("FLUENCE_API_KEY"));
        }
    }
}
