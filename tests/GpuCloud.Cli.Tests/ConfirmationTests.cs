using System.Text.Json;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Confirmations as a person meets them, on a pseudo-terminal: the command shows what it will do (full id and name; plan,
/// price and keep/expiry policy), asks, and does it only on yes; on no it sends nothing more (counted by the sandbox). Without
/// a terminal on stdin a destructive command refuses unless given --yes (see <see cref="HostileInputTests"/>).
/// </summary>
[NonParallelizable]
public sealed class ConfirmationTests
{
    private static async Task<(StandaloneSandbox Sandbox, Dictionary<string, string> Env, string Id, string Name)> WithInstanceAsync()
    {
        var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        var made = await Cli.RunAsync(["instances", "create", "--provider", "fluidstack", "--plan", "eu-north-1/cpu.2x", "--name", "asked-about",
            "--ssh-key", Cli.KeyFile(Cli.Ed25519), "-o", "json"], null, env);
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        return (sandbox, env, JsonDocument.Parse(made.Out).RootElement.GetProperty("id").GetString()!, "asked-about");
    }

    [TestCase("y", 0)]
    [TestCase("n", 1)]
    public async Task InstancesDelete_ShowsTheFullIdAndName_AndDeletesOnlyOnYes(string answer, int exitCode)
    {
        var (sandbox, env, id, name) = await WithInstanceAsync();
        await using var _ = sandbox;
        var shortId = id[(id.IndexOf('/', StringComparison.Ordinal) + 1)..][..8];
        sandbox.Server.ClearRequests();

        using var child = ChildCli.StartInTerminal(env, "instances", "delete", "fluidstack", shortId);
        child.Answer(answer);
        var code = await child.ExitAsync();

        var deletes = sandbox.Server.Requests.Count(r => r.StartsWith("DELETE", StringComparison.Ordinal));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exitCode), child.Out);
            Assert.That(child.Out, Does.Contain($"instance {id} '{name}' on fluidstack").And.Contain("Delete it? [y/N]"), "what, in full, then the question");
            Assert.That(deletes, Is.EqualTo(answer == "y" ? 1 : 0), string.Join(", ", sandbox.Server.Requests));
            if (answer == "n") Assert.That(child.Out, Does.Contain("not deleted."));
        }
    }

    [Test]
    public async Task KeysRemove_ShowsTheKey_AndNoRemovesNothing()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        var added = await Cli.RunAsync(["keys", "add", "laptop", "--provider", "fluidstack", "--ssh-key", Cli.KeyFile(Cli.Ed25519)], null, env);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        sandbox.Server.ClearRequests();

        using var child = ChildCli.StartInTerminal(env, "keys", "remove", "fluidstack", "lap");
        child.Answer("no");
        var code = await child.ExitAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1), child.Out);
            Assert.That(child.Out, Does.Contain("key laptop 'laptop' SHA256:").And.Contain("Remove it from fluidstack? [y/N]"));
            Assert.That(sandbox.Server.Requests.Where(r => !r.StartsWith("GET", StringComparison.Ordinal) && !r.Contains("token", StringComparison.Ordinal)), Is.Empty,
                "only listings were sent");
        }
    }

    [TestCase("y", 0)]
    [TestCase("n", 1)]
    public async Task Run_ShowsPlanPriceAndPolicy_AndRentsOnlyOnYes(string answer, int exitCode)
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        sandbox.Server.ClearRequests();

        using var child = ChildCli.StartInTerminal(env, "run", "--provider", "fluence", "--workload", "CT", "--gpu", "H100", "--name", "asked-run",
            "--ssh-key", Cli.KeyFile(Cli.Ed25519), "--max-duration", "2h");
        child.Answer(answer);
        var code = await child.ExitAsync();

        var sent = sandbox.Server.Requests.Where(r => !r.StartsWith("GET", StringComparison.Ordinal)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exitCode), child.Out);
            Assert.That(child.Out, Does.Contain("rent:  1x H100").And.Contain("USDC/h").And.Contain("the cheapest of").And.Contain("after: kept").And.Contain("expires after 2h")
                .And.Contain("Rent it? [y/N]"));
            if (answer == "n") Assert.That(sent, Is.Empty, "no key registered, nothing created: " + string.Join(", ", sent));
            else Assert.That(sent, Has.Some.StartsWith("POST /gpu/instances"), "rented");
            if (answer == "y") Assert.That(child.Out, Does.Contain("kept: asked-run, ").And.Contain("/h").And.Contain("expires").And.Contain("delete: gpucloud instances delete fluence "));
        }
    }
}
