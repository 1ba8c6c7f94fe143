using System.Text.Json;
using GpuCloud.Testing;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 3: <c>instances create --provider fluence --plan &lt;a VM plan&gt;</c> boots the plan's first OS image,
/// as its help says and as <c>run</c> does (it failed with "OsImage: an OS image is required").
/// </summary>
public sealed class CreateDefaultsTests
{
    [Test]
    public async Task CreateFluenceVm_WithoutOsImage_BootsThePlansFirstImage_AndSaysSo()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        using var client = new GpuCloudClient(new GpuCloudOptions().ConnectTo(sandbox.Server));
        var plan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.VirtualMachine })).Plans.First(p => p.OsImages.Count > 1);
        var key = Cli.KeyFile(Cli.Ed25519);

        var result = await sandbox.RunAsync("instances", "create", "--provider", "fluence", "--plan", plan.Id, "--name", "vm-default-image", "--ssh-key", key);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out + result.Error, Does.Contain("--os-image " + plan.OsImages[0]));
        var vms = await sandbox.FluenceAsync("gpu/instances/vms");
        var created = vms.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "vm-default-image");
        var detail = await sandbox.FluenceAsync("gpu/instances/vms/" + created.GetProperty("id").GetString());
        Assert.That(detail.GetProperty("os_image").GetString(), Is.EqualTo(plan.OsImages[0]));
    }
}
