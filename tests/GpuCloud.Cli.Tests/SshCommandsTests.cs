using GpuCloud;

using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 19: <c>gpucloud ssh</c> builds the system ssh's argument vector from the instance (tested without running
/// ssh), and <c>gpucloud ssh-config</c> renders and rewrites its own include file.
/// </summary>
public sealed class SshCommandsTests
{
    private static GpuInstance Ready(string name, string id, string host = "203.0.113.254", int port = 30016, string user = "root", string provider = "fluence") => new()
    {
        Provider = provider, Id = id, Name = name, State = InstanceState.Running, ProviderState = "ACTIVE",
        Workload = WorkloadType.Container, Ssh = new SshEndpoint(host, port, user),
    };

    [Test]
    public void Ssh_Arguments_PortIdentityDestinationAndCommand()
    {
        var args = SshCommands.Arguments(Ready("train", "container:cfd6280b-b3c7"), "/home/me/.ssh/id_ed25519", ["nvidia-smi", "-L"]);

        Assert.That(args, Is.EqualTo(new[] { "-p", "30016", "-i", "/home/me/.ssh/id_ed25519", "--", "root@203.0.113.254", "nvidia-smi", "-L" }));
    }

    [Test]
    public void Ssh_Arguments_InteractiveWithoutIdentity()
    {
        var args = SshCommands.Arguments(Ready("vm", "vm:1", "216.81.248.90", 22, "ubuntu"), null, []);

        Assert.That(args, Is.EqualTo(new[] { "-p", "22", "--", "ubuntu@216.81.248.90" }));
    }

    [Test]
    public void Ssh_NotReady_IsAClearError()
    {
        var provisioning = Ready("train", "c:1") with { State = InstanceState.Provisioning, ProviderState = "INITIALIZED", Ssh = null };
        var noAddress = Ready("train", "c:1") with { Ssh = null };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => SshCommands.Arguments(provisioning, null, []), Throws.TypeOf<GpuCloudException>().With.Message.Contain("is not ready (Provisioning, INITIALIZED)"));
            Assert.That(() => SshCommands.Arguments(noAddress, null, []), Throws.TypeOf<GpuCloudException>().With.Message.Contain("no SSH endpoint yet"));
        }
    }

    [TestCase("-oProxyCommand=touch /tmp/x")]
    [TestCase("host name")]
    public void Ssh_HostThatLooksLikeAnOption_IsRefused(string host) =>
        Assert.That(() => SshCommands.Arguments(Ready("x", "c:1", host), null, []), Throws.TypeOf<GpuCloudException>().With.Message.Contain("not usable"));

    [Test]
    public void Ssh_Missing_IsFoundAsMissing()
    {
        var dir = Directory.CreateTempSubdirectory("gpucloud-path").FullName;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SshCommands.FindOnPath("ssh", dir), Is.Null);
            Assert.That(SshCommands.FindOnPath("ssh", null), Is.Null);
        }
        File.WriteAllText(Path.Combine(dir, "ssh"), "");
        Assert.That(SshCommands.FindOnPath("ssh", dir), Is.EqualTo(Path.Combine(dir, "ssh")));
    }

    [Test]
    public void SshConfig_OneEntryPerReadyInstance()
    {
        var text = SshCommands.Render(
        [
            Ready("train", "container:cfd6280b-b3c7"),
            Ready("vm", "vm:1", "216.81.248.90", 22, "ubuntu"),
            Ready("booting", "c:2") with { State = InstanceState.Provisioning, Ssh = null },
        ], "/home/me/.ssh/id_ed25519");

        Assert.That(text, Is.EqualTo(
            "# Written by 'gpucloud ssh-config'; rewritten on every run: edits here are lost.\n" +
            "\n# fluence container:cfd6280b-b3c7\nHost gpucloud-train\n    HostName 203.0.113.254\n    Port 30016\n    User root\n    IdentityFile \"/home/me/.ssh/id_ed25519\"\n" +
            "\n# fluence vm:1\nHost gpucloud-vm\n    HostName 216.81.248.90\n    Port 22\n    User ubuntu\n    IdentityFile \"/home/me/.ssh/id_ed25519\"\n"));
    }

    [Test]
    public void SshConfig_SameNameTwice_GetsTheShortIdToo()
    {
        var text = SshCommands.Render([Ready("train", "container:aaaa1111-2222"), Ready("train", "fs-region/bbbb3333-4444", provider: "fluidstack")], null);

        Assert.That(SshCommands.Hosts(text), Is.EqualTo(new[] { "gpucloud-train", "gpucloud-train-bbbb3333" }));
    }

    [Test]
    public void SshConfig_Write_AddsAndRemovesEntries_InAPrivateFileOfItsOwn()
    {
        var home = Directory.CreateTempSubdirectory("gpucloud-ssh-home").FullName;
        var io = new CliIo(TextWriter.Null, TextWriter.Null, _ => null, Redirected: true) { HomeDirectory = home };
        var path = SshCommands.IncludePath(io);

        var first = SshCommands.Write(path, SshCommands.Render([Ready("a", "c:1"), Ready("b", "c:2")], null));
        var second = SshCommands.Write(path, SshCommands.Render([Ready("b", "c:2"), Ready("c", "c:3")], null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(path, Is.EqualTo(Path.Combine(home, ".config", "gpucloud", "ssh_config")));
            Assert.That(first.Added, Is.EqualTo(new[] { "gpucloud-a", "gpucloud-b" }));
            Assert.That(first.Removed, Is.Empty);
            Assert.That(second.Added, Is.EqualTo(new[] { "gpucloud-c" }));
            Assert.That(second.Removed, Is.EqualTo(new[] { "gpucloud-a" }));
            Assert.That(SshCommands.Hosts(File.ReadAllText(path)), Is.EqualTo(new[] { "gpucloud-b", "gpucloud-c" }));
            Assert.That(File.Exists(Path.Combine(home, ".ssh", "config")), Is.False, "~/.ssh/config is never written");
            if (!OperatingSystem.IsWindows())
                Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public void SshConfig_HonoursXdgConfigHome()
    {
        var xdg = Directory.CreateTempSubdirectory("gpucloud-xdg").FullName;
        var io = new CliIo(TextWriter.Null, TextWriter.Null, name => name == "XDG_CONFIG_HOME" ? xdg : null, Redirected: true);

        Assert.That(SshCommands.IncludePath(io), Is.EqualTo(Path.Combine(xdg, "gpucloud", "ssh_config")));
    }

    [Test]
    public async Task SshConfig_Cli_PrintsToStdout_AndWriteNamesTheIncludeLine()
    {
        var home = Directory.CreateTempSubdirectory("gpucloud-ssh-home").FullName;

        var printed = await Cli.RunAsync(["ssh-config", "--sandbox"]);
        var written = await Cli.RunAsync(["ssh-config", "--sandbox", "--write"], home: home);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(printed.ExitCode, Is.Zero, printed.Error);
            Assert.That(printed.Out, Does.StartWith("# Written by 'gpucloud ssh-config'"));
            Assert.That(written.ExitCode, Is.Zero, written.Error);
            Assert.That(written.Out, Does.Contain($"Include {Path.Combine(home, ".config", "gpucloud", "ssh_config")}"));
        }
    }

    [Test]
    public async Task SshConfig_Write_OneProviderFails_KeepsThatProvidersEntries_AndSaysSo()
    {
        var home = Directory.CreateTempSubdirectory("gpucloud-ssh-home").FullName;
        var path = Path.Combine(home, ".config", "gpucloud", "ssh_config");
        SshCommands.Write(path, SshCommands.Render(
            [Ready("gone", "container:1"), Ready("trainer", "fs-region/2", "198.51.100.7", 22, "ubuntu", provider: "fluidstack")], null));

        var result = await Cli.RunAsync(["ssh-config", "--sandbox", "--write"],
            (server, _) => server.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances")), home: home);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Error, Does.Contain("note: fluidstack could not be listed (Unauthorized); its entries in the file are kept."));
            Assert.That(SshCommands.Hosts(File.ReadAllText(path)), Is.EqualTo(new[] { "gpucloud-trainer" }),
                "fluence answered (no instance: its stale entry goes); fluidstack did not (its entry stays)");
        }
    }

    [Test]
    public void SshConfig_KeptEntries_AreOnlyTheFailedProvidersAndNeverATakenAlias()
    {
        var existing = SshCommands.Render(
        [
            Ready("a", "container:1"),
            Ready("b", "fs/2", provider: "fluidstack"),
            Ready("c", "fs/3", provider: "fluidstack"),
        ], null);

        var kept = SshCommands.KeptEntries(existing, new HashSet<string> { "fluidstack" }, ["gpucloud-c"]);

        Assert.That(SshCommands.Hosts(kept), Is.EqualTo(new[] { "gpucloud-b" }));
        Assert.That(kept, Does.Contain("# fluidstack fs/2\nHost gpucloud-b\n"));
    }

    [Test]
    public async Task Ssh_Cli_UnknownInstance_IsNotFound_WithoutRunningSsh()
    {
        var result = await Cli.RunAsync(["ssh", "--sandbox", "fluence", "container:00000000-0000-0000-0000-000000000000"]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ProviderError), result.Error);
    }
}
