using System.Text.Json;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 2: the providers' own lifecycle examples, every step and end state, through the CLI against the
/// standalone sandbox. Fluidstack: the official Go client's example (fluidstackio/atlas-client-go,
/// <c>examples/instance-lifecycle/main.go</c>). Fluence: the "Manage GPU instances" docs page (fluencelabs/docs,
/// <c>docs/build/api/gpu_cloud/manage_instances/manage_instances.md</c>).
/// </summary>
public sealed class ProviderLifecycleTests
{
    private static JsonElement Json(Cli.Result result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Out + result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    private static string State(JsonElement instance) => instance.GetProperty("state").GetString()!;

    [Test]
    public async Task Fluidstack_TheOfficialExample_CreateWaitRunning_StopWaitStopped_DeleteUntilGone()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUENCE_API_KEY");
        Task<Cli.Result> Run(params string[] args) => Cli.RunAsync(args, null, env);

        // createInstance: POST /instances {name: example-instance-01, type: cpu.2x}, then GET until "running".
        var created = Json(await Run("instances", "create", "--provider", "fluidstack", "--plan", "eu-north-1/cpu.2x",
            "--name", "example-instance-01", "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--wait", "yes", "--yes", "-o", "json"));
        var id = created.GetProperty("id").GetString()!;
        Assert.That(State(created), Is.EqualTo("running"));
        Assert.That(created.GetProperty("providerState").GetString(), Is.EqualTo("running"));

        // stopInstance: POST /instances/{id}/actions/stop (202), then GET until "stopped".
        Assert.That((await Run("instances", "stop", "fluidstack", id)).ExitCode, Is.Zero);
        var stopped = Json(await Run("instances", "wait", "fluidstack", id, "--state", "Stopped", "--timeout", "2m", "-o", "json"));
        Assert.That(State(stopped), Is.EqualTo("stopped"));

        // deleteInstance: DELETE /instances/{id} (204), then GET until 404.
        Assert.That((await Run("instances", "delete", "fluidstack", id, "--yes")).ExitCode, Is.Zero);
        var gone = Json(await Run("instances", "wait", "fluidstack", id, "--state", "Terminated", "--timeout", "2m", "-o", "json"));
        Assert.That(State(gone), Is.EqualTo("terminated"));
        var get = await Run("instances", "get", "fluidstack", id);
        Assert.That(get.ExitCode, Is.EqualTo(1), "GET answers 404 once it is gone");
        Assert.That(get.Error, Does.Contain("NotFound"));
        Assert.That(sandbox.Server.Inventory.LiveInstances(), Is.Empty);
    }

    [Test]
    public async Task Fluidstack_TheOfficialExample_OutOfStockWhileWaiting_DeletesIt_AndFails()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        sandbox.Server.SetFluidstackCapacity("eu-north-1", "cpu.2x", 0);
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUENCE_API_KEY");

        // createInstance: the state turns "out-of-stock" while waiting: delete the instance, fail with "out of stock".
        var result = await Cli.RunAsync(["instances", "create", "--provider", "fluidstack", "--plan", "eu-north-1/cpu.2x",
            "--name", "example-instance-01", "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--wait", "yes", "--yes"], null, env);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out + result.Error);
        Assert.That(result.Error, Does.Contain("CapacityUnavailable").Or.Contain("out of stock").Or.Contain("out-of-stock"));
        Assert.That(sandbox.Server.Inventory.LiveInstances(), Is.Empty, "the out-of-stock instance was deleted");
    }

    [Test]
    public async Task Fluence_ManageInstances_ListGetTerminate_AndEveryEndState()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUIDSTACK_TOKEN");
        Task<Cli.Result> Run(params string[] args) => Cli.RunAsync(args, null, env);
        var plan = Json(await Run("plans", "--provider", "fluence", "--workload", "Container", "--limit", "1", "-o", "json"))
            .GetProperty("plans")[0].GetProperty("id").GetString()!;

        // Statuses: INITIALIZED while provisioning, then ACTIVE ("running and operational").
        var created = Json(await Run("instances", "create", "--provider", "fluence", "--plan", plan, "--name", "docs-example",
            "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--wait", "yes", "--yes", "-o", "json"));
        var id = created.GetProperty("id").GetString()!;
        Assert.That(created.GetProperty("providerState").GetString(), Is.EqualTo("ACTIVE"));

        // List instances, then Get instance details: the list row says what the detail says (network, billing).
        var listed = Json(await Run("instances", "list", "--provider", "fluence", "-o", "json")).EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
        var detail = Json(await Run("instances", "get", "fluence", id, "-o", "json"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(detail.GetProperty("ssh").GetProperty("port").GetInt32(), Is.Positive);
            Assert.That(listed.GetProperty("ssh").GetProperty("port").GetInt32(), Is.EqualTo(detail.GetProperty("ssh").GetProperty("port").GetInt32()));
            Assert.That(listed.GetProperty("pricePerHour").GetDecimal(), Is.EqualTo(detail.GetProperty("pricePerHour").GetDecimal()).And.Positive);
        }

        // Terminate a container: DELETE (204); the instance ends (ENDED: "terminated by the user").
        Assert.That((await Run("instances", "delete", "fluence", id, "--yes")).ExitCode, Is.Zero);
        var ended = Json(await Run("instances", "wait", "fluence", id, "--state", "Terminated", "--timeout", "2m", "-o", "json"));
        Assert.That(ended.GetProperty("providerState").GetString(), Is.EqualTo("ENDED"));

        // "Instances that have already ended or failed cannot be deleted": none is asked to. The CLI's delete is idempotent
        // (its help: one already gone counts as deleted), so it succeeds without sending a DELETE.
        sandbox.Server.ClearRequests();
        var again = await Run("instances", "delete", "fluence", id, "--yes");
        Assert.That(again.ExitCode, Is.Zero, again.Out + again.Error);
        Assert.That(sandbox.Server.Requests, Has.None.StartsWith("DELETE"), string.Join("\n", sandbox.Server.Requests));
    }

    [Test]
    public async Task Fluence_ManageInstances_OnlyAnActiveInstanceCanBeTerminated()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUIDSTACK_TOKEN");
        Task<Cli.Result> Run(params string[] args) => Cli.RunAsync(args, null, env);
        var plan = Json(await Run("plans", "--provider", "fluence", "--workload", "Container", "--limit", "1", "-o", "json"))
            .GetProperty("plans")[0].GetProperty("id").GetString()!;
        var created = Json(await Run("instances", "create", "--provider", "fluence", "--plan", plan, "--name", "docs-initialized",
            "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--yes", "-o", "json"));
        var id = created.GetProperty("id").GetString()!;
        Assert.That(created.GetProperty("providerState").GetString(), Is.EqualTo("INITIALIZED"));

        // "Only instances with ACTIVE status can be terminated."
        var delete = await Run("instances", "delete", "fluence", id, "--yes");

        Assert.That(delete.ExitCode, Is.EqualTo(1), delete.Out + delete.Error);
        Assert.That(delete.Error, Does.Contain("Conflict").And.Contain("ACTIVE"));
        Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.State), Is.EqualTo(new[] { "INITIALIZED" }), "still there, still provisioning");
    }
}
