using GpuCloud;
using Spectre.Console.Testing;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// What a person sees in a terminal 80 or 120 columns wide (Spectre.Console.Testing's <see cref="TestConsole"/>): every plan,
/// instance and key table prints one line per row, for the sandbox's catalog and for the longest realistic ids and names;
/// the short ids it shows name their rows; <c>--wide</c> shows every column in full.
/// </summary>
public sealed class TableTests
{
    private static string[] Lines(TestConsole console) => console.Output.TrimEnd('\n').Split('\n');

    /// <summary>One header line and one line per row, none wider than the console.</summary>
    private static string[] AssertOneLinePerRow(TestConsole console, int rows, int width)
    {
        var lines = Lines(console);
        Assert.That(lines, Has.Length.EqualTo(rows + 1), console.Output);
        Assert.That(lines.Select(l => l.Length), Is.All.LessThanOrEqualTo(width), console.Output);
        return lines;
    }

    // --- Records with the longest realistic ids and names -------------------------------------------------------------
    // Fluence ids are a kind and a UUID; Fluidstack ids a region and a UUID (instances) or an instance type (plans,
    // h200-hgx-141gb.8x after the docs' h100-hgx-80gb.8x). The longest names: Fluence VM offers named after GPU, host and
    // data center (as the sandbox's are), 8 GPUs of the longest model name, a 10-country container offer.

    private static readonly GpuPlan[] LongPlans =
    [
        new()
        {
            Provider = "fluence", Id = "baremetal:1ca26845-2fa4-423e-9948-4146c7471328", Name = "8x RTX 6000 Ada massed-compute kristiansand-norway-2",
            Workload = WorkloadType.BareMetal, Gpu = new GpuSpec("nvidia", "RTX 6000 Ada", 48, GpuInterconnect.PCIe, 8),
            VCpus = 224, MemoryGiB = 2000, StorageGiB = 30400, PricePerHour = 123.45m, Currency = "USDC",
            Locations = ["kristiansand-norway-2"], Availability = PlanAvailability.Available,
        },
        new()
        {
            Provider = "fluence", Id = "container:1ca26845-9db1-4e80-aa59-28fc99d6c797", Name = "h200-141gi-sxm-8gpu-128cpu-1024gi-960gi",
            Workload = WorkloadType.Container, Gpu = new GpuSpec("nvidia", "H200", 141, GpuInterconnect.SXM, 8),
            VCpus = 128, MemoryGiB = 1024, StorageGiB = 960, PricePerHour = 23.21m, Currency = "USDC",
            Locations = ["FI", "CA", "US", "DE", "NL", "GB", "FR", "NO", "SE", "JP"],
        },
        new()
        {
            Provider = "fluidstack", Id = "australia-southeast-1/h200-hgx-141gb.8x", Name = "h200-hgx-141gb.8x",
            Workload = WorkloadType.VirtualMachine, Gpu = new GpuSpec("nvidia", "H200", 141, GpuInterconnect.NVLink, 8),
            VCpus = 192, MemoryGiB = 2000, Region = "australia-southeast-1", Locations = ["australia-southeast-1"],
            Availability = PlanAvailability.Available, AvailableCount = 12,
        },
    ];

    private static readonly GpuInstance[] LongInstances =
    [
        new()
        {
            Provider = "fluence", Id = "baremetal:1ca26845-2fa4-423e-9948-4146c7471328", Name = "gpucloud-training-run-042",
            State = InstanceState.Provisioning, ProviderState = "INITIALIZED", Workload = WorkloadType.BareMetal,
            Gpu = new GpuSpec("nvidia", "RTX 6000 Ada", 48, GpuInterconnect.PCIe, 8), Location = "kristiansand-norway-2",
            PricePerHour = 123.45m, Currency = "USDC",
        },
        new()
        {
            Provider = "fluence", Id = "container:1ca26846-9db1-4e80-aa59-28fc99d6c797", Name = "gpucloud-training-run-043",
            State = InstanceState.Running, ProviderState = "ACTIVE", Workload = WorkloadType.Container,
            Gpu = new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8), Location = "US", PublicAddress = "203.0.113.254",
            Ssh = new SshEndpoint("203.0.113.254", 30016, "root"), PricePerHour = 17.22m, Currency = "USDC",
        },
        new()
        {
            Provider = "fluidstack", Id = "australia-southeast-1/6fb74d25-5517-4dcc-ae8b-0914579ab036",
            Name = "llama-3-70b-finetune-h200-node-07", State = InstanceState.Terminating, ProviderState = "terminating",
            Workload = WorkloadType.VirtualMachine, Gpu = new GpuSpec("nvidia", "H200", 141, GpuInterconnect.NVLink, 8),
            Region = "australia-southeast-1", PublicAddress = "ec2-203-0-113-254.ap-southeast-2.compute.amazonaws.com",
            Ssh = new SshEndpoint("ec2-203-0-113-254.ap-southeast-2.compute.amazonaws.com", 22, "ubuntu"),
        },
    ];

    private static readonly SshKey[] LongKeys =
    [
        new()
        {
            Provider = "fluence", Id = "9b2f7c1e-5d3a-4e8b-a6f0-1c2d3e4f5a6b", Name = "gpucloud-a1b2c3d4-laptop1", PublicKey = "ssh-ed25519 AAAA",
            Algorithm = "ssh-ed25519", Fingerprint = "SHA256:UTKVp/h5LVDYqUChC0ABpPn9rHepwXOGXHW43YPkT8E",
        },
        new()
        {
            Provider = "fluidstack", Id = "build-server-ecdsa-nistp521-2026", Name = "build-server-ecdsa-nistp521-2026", PublicKey = "ecdsa-sha2-nistp521 AAAA",
            Algorithm = "ecdsa-sha2-nistp521", Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        },
    ];

    [TestCase(80)]
    [TestCase(120)]
    public void LongestRealisticRecords_OneLinePerRow(int width)
    {
        var plans = new TestConsole().Width(width);
        Render.Plans(plans, LongPlans, wide: false);
        AssertOneLinePerRow(plans, LongPlans.Length, width);

        var instances = new TestConsole().Width(width);
        Render.Instances(instances, LongInstances, wide: false);
        AssertOneLinePerRow(instances, LongInstances.Length, width);

        var keys = new TestConsole().Width(width);
        Render.Keys(keys, LongKeys, wide: false);
        AssertOneLinePerRow(keys, LongKeys.Length, width);
    }

    [TestCase(80)]
    [TestCase(120)]
    public void TheShortIdsShown_NameTheirRows(int width)
    {
        var instances = new TestConsole().Width(width);
        Render.Instances(instances, LongInstances, wide: false);
        var shownInstances = AssertShortIdsResolve(instances, LongInstances.Select(i => (i.Provider, i.Id)).ToArray(), width);
        Assert.That(shownInstances, Is.EqualTo(new[] { "1ca26845", "1ca26846", "6fb74d25" }), "8 characters where they differ by then");

        // The two Fluence plans' UUIDs share 9 characters (1ca26845-): each is shown up to the first one that tells it apart.
        var plans = new TestConsole().Width(width);
        Render.Plans(plans, LongPlans, wide: false);
        var shownPlans = AssertShortIdsResolve(plans, LongPlans.Select(p => (p.Provider, p.Id)).ToArray(), width);
        Assert.That(shownPlans, Is.EqualTo(new[] { "1ca26845-2", "1ca26845-9", "h200-hgx-141gb.8x" }));

        // A 32-character key name is shown as a unique prefix with an ellipsis; typed back (ellipsis and all) it names the key.
        var keys = new TestConsole().Width(width);
        Render.Keys(keys, LongKeys, wide: false);
        var shownKeys = AssertShortIdsResolve(keys, LongKeys.Select(k => (k.Provider, k.Id)).ToArray(), width);
        Assert.That(shownKeys, Is.EqualTo(new[] { "9b2f7c1e", "build-server-ecdsa-n…" }));
    }

    /// <summary>Each row's short id (the second column) is shorter than its full id and resolves back to it among its provider's ids.</summary>
    private static string[] AssertShortIdsResolve(TestConsole console, (string Provider, string Id)[] rows, int width)
    {
        var lines = AssertOneLinePerRow(console, rows.Length, width).Skip(1).ToArray();
        var shown = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.That(shown[i], Has.Length.LessThan(rows[i].Id.Length), "shortened");
            var sameProvider = rows.Where(r => r.Provider == rows[i].Provider).Select(r => r.Id);
            Assert.That(IdResolver.Pick(sameProvider, shown[i], "item", rows[i].Provider), Is.EqualTo(rows[i].Id), shown[i]);
        }
        return shown;
    }

    [Test]
    public void Pick_AnExactId_WinsOverOneThatDiffersOnlyInCase_APrefixOfBoth_IsAmbiguous()
    {
        string[] keys = ["Laptop", "laptop"];

        Assert.That(IdResolver.Pick(keys, "laptop", "key", "fluidstack"), Is.EqualTo("laptop"));
        Assert.That(IdResolver.Pick(keys, "Laptop", "key", "fluidstack"), Is.EqualTo("Laptop"));
        var ambiguous = Assert.Throws<GpuCloud.GpuCloudException>(() => IdResolver.Pick(keys, "lap", "key", "fluidstack"));
        Assert.That(ambiguous!.Message, Does.Contain("'lap' matches 2 keys on fluidstack: Laptop, laptop"));
    }

    [Test]
    public void Wide_At200Columns_ShowsEveryColumnInFull()
    {
        // Nothing is cut and no row is wrapped by us; a line longer than the terminal is the terminal's (or less -S's) to show.
        var plans = new TestConsole().Width(200);
        Render.Plans(plans, LongPlans, wide: true);
        var planLines = Lines(plans);
        Assert.That(planLines, Has.Length.EqualTo(LongPlans.Length + 1), plans.Output);
        Assert.That(planLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "#", "Provider", "Plan", "id", "Name", "GPU", "vCPU", "RAM", "GiB", "Disk", "GiB", "Price/h", "Where", "Workload", "Avail" }));
        foreach (var p in LongPlans)
            Assert.That(plans.Output, Does.Contain(p.Id).And.Contain(p.Name).And.Contain(string.Join(",", p.Locations)).And.Contain(Render.Gpu(p.Gpu)));

        var instances = new TestConsole().Width(200);
        Render.Instances(instances, LongInstances, wide: true);
        var instanceLines = Lines(instances);
        Assert.That(instanceLines, Has.Length.EqualTo(LongInstances.Length + 1), instances.Output);
        Assert.That(instanceLines[0], Does.Contain("Provider state").And.Contain("Address").And.Contain("SSH").And.Contain("Price/h"));
        foreach (var i in LongInstances)
            Assert.That(instances.Output, Does.Contain(i.Id).And.Contain(i.Name).And.Contain(i.Ssh?.Command ?? i.Id));

        var keys = new TestConsole().Width(200);
        Render.Keys(keys, LongKeys, wide: true);
        Assert.That(Lines(keys), Has.Length.EqualTo(LongKeys.Length + 1), keys.Output);
        foreach (var k in LongKeys)
            Assert.That(keys.Output, Does.Contain(k.Id).And.Contain(k.Algorithm).And.Contain(k.Fingerprint));
    }

    [Test]
    public void OneCurrency_GoesInTheHeader_MixedCurrencies_InTheCells()
    {
        var one = new TestConsole().Width(120);
        Render.Plans(one, LongPlans, wide: false);
        Assert.That(Lines(one)[0], Does.Contain("USDC/h"));
        Assert.That(string.Join("\n", Lines(one).Skip(1)), Does.Not.Contain("USDC"));

        var mixed = new TestConsole().Width(120);
        Render.Plans(mixed, [LongPlans[0], LongPlans[1] with { Currency = "USD" }], wide: false);
        Assert.That(Lines(mixed)[0], Does.Contain("Price/h"));
        Assert.That(mixed.Output, Does.Contain("123.45 USDC").And.Contain("23.21 USD"));
    }

    // --- The sandbox's catalog, instances and keys, through the facade -------------------------------------------------

    private static async Task<CliSession> SandboxAsync() =>
        await CliSession.OpenAsync(true, null, new CliIo(TextWriter.Null, TextWriter.Null, _ => null, Redirected: true), CancellationToken.None);

    [TestCase(80)]
    [TestCase(120)]
    public async Task SandboxCatalog_EveryPlan_OneLinePerRow(int width)
    {
        await using var session = await SandboxAsync();
        var plans = (await session.Client.ListPlansAsync()).Plans;
        Assert.That(plans.Select(p => p.Provider).Distinct(), Has.Exactly(2).Items);

        var console = new TestConsole().Width(width);
        Render.Plans(console, plans, wide: false);
        var lines = AssertOneLinePerRow(console, plans.Count, width);
        // The columns a person chooses by are there at 80 columns too.
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.SupersetOf(new[] { "Provider", "Id", "GPU", "USDC/h", "Type", "Where", "RAM" }));
    }

    [TestCase(80)]
    [TestCase(120)]
    public async Task SandboxInstancesAndKeys_OneLinePerRow(int width)
    {
        await using var session = await SandboxAsync();
        var client = session.Client;
        await client.AddSshKeyAsync("laptop", Cli.Ed25519);
        foreach (var (provider, plan) in new[] { ("fluence", "container:77e779be-721c-45f5-ab9e-9cbd0083fc29"), ("fluidstack", "eu-north-1/h100-pcie-80gb.1x") })
        {
            await client.CreateInstanceAsync(new CreateInstanceRequest
            {
                Provider = provider, PlanId = plan, Name = "gpucloud-table-" + provider, SshPublicKeys = [Cli.Ed25519],
                Container = provider == "fluence" ? new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" } : null,
            });
        }

        var instances = await client.ListInstancesAsync();
        Assert.That(instances, Has.Count.EqualTo(2));
        var instanceConsole = new TestConsole().Width(width);
        Render.Instances(instanceConsole, instances, wide: false);
        AssertOneLinePerRow(instanceConsole, instances.Count, width);

        var keys = await client.ListSshKeysAsync();
        Assert.That(keys, Has.Count.EqualTo(2));
        var keyConsole = new TestConsole().Width(width);
        Render.Keys(keyConsole, keys, wide: false);
        var keyLines = AssertOneLinePerRow(keyConsole, keys.Count, width);
        Assert.That(keyLines.Skip(1), Is.All.Contain("SHA256:UTKVp/h5LVDY"), "the fingerprint's start is always there to compare");
    }
}
