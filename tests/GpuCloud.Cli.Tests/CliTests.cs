using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>Every command against the in-process sandbox over loopback HTTP: tables, JSON and exit codes.</summary>
public sealed class CliTests
{
    private const string Fingerprint = "SHA256:UTKVp/h5LVDYqUChC0ABpPn9rHepwXOGXHW43YPkT8E";

    private static JsonElement Json(Cli.Result result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    [Test]
    public async Task Plans_Json_HasTheDocumentedFields_CheapestFirst()
    {
        var json = Json(await Cli.RunAsync("plans", "--sandbox", "--output", "json", "--limit", "0"));
        var plans = json.GetProperty("plans").EnumerateArray().ToArray();

        Assert.That(plans, Has.Length.GreaterThan(20));
        var first = plans[0];
        using (Assert.EnterMultipleScope())
        {
            foreach (var field in new[] { "provider", "id", "name", "workload", "gpu", "vCpus", "memoryGiB", "storageGiB", "pricePerHour", "currency", "locations", "availability" })
                Assert.That(first.TryGetProperty(field, out _), Is.True, field);
            foreach (var field in new[] { "vendor", "model", "memoryGiB", "count", "interconnect" })
                Assert.That(first.GetProperty("gpu").TryGetProperty(field, out _), Is.True, "gpu." + field);
            Assert.That(json.GetProperty("total").GetInt32(), Is.EqualTo(plans.Length));
            Assert.That(json.GetProperty("failures").GetArrayLength(), Is.Zero);
        }
        var prices = plans.Select(p => p.GetProperty("pricePerHour")).Select(p => p.ValueKind == JsonValueKind.Null ? (decimal?)null : p.GetDecimal()).ToArray();
        var priced = prices.TakeWhile(p => p is not null).ToArray();
        Assert.That(priced, Is.Ordered, "cheapest first");
        Assert.That(prices.Skip(priced.Length), Is.All.Null, "plans without a price come last");
        Assert.That(plans.Select(p => p.GetProperty("provider").GetString()).Distinct(), Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
    }

    [Test]
    public async Task Plans_Filters_AreApplied()
    {
        var json = Json(await Cli.RunAsync("plans", "--sandbox", "-o", "json", "--gpu", "H100", "--provider", "fluence", "--max-price", "3", "--limit", "0"));
        var plans = json.GetProperty("plans").EnumerateArray().ToArray();

        Assert.That(plans, Is.Not.Empty);
        foreach (var p in plans)
        {
            Assert.That(p.GetProperty("provider").GetString(), Is.EqualTo("fluence"));
            Assert.That(p.GetProperty("gpu").GetProperty("model").GetString(), Is.EqualTo("H100"));
            Assert.That(p.GetProperty("pricePerHour").GetDecimal(), Is.LessThanOrEqualTo(3m));
        }
    }

    [Test]
    public async Task Plans_Table_ShowsColumnsAndCount()
    {
        var result = await Cli.RunAsync("plans", "--sandbox", "--workload", "BareMetal");

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        var lines = result.Out.Split('\n');
        Assert.That(lines[0], Does.Contain("Provider").And.Contain("USDC/h").And.Contain("Id").And.Contain("Type"));
        Assert.That(lines.Skip(1).TakeWhile(l => !l.Contains("matching plans", StringComparison.Ordinal)), Is.Not.Empty.And.All.Contain(" BM "));
        Assert.That(result.Out, Does.Contain("matching plans, cheapest first").And.Contain("BM bare metal"));
    }

    [TestCase("--min-gpus", "-1", "--min-gpus: must be 0 or more, not -1.")]
    [TestCase("--max-price", "-5", "--max-price: must be 0 or more, not -5.")]
    [TestCase("--limit", "-5", "--limit: must be 0 or more, not -5.")]
    [TestCase("--min-gpus", "many", "--min-gpus: 'many' is not a whole number.")]
    [TestCase("--max-price", "cheap", "--max-price: 'cheap' is not a number.")]
    [TestCase("--workload", "Spaceship", "--workload: 'Spaceship' is not one of Container, VirtualMachine, BareMetal (CT, VM, BM).")]
    [TestCase("--interconnect", "7", "--interconnect: '7' is not one of PCIe, SXM, NVLink.")]
    [TestCase("--workload", "2", "--workload: '2' is not one of Container, VirtualMachine, BareMetal (CT, VM, BM).")]
    [TestCase("--provider", "nope", "--provider: no provider named 'nope' is configured (configured: fluence, fluidstack).")]
    public async Task Plans_BadFilter_IsAUsageError_OneLineAndAHint(string option, string value, string message)
    {
        var result = await Cli.RunAsync("plans", "--sandbox", option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Out, Is.Empty);
        Assert.That(result.Error.ReplaceLineEndings("\n"), Is.EqualTo($"error: gpucloud: InvalidRequest: {message}\nhint: gpucloud plans --help\n"),
            "no .NET type name, no help text, the option as typed");
    }

    [TestCase("BM", "baremetal")]
    [TestCase("vm", "virtualmachine")]
    [TestCase("Container", "container")]
    public async Task Plans_Workload_TakesTheTablesShortForms(string typed, string workload)
    {
        var json = Json(await Cli.RunAsync("plans", "--sandbox", "-o", "json", "--limit", "0", "--workload", typed));
        var plans = json.GetProperty("plans").EnumerateArray().ToArray();

        Assert.That(plans, Is.Not.Empty);
        Assert.That(plans.Select(p => p.GetProperty("workload").GetString()), Is.All.EqualTo(workload));
    }

    [Test]
    public async Task UnknownCommand_IsAUsageError()
    {
        var result = await Cli.RunAsync("rent-everything", "--sandbox");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public async Task WithoutSandboxOrCredentials_EachProviderIsSkippedWithANote_AndTheCommandFails()
    {
        var result = await Cli.RunAsync("plans");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("fluence skipped").And.Contain("fluidstack skipped").And.Contain("--sandbox"));
    }

    [Test]
    public async Task InstancesList_OnAFreshSandbox_IsEmpty()
    {
        var json = Json(await Cli.RunAsync("instances", "list", "--sandbox", "-o", "json"));
        Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(json.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task InstancesGet_Unknown_IsAProviderErrorOnOneLine()
    {
        var result = await Cli.RunAsync("instances", "get", "--sandbox", "fluence", "container:00000000-0000-0000-0000-000000000000");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(result.Error, Does.StartWith("error: fluence: NotFound"));
    }

    [TestCase("../etc/passwd")]
    [TestCase("container:a/b")]
    public async Task InstancesGet_BadId_IsAUsageError_BeforeAnyRequest(string id)
    {
        var result = await Cli.RunAsync("instances", "get", "--sandbox", "fluence", id);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("instanceId"));
    }

    [Test]
    public async Task InstancesCreate_WithWait_ReturnsARunningReachableInstance()
    {
        var plans = Json(await Cli.RunAsync("plans", "--sandbox", "-o", "json", "--provider", "fluence", "--workload", "Container", "--limit", "1"));
        var planId = plans.GetProperty("plans")[0].GetProperty("id").GetString()!;

        var json = Json(await Cli.RunAsync(["instances", "create", "--sandbox", "-o", "json", "--provider", "fluence", "--plan", planId, "--name", "cli-test-1",
            "--image", "docker.io/fluencelabs/debian-ssh-root:11", "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--wait"],
            (server, options) => options.PollInterval = TimeSpan.FromMilliseconds(50)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(json.GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(json.GetProperty("providerState").GetString(), Is.EqualTo("ACTIVE"));
            Assert.That(json.GetProperty("isReady").GetBoolean(), Is.True);
            Assert.That(json.GetProperty("ssh").GetProperty("command").GetString(), Does.StartWith("ssh -p "));
        }
    }

    [Test]
    public async Task InstancesCreate_InvalidName_IsAUsageError_AndNothingIsCreated()
    {
        SandboxServer? sandbox = null;
        var result = await Cli.RunAsync(["instances", "create", "--sandbox", "--provider", "fluence", "--plan", "container:36cdb646-1246-42d8-b2d1-9480ca546536",
            "--name", "Not_Valid", "--image", "docker.io/library/ubuntu:22.04"],
            (server, _) => sandbox = server);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("--name"));
        // Refused while the command line was parsed: not even a session (here the sandbox) was started, so nothing was sent.
        Assert.That(sandbox, Is.Null, "nothing was sent");
    }

    [Test]
    public async Task StartOnFluence_IsNotSupported()
    {
        var result = await Cli.RunAsync("instances", "start", "--sandbox", "fluence", "container:00000000-0000-0000-0000-000000000000");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.StartWith("error: fluence: NotSupported"));
    }

    [Test]
    public async Task Keys_Add_RegistersOnBothProviders_WithTheSshKeygenFingerprint()
    {
        var json = Json(await Cli.RunAsync("keys", "add", "--sandbox", "-o", "json", "laptop", "--ssh-key", Cli.KeyFile(Cli.Ed25519)));
        var keys = json.EnumerateArray().ToArray();

        Assert.That(keys.Select(k => k.GetProperty("provider").GetString()), Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
        Assert.That(keys.Select(k => k.GetProperty("fingerprint").GetString()), Is.All.EqualTo(Fingerprint));
    }

    [Test]
    public async Task Keys_Add_InvalidKey_IsAUsageError()
    {
        var result = await Cli.RunAsync("keys", "add", "--sandbox", "laptop", "--ssh-key", Cli.KeyFile("ssh-ed25519 not-base64!"));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("base64"));
    }

    [Test]
    public async Task Run_Table_ShowsEveryStep()
    {
        var result = await Cli.RunAsync(["run", "--sandbox", "--gpu", "A100"], (server, options) => options.PollInterval = TimeSpan.FromMilliseconds(50));

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out, Does.Contain("1. Plans").And.Contain("2. SSH key").And.Contain("3. Deploy").And.Contain("4. Connect")
            .And.Contain("Connect with: ssh").And.Contain("released:"));
    }

    [Test]
    public async Task Run_FailsOverWhenTheCheapestPlanGoesOutOfStock_AndDeletesTheHusk()
    {
        SandboxServer? sandbox = null;
        var result = await Cli.RunAsync(["run", "--sandbox", "-o", "json", "--gpu", "H100"], (server, options) =>
        {
            sandbox = server;
            options.PollInterval = TimeSpan.FromMilliseconds(50);
            // The Fluidstack PCIe H100 becomes the cheapest plan; its first poll then reports out-of-stock.
            options.Fluidstack.PricePerHour["h100-pcie-80gb.1x"] = 0.01m;
            server.Faults.Add(new FaultRule
            {
                Kind = FaultKind.UnknownEnum, Value = "out-of-stock", Method = "GET", Count = 1,
                PathPrefix = "/fluidstack/regions/eu-north-1/api/v1alpha1/instances/",
            });
        });
        var json = Json(result);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(json.GetProperty("instance").GetProperty("provider").GetString(), Is.EqualTo("fluence"), "the walk moved on to the next plan");
            Assert.That(sandbox!.Inventory.CreateRequestCounts(SandboxProvider.Fluidstack).Values.Sum(), Is.EqualTo(1), "the cheapest plan was tried once");
            Assert.That(sandbox.Inventory.LiveInstances(SandboxProvider.Fluidstack), Is.Empty, "the out-of-stock husk was deleted");
            Assert.That(sandbox.Inventory.LiveInstances(SandboxProvider.Fluence), Is.Empty, "the instance was released");
        }
    }

    [Test]
    public async Task Run_CtrlCDuringTheWait_ReleasesTheInstance_AndExits130()
    {
        SandboxServer? sandbox = null;
        var configured = new TaskCompletionSource();
        using var ctrlC = new CancellationTokenSource();
        var run = Cli.RunAsync(["run", "--sandbox", "--gpu", "H100"], (server, options) =>
        {
            sandbox = server;
            options.PollInterval = TimeSpan.FromMilliseconds(50);
            configured.SetResult();
        }, cancellationToken: ctrlC.Token);

        await HangGuard.WithinAsync(configured.Task, "the CLI's configuration");
        // The sandbox provisions for 3 s: cancel as soon as the instance exists, i.e. during the wait. (A longer
        // PollInterval would hold the wait longer, but it is also the cleanup's pause between deletes that Fluence
        // refuses until the instance is ACTIVE.)
        await HangGuard.UntilAsync(() => sandbox!.Inventory.LiveInstances().Count > 0, "an instance being deployed");
        await ctrlC.CancelAsync();
        var result = await HangGuard.WithinAsync(run, "the cancelled 'run'");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(130));
            Assert.That(result.Error, Does.Contain("cancelled"));
            Assert.That(sandbox!.Inventory.LiveInstances(), Is.Empty, "nothing is left running");
        }
    }

    [Test]
    public async Task Run_NoMatchingPlan_IsCapacityUnavailable()
    {
        var result = await Cli.RunAsync("run", "--sandbox", "--gpu", "H100", "--max-price", "0.01");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("CapacityUnavailable").And.Contain("no plan matched"));
    }
}
