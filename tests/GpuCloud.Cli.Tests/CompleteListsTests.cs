using System.Text.Json;
using GpuCloud.Testing;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 1: Fluence's lists carry no SSH endpoint and no price, so `instances list` and `ssh-config` must
/// complete them and agree with `instances get`; a `ssh-config` that writes or shows nothing says why (issue 24:
/// `ssh-config -o json` is honoured, an unwritable folder is a one-line error).
/// </summary>
public sealed class CompleteListsTests
{
    [Test]
    public async Task ReadyFluenceContainerAndVm_GetSshConfigEntries_AndListedPriceAndSsh_AsTheirDetailShows()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var options = new GpuCloudOptions { PollInterval = TimeSpan.FromMilliseconds(50), ReadinessProbe = ReadinessProbe.None }.ConnectTo(sandbox.Server);
        using var client = new GpuCloudClient(options);
        var vmPlan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.VirtualMachine })).Plans.First(p => p.OsImages.Count > 0);
        var containerPlan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans.First();
        var container = await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = containerPlan.Id, Name = "ready-container", SshPublicKeys = [Cli.Ed25519],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        var vm = await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = vmPlan.Id, Name = "ready-vm", SshPublicKeys = [Cli.Ed25519], OsImage = vmPlan.OsImages[0],
        });
        var readyContainer = await client.WaitForStateAsync("fluence", container.Id, InstanceState.Running, TimeSpan.FromMinutes(2));
        var readyVm = await client.WaitForStateAsync("fluence", vm.Id, InstanceState.Running, TimeSpan.FromMinutes(2));

        var config = await sandbox.RunAsync("ssh-config", "-o", "json");
        var list = await sandbox.RunAsync("instances", "list", "--provider", "fluence", "-o", "json");

        Assert.That(config.ExitCode, Is.Zero, config.Error);
        Assert.That(list.ExitCode, Is.Zero, list.Error);
        var entries = JsonDocument.Parse(config.Out).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        var listed = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        using (Assert.EnterMultipleScope())
        {
            foreach (var detail in new[] { readyContainer, readyVm })
            {
                Assert.That(detail.Ssh, Is.Not.Null, $"{detail.Name}: the detail has SSH");
                Assert.That(entries, Does.ContainKey(detail.Id), $"{detail.Name}: an ssh-config entry");
                if (!entries.TryGetValue(detail.Id, out var entry)) continue;
                Assert.That(entry.GetProperty("hostName").GetString(), Is.EqualTo(detail.Ssh!.Host));
                Assert.That(entry.GetProperty("port").GetInt32(), Is.EqualTo(detail.Ssh.Port));
                Assert.That(entry.GetProperty("user").GetString(), Is.EqualTo(detail.Ssh.User));
                Assert.That(entry.GetProperty("host").GetString(), Is.EqualTo("gpucloud-" + detail.Name));
                var row = listed[detail.Id];
                Assert.That(row.GetProperty("pricePerHour").GetDecimal(), Is.EqualTo(detail.PricePerHour), $"{detail.Name}: listed price");
                Assert.That(row.GetProperty("ssh").GetProperty("port").GetInt32(), Is.EqualTo(detail.Ssh.Port), $"{detail.Name}: listed SSH");
            }
        }
    }

    [Test]
    public async Task SshConfig_NothingReady_SaysWhy()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        using var client = new GpuCloudClient(new GpuCloudOptions().ConnectTo(sandbox.Server));
        var plan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans.First();
        await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = plan.Id, Name = "still-provisioning", SshPublicKeys = [Cli.Ed25519],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });

        var empty = await Cli.RunAsync("ssh-config", "--sandbox");
        var provisioning = await sandbox.RunAsync("ssh-config");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty.ExitCode, Is.Zero, empty.Error);
            Assert.That(empty.Error, Does.Contain("note: no instances are listed, so there are no entries."));
            Assert.That(provisioning.ExitCode, Is.Zero, provisioning.Error);
            Assert.That(provisioning.Error, Does.Contain("of 1 listed, 1 not running yet (provisioning)"));
        }
    }

    [Test]
    public async Task SshConfig_WriteIntoAFolderThatIsAFile_IsAOneLineError()
    {
        // A folder that cannot be created (a file stands in its way) fails for every user, root included.
        var config = Directory.CreateTempSubdirectory("gpucloud-ssh-blocked").FullName;
        File.WriteAllText(Path.Combine(config, "gpucloud"), "not a folder");

        var result = await Cli.RunAsync(["ssh-config", "--sandbox", "--write"], environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
            Assert.That(result.Error, Does.Contain($"error: gpucloud: could not write {Path.Combine(config, "gpucloud", "ssh_config")}"));
            Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        }
    }

    [Test]
    public async Task SshConfig_WriteOverAFolderOfTheSameName_IsAOneLineError()
    {
        // Replacing a folder with the file is refused for every user, root included (Linux: UnauthorizedAccessException).
        var config = Directory.CreateTempSubdirectory("gpucloud-ssh-folder").FullName;
        Directory.CreateDirectory(Path.Combine(config, "gpucloud", "ssh_config"));

        var result = await Cli.RunAsync(["ssh-config", "--sandbox", "--write"], environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
            Assert.That(result.Error, Does.Contain("error: gpucloud: could not write"));
            Assert.That(result.Error.Split('\n').Count(l => l.StartsWith("error:", StringComparison.Ordinal)), Is.EqualTo(1), result.Error);
            Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        }
    }
}
