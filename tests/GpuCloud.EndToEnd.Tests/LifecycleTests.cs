using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.EndToEnd.Tests;

/// <summary>The whole lifecycle on each provider through the facade, over loopback HTTP against the sandbox.</summary>
public sealed class LifecycleTests
{
    private SandboxServer _sandbox = null!;
    private GpuCloudClient _cloud = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            ProvisioningDelay = TimeSpan.Zero, StartStopDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero,
        });
        _cloud = new GpuCloudClient(new GpuCloudOptions { PollInterval = TimeSpan.FromMilliseconds(20) }.ConnectTo(_sandbox));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _cloud.Dispose();
        await _sandbox.DisposeAsync();
    }

    // Generous: the sandbox provisions in seconds; a wait this long only stops a hang, and a busy machine never reaches it.
    private static readonly TimeSpan Wait = HangGuard.Limit;

    [Test]
    public async Task Fluence_Container_CreateWaitDelete()
    {
        var plan = (await _cloud.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["A100"] })).Plans[0];
        var created = await _cloud.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = "e2e-container", SshPublicKeys = [TestKeys.Ed25519],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        var ready = await _cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Running, Wait);

        Assert.That(ready.IsReady, Is.True);
        Assert.That(ready.Ssh!.User, Is.EqualTo("root"));
        Assert.That((await _cloud.ListInstancesAsync("fluence")).Select(i => i.Id), Does.Contain(created.Id));

        await _cloud.DeleteInstanceAsync("fluence", created.Id);
        var gone = await _cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Terminated, Wait);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(gone.ProviderState, Is.EqualTo("ENDED"));
            Assert.That(Sandbox(created.Id), Has.Property(nameof(SandboxInstance.IsLive)).False, "the sandbox released it");
        }
        await _cloud.DeleteInstanceAsync("fluence", created.Id); // already gone counts as deleted
    }

    [Test]
    public async Task Fluence_Vm_CreateWaitDelete()
    {
        var plan = (await _cloud.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.VirtualMachine })).Plans[0];
        var created = await _cloud.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = "e2e-vm", SshPublicKeys = [TestKeys.Ed25519], OsImage = plan.OsImages[0],
        });
        var ready = await _cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Running, Wait);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Id, Is.EqualTo(created.Id));
            Assert.That(ready.State, Is.EqualTo(InstanceState.Running));
            Assert.That(ready.IsReady, Is.True);
            Assert.That(ready.Ssh, Is.Not.Null);
            Assert.That(Sandbox(created.Id), Has.Property(nameof(SandboxInstance.IsLive)).True, "the sandbox holds it");
        }

        await _cloud.DeleteInstanceAsync("fluence", created.Id);
        var gone = await _cloud.WaitForStateAsync("fluence", created.Id, InstanceState.Terminated, Wait);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone.Id, Is.EqualTo(created.Id));
            Assert.That(gone.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(gone.ProviderState, Is.EqualTo("ENDED"));
            // The sandbox's own record, not the library's word: the delete reached it and the VM no longer holds resources.
            Assert.That(Sandbox(created.Id), Has.Property(nameof(SandboxInstance.IsLive)).False.And.Property(nameof(SandboxInstance.State)).EqualTo("ENDED"));
            Assert.That(_sandbox.Inventory.LiveInstances(SandboxProvider.Fluence).Where(i => i.Name == "e2e-vm"), Is.Empty);
        }
    }

    /// <summary>The sandbox's record of a Fluence instance, by the library's id (<c>vm:uuid</c>).</summary>
    private SandboxInstance? Sandbox(string id) =>
        _sandbox.Inventory.Instances(SandboxProvider.Fluence).SingleOrDefault(i => string.Equals(i.Id, id[(id.IndexOf(':') + 1)..], StringComparison.OrdinalIgnoreCase));

    [Test]
    public async Task Fluidstack_CreateWaitStopStartDelete()
    {
        var plan = (await _cloud.ListPlansAsync(new PlanQuery { Providers = ["fluidstack"], GpuModels = ["A100"], OnlyAvailable = true })).Plans[0];
        var created = await _cloud.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = "e2e-fluidstack", SshPublicKeys = [TestKeys.Ed25519], Tags = new Dictionary<string, string> { ["owner"] = "e2e" },
        });
        Assert.That(created.Region, Is.EqualTo(plan.Region));

        var running = await _cloud.WaitForStateAsync("fluidstack", created.Id, InstanceState.Running, Wait);
        Assert.That(running.Ssh!.User, Is.EqualTo("ubuntu"));
        Assert.That(running.Tags["owner"], Is.EqualTo("e2e"));

        await _cloud.StopInstanceAsync("fluidstack", created.Id);
        await _cloud.WaitForStateAsync("fluidstack", created.Id, InstanceState.Stopped, Wait);
        var conflict = Assert.ThrowsAsync<GpuCloudException>(() => _cloud.StopInstanceAsync("fluidstack", created.Id));
        Assert.That(conflict!.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));

        await _cloud.StartInstanceAsync("fluidstack", created.Id);
        await _cloud.WaitForStateAsync("fluidstack", created.Id, InstanceState.Running, Wait);

        await _cloud.DeleteInstanceAsync("fluidstack", created.Id);
        var gone = await _cloud.WaitForStateAsync("fluidstack", created.Id, InstanceState.Terminated, Wait);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone.Id, Is.EqualTo(created.Id));
            Assert.That(gone.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(_sandbox.Inventory.LiveInstances(SandboxProvider.Fluidstack).Where(i => i.Name == "e2e-fluidstack"), Is.Empty);
        }
    }

    [Test]
    public async Task Keys_AddIsIdempotentAcrossProviders_AndRemove()
    {
        var first = await _cloud.AddSshKeyAsync("e2e-key", TestKeys.Ed25519);
        var again = await _cloud.AddSshKeyAsync("e2e-key-again", TestKeys.Ed25519.Replace("test@host", "other-comment", StringComparison.Ordinal));

        Assert.That(first.Select(k => k.Provider), Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
        Assert.That(first.Select(k => k.Fingerprint).Distinct(), Is.EqualTo(new[] { TestKeys.Ed25519Fingerprint }));
        Assert.That(again.Select(k => k.Id), Is.EquivalentTo(first.Select(k => k.Id)), "the same key material returns the registered key");

        foreach (var key in first) await _cloud.RemoveSshKeyAsync(key.Provider, key.Id);
        Assert.That((await _cloud.ListSshKeysAsync()).Select(k => k.Fingerprint), Does.Not.Contain(TestKeys.Ed25519Fingerprint));
    }
}
