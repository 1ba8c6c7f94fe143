using System.Text.RegularExpressions;
using GpuCloud;
using GpuCloud.Sandbox;
using Newtonsoft.Json.Linq;

namespace GpuCloud.EndToEnd.Tests;

/// <summary>
/// The main job (plan, key, instance, delete) against a sandbox that follows the newest public sources, configured
/// the way a new user copies it from the docs.
/// </summary>
public sealed class NewerSourcesTests
{
    // Generous: the sandbox provisions in seconds; a wait this long only stops a hang, and a busy machine never reaches it.
    private static readonly TimeSpan Wait = HangGuard.Limit;

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

    private static Task<SandboxServer> SwitchedSandboxAsync() => SandboxServer.StartAsync(new SandboxOptions
    {
        ProvisioningDelay = TimeSpan.Zero, StartStopDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero,
        FluidstackRegionalProjects = true, ServeMalformedListItem = true, FluidstackUserData = UserDataEcho.RawText,
    });

    private static GpuCloudClient Client(SandboxServer sandbox, Action<GpuCloudOptions> configure)
    {
        var options = new GpuCloudOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            Fluence = { ApiKey = sandbox.FluenceApiKey, BaseUrl = sandbox.FluenceBaseUrl },
            Fluidstack = { Token = sandbox.FluidstackToken, ManagementUrl = sandbox.FluidstackManagementUrl },
        };
        configure(options);
        return new GpuCloudClient(options);
    }

    [Test]
    public async Task PlanSearch_OneMalformedOffer_ARegionWithoutTheProject_AndTypesWithoutACount()
    {
        // Sources: one odd value costs one offer (newer-sources; the docs type counts as integers); a region whose
        // capacity call is refused keeps its types with availability unknown (atlas-client-go: projects are regional);
        // gpu_count may be missing and the type name's .<n>x is the count (atlas-client-go omitempty).
        await using var sandbox = await SwitchedSandboxAsync();
        using var cloud = Client(sandbox, o => o.Fluidstack.ProjectId = sandbox.FluidstackProjectId);
        using var raw = new HttpClient();
        raw.DefaultRequestHeaders.Add("X-API-KEY", sandbox.FluenceApiKey);
        var offers = JObject.Parse(await raw.GetStringAsync(new Uri(sandbox.FluenceBaseUrl, "gpu/plans/vms")))
            .SelectTokens("data[*].availability_by_number[*].options[*]").Count();

        var fluence = await cloud.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.VirtualMachine });
        var fluidstack = await cloud.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] });

        var refused = fluidstack.Failures.Single();
        var regions = fluidstack.Plans.GroupBy(p => p.Region!).ToDictionary(g => g.Key, g => g.ToArray());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fluence.Failures, Is.Empty);
            Assert.That(fluence.Plans, Has.Count.EqualTo(offers - 1), "every offer but the malformed one");
            Assert.That(regions, Has.Count.EqualTo(2), "both regions keep their types");
            Assert.That(refused.Error.Code, Is.EqualTo(GpuCloudErrorCode.Forbidden));
            Assert.That(regions[refused.Region!].Select(p => p.Availability), Is.All.EqualTo(PlanAvailability.Unknown));
            Assert.That(regions.Where(r => r.Key != refused.Region).SelectMany(r => r.Value).Select(p => p.Availability), Has.Some.Not.EqualTo(PlanAvailability.Unknown));
            foreach (var plan in fluidstack.Plans.Where(p => p.Gpu.Count > 0))
                Assert.That(plan.Gpu.Count, Is.EqualTo(int.Parse(Regex.Match(plan.Name, @"\.(\d+)x$").Groups[1].Value)), plan.Name);
        }
    }

    [Test]
    public async Task Fluidstack_Create_NeedsTheRegionsProject_AndReadsRawUserData()
    {
        // Source: atlas-client-go's example asks for "an existing Atlas project in this region"; newer-sources: userData
        // may come back as raw #cloud-config text.
        await using var sandbox = await SwitchedSandboxAsync();
        using var unconfigured = Client(sandbox, _ => { });
        // The region where the sandbox's project lives is the one whose capacity is not refused.
        using var everywhere = Client(sandbox, o => o.Fluidstack.ProjectId = sandbox.FluidstackProjectId);
        var search = await everywhere.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"] });
        var plan = search.Plans.First(p => p.Gpu.Count > 0 && search.Failures.All(f => f.Region != p.Region));
        var region = plan.Region!;

        var refused = Assert.ThrowsAsync<GpuCloudException>(() => unconfigured.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = "e2e-regional", SshPublicKeys = [TestKeys.Ed25519],
        }));
        Assert.That(refused!.Message, Does.Contain(region));

        using var configured = Client(sandbox, o => o.Fluidstack.ProjectIds[region] = sandbox.FluidstackProjectId);
        var created = await configured.CreateInstanceAsync(new CreateInstanceRequest { Plan = plan, Name = "e2e-regional", SshPublicKeys = [TestKeys.Ed25519] });
        var running = await configured.WaitForStateAsync("fluidstack", created.Id, InstanceState.Running, Wait);
        var listed = await configured.ListInstancesAsync("fluidstack");
        await configured.DeleteInstanceAsync("fluidstack", created.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(running.Region, Is.EqualTo(region));
            Assert.That(listed.Select(i => i.Id), Does.Contain(created.Id));
        }
    }
}
