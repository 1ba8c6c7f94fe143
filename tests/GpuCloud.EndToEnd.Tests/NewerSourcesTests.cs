using GpuCloud.Instances;
using GpuCloud.Plans;
using GpuCloud.Sandbox;

namespace GpuCloud.EndToEnd.Tests;

/// <summary>
/// The main job (plan, key, instance, delete) against a sandbox that follows the newest public sources, configured
/// the way a new user copies it from the docs.
/// </summary>
public sealed class NewerSourcesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Fluence_MainJob_WithTheDocsBaseUrl_AndKeysThatRefusePageZero()
    {
        // Sources: the Fluence GPU docs print https://api.fluence.dev/gpu as the base URL; Fluence's main API numbers
        // key pages from 1 (fluencelabs/terraform-provider-cloudless, internal/client/mock/testdata/fluence-public.yaml
        // @ 01abcc7), and the sandbox refuses page 0 as a strict server may.
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            ProvisioningDelay = TimeSpan.Zero, StartStopDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero,
        });
        var docsBaseUrl = new Uri(sandbox.FluenceBaseUrl, "gpu");
        using var cloud = new GpuCloudClient(new GpuCloudOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            Fluence = { ApiKey = sandbox.FluenceApiKey, BaseUrl = docsBaseUrl },
        });

        var plan = (await cloud.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.VirtualMachine })).Plans[0];
        var key = (await cloud.AddSshKeyAsync("e2e-key", TestKeys.Ed25519, "fluence")).Single();
        var again = (await cloud.AddSshKeyAsync("e2e-key-again", TestKeys.Ed25519, "fluence")).Single();
        var created = await cloud.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = "e2e-docs-url", SshPublicKeys = [TestKeys.Ed25519], OsImage = plan.OsImages[0],
        });
        var ready = await cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Running, Wait);
        await cloud.DeleteInstanceAsync("fluence", created.Id);
        await cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Terminated, Wait);
        await cloud.RemoveSshKeyAsync("fluence", key.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Ssh, Is.Not.Null);
            Assert.That(again.Id, Is.EqualTo(key.Id), "the second add finds the key on page 1");
            Assert.That((await cloud.ListSshKeysAsync("fluence")).Select(k => k.Fingerprint), Does.Not.Contain(TestKeys.Ed25519Fingerprint));
        }
    }
}
