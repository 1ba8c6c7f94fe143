using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Commands whose effect outlives one run, against a sandbox the test started (see <see cref="StandaloneSandbox"/>):
/// each claim is checked against the sandbox's own state (raw API answers, inventory, ledger), not the CLI's report.
/// </summary>
public sealed class StandaloneSandboxTests
{
    private const string Fingerprint = "SHA256:UTKVp/h5LVDYqUChC0ABpPn9rHepwXOGXHW43YPkT8E";

    private static JsonElement Json(Cli.Result result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    private static async Task<string[]> FluenceKeyNames(StandaloneSandbox sandbox) =>
        (await sandbox.FluenceAsync("v1/ssh_keys")).GetProperty("items").EnumerateArray().Select(k => k.GetProperty("name").GetString()!).ToArray();

    private static async Task<string[]> FluidstackKeyNames(StandaloneSandbox sandbox) =>
        (await sandbox.FluidstackAsync("user/keys")).EnumerateArray().Select(k => k.GetProperty("name").GetString()!).ToArray();

    [Test]
    public async Task Keys_List_And_Remove()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var empty = Json(await sandbox.RunAsync("keys", "list", "-o", "json"));
        Assert.That(empty.GetArrayLength(), Is.Zero, "a fresh sandbox has no keys");

        Json(await sandbox.RunAsync("keys", "add", "-o", "json", "laptop", "--ssh-key", Cli.KeyFile(Cli.Ed25519)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await FluenceKeyNames(sandbox), Is.EqualTo(new[] { "laptop" }), "Fluence holds the key");
            Assert.That(await FluidstackKeyNames(sandbox), Is.EqualTo(new[] { "laptop" }), "Fluidstack holds the key");
        }

        // Listed: once per provider, with the ids the providers gave and the ssh-keygen fingerprint.
        var listed = Json(await sandbox.RunAsync("keys", "list", "-o", "json")).EnumerateArray().ToArray();
        var fluenceId = (await sandbox.FluenceAsync("v1/ssh_keys")).GetProperty("items")[0].GetProperty("id").GetString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Select(k => (k.GetProperty("provider").GetString(), k.GetProperty("name").GetString())),
                Is.EquivalentTo(new[] { ("fluence", "laptop"), ("fluidstack", "laptop") }));
            Assert.That(listed.Select(k => k.GetProperty("fingerprint").GetString()), Is.All.EqualTo(Fingerprint));
            Assert.That(listed.Single(k => k.GetProperty("provider").GetString() == "fluence").GetProperty("id").GetString(), Is.EqualTo(fluenceId));
        }
        var table = await sandbox.RunAsync("keys", "list");
        Assert.That(table.ExitCode, Is.Zero, table.Error);
        Assert.That(table.Out, Does.Contain("laptop"), "the table lists the key too");

        // Removed: each by the id the listing showed.
        foreach (var key in listed)
        {
            var removed = await sandbox.RunAsync("keys", "remove", key.GetProperty("provider").GetString()!, key.GetProperty("id").GetString()!, "--yes");
            Assert.That(removed.ExitCode, Is.Zero, removed.Error);
            Assert.That(removed.Out, Does.Contain("removed"));
        }

        // Gone: from the providers and from the listing; removing again says there is no such key.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await FluenceKeyNames(sandbox), Is.Empty, "Fluence no longer holds the key");
            Assert.That(await FluidstackKeyNames(sandbox), Is.Empty, "Fluidstack no longer holds the key");
            Assert.That(Json(await sandbox.RunAsync("keys", "list", "-o", "json")).GetArrayLength(), Is.Zero, "the listing is empty again");
            var again = await sandbox.RunAsync("keys", "remove", "fluidstack", "laptop", "--yes");
            Assert.That(again.ExitCode, Is.EqualTo(1), "a key that is not there is an error");
            Assert.That(again.Error, Does.Contain("NotFound").And.Contain("no SSH key on fluidstack matches 'laptop'"), "and says so");
        }
    }

    [Test]
    public async Task Run_Json_DeploysTheCheapestWaitsAndReleases()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        // The sandbox's own catalog: every Fluence H100 offer (containers, VMs, bare metal) with its hourly price.
        // Fluidstack's H100s are unpriced (Atlas publishes no prices and FluidstackOptions.PricePerHour is empty by
        // default), so they rank after every priced plan and the cheapest is a Fluence one.
        var containers = (await sandbox.FluenceAsync("gpu/plans/")).EnumerateArray().Select(p => p.GetProperty("plan"))
            .Where(p => p.GetProperty("gpu_model").GetProperty("model").GetString() == "h100")
            .Select(p => p.GetProperty("pricing").GetProperty("hour").GetDecimal());
        var machines = new List<decimal>();
        foreach (var path in new[] { "gpu/plans/vms", "gpu/plans/baremetal" })
            machines.AddRange((await sandbox.FluenceAsync(path)).GetProperty("data").EnumerateArray()
                .Where(g => g.GetProperty("gpu_model").GetProperty("model").GetString() == "h100")
                .SelectMany(g => g.GetProperty("availability_by_number").EnumerateArray()).SelectMany(a => a.GetProperty("options").EnumerateArray())
                .Select(o => o.GetProperty("pricing").GetProperty("hour").GetDecimal()));
        var prices = containers.Concat(machines).ToArray();
        Assert.That(prices, Has.Length.GreaterThan(3), "the catalog offers several H100 plans to choose from");
        var cheapest = prices.Min();
        var balanceBefore = sandbox.Server.FluenceBalance;

        var result = await sandbox.RunAsync("run", "-o", "json", "--gpu", "H100", "--release", "--name", "cli-run-json", "--ssh-key", Cli.KeyFile(Cli.Ed25519));
        var json = Json(result);

        var created = sandbox.Server.Inventory.Instances().Where(i => i.Name == "cli-run-json").ToArray();
        Assert.That(created, Has.Length.EqualTo(1), "one instance was created");
        var instance = created[0];
        var detailPath = instance.Kind switch { "vm" => "gpu/instances/vms/", "baremetal" => "gpu/instances/baremetal/", _ => "gpu/instances/" } + instance.Id;
        var detail = await sandbox.FluenceAsync(detailPath);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Provider, Is.EqualTo(SandboxProvider.Fluence));
            Assert.That(sandbox.Server.Inventory.CreateRequests(SandboxProvider.Fluence, "cli-run-json"), Is.EqualTo(1), "the first plan tried had capacity");
            Assert.That(detail.GetProperty("resources").GetProperty("gpu_model").GetProperty("model").GetString(), Is.EqualTo("h100"), "the sandbox's record has an H100");
            // Cheapest: the sandbox billed one started hour of the instance's plan, i.e. its hourly price, and that is the
            // lowest H100 price in its catalog.
            Assert.That(balanceBefore - sandbox.Server.FluenceBalance, Is.EqualTo(cheapest), "hourly price billed by the sandbox");
            // Released: the sandbox ended the instance; it holds nothing any more.
            Assert.That(instance.State, Is.EqualTo("ENDED"));
            Assert.That(instance.IsLive, Is.False);
            Assert.That(sandbox.Server.Inventory.LiveInstances(), Is.Empty, "nothing is left running");
            // The CLI's report agrees with the sandbox.
            Assert.That(json.GetProperty("released").GetBoolean(), Is.True);
            Assert.That(json.GetProperty("instance").GetProperty("id").GetString(), Does.EndWith(instance.Id));
            Assert.That(json.GetProperty("instance").GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(json.GetProperty("instance").GetProperty("pricePerHour").GetDecimal(), Is.EqualTo(cheapest));
            Assert.That(result.Error, Does.Contain("registered on fluence").And.Contain("released:"));
        }
    }
}
