using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

public partial class DependencyInjectionTests
{
    [Test]
    public async Task TraceLevelLogs_OfTheWholeDiChain_NeverContainACredential()
    {
        var http = KeysEverywhere();
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())), http);

        await Guard(sp.GetRequiredService<GpuCloudClient>().ListSshKeysAsync());

        var factoryLogs = Watch.Logs.Records.Where(e => e.Category?.StartsWith("System.Net.Http.HttpClient.GpuCloud.", StringComparison.Ordinal) == true).ToArray();
        using (Assert.EnterMultipleScope())
        {
            // IHttpClientFactory's own logging keeps raw header values in its structured state, so it is removed.
            Assert.That(factoryLogs, Is.Empty, "no IHttpClientFactory request logging on the GpuCloud clients");
            Assert.That(Watch.Leaks(), Is.Empty, "no credential by value anywhere");
            Assert.That(Watch.Logs.Records.Count(e => e.Category?.StartsWith("GpuCloud.Http.", StringComparison.Ordinal) == true), Is.EqualTo(2),
                "one attempt line per request from the resilience handler");
        }
    }
}
