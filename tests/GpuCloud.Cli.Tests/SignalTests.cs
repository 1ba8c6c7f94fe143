using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Real signals to a real <c>gpucloud</c> process against a standalone sandbox that provisions slowly: the first SIGINT,
/// SIGTERM or SIGHUP stops the wait and deletes what the command created before the process exits (with 128 + the signal's
/// number); a second SIGINT exits at once and leaves a journal entry the sweep finds; a command that created nothing exits
/// at once and touches nothing.
/// </summary>
[NonParallelizable]
public sealed class SignalTests
{
    private string _journal = null!;
    private string _keyFile = null!;

    [SetUp]
    public void Files()
    {
        _journal = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-signals").FullName, "journal.db");
        _keyFile = Cli.KeyFile(Cli.Ed25519);
    }

    /// <summary>The instances as the sandbox's control API reports them (<c>GET /_sandbox/inventory</c>): name, id, state.</summary>
    private static async Task<(string Name, string Id, string State)[]> InventoryAsync(StandaloneSandbox sandbox)
    {
        using var http = new HttpClient { BaseAddress = sandbox.Server.BaseUrl };
        using var doc = JsonDocument.Parse(await http.GetStringAsync("_sandbox/inventory"));
        return doc.RootElement.GetProperty("instances").EnumerateArray()
            .Select(i => (i.GetProperty("name").GetString()!, i.GetProperty("id").GetString()!, i.GetProperty("state").GetString()!)).ToArray();
    }

    private ChildCli StartRun(StandaloneSandbox sandbox, string name) =>
        ChildCli.Start(sandbox.Environment(staticToken: true), "run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100",
            "--name", name, "--ssh-key", _keyFile, "--journal", _journal, "-o", "json");

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    [TestCase("HUP", 129)]
    public async Task Run_SignalDuringProvisioning_DeletesTheInstanceThenExits(string signal, int exitCode)
    {
        // Fluence deletes an instance only once it is ACTIVE: the cleanup must outlast the provisioning, longer than any
        // fixed grace period the process might have been given.
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromSeconds(8));
        var name = "sig-" + signal.ToLowerInvariant();
        using var child = StartRun(sandbox, name);

        await child.LineAsync(l => l.Contains($"{name} fluence ", StringComparison.Ordinal) && l.Contains("Provisioning", StringComparison.Ordinal), "a provisioning line");
        child.Signal(signal);
        var notice = await child.LineAsync(l => l.StartsWith("interrupted: deleting", StringComparison.Ordinal), "the cleanup notice");
        var code = await child.ExitAsync();

        var instance = (await InventoryAsync(sandbox)).Single(i => i.Name == name);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exitCode), child.Error);
            Assert.That(notice, Does.Contain(instance.Id).And.Contain(name), "says what it deletes");
            Assert.That(child.Error, Does.Contain("this can take up to 2m"), "and how long that may take");
            Assert.That(child.Error, Does.Contain($"deleted: fluence container:{instance.Id}"), "says the result");
            Assert.That(instance.State, Is.EqualTo("ENDED"), "nothing this command created is left running");
        }
    }

    [Test]
    public async Task Run_SecondSigint_ExitsAtOnce_NamingTheInstance_AndTheSweepFindsIt()
    {
        // Never ACTIVE while the test runs: the first SIGINT's cleanup keeps being refused (Conflict) until the second one.
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        using var child = StartRun(sandbox, "sig-twice");

        await child.LineAsync(l => l.Contains("sig-twice fluence ", StringComparison.Ordinal) && l.Contains("Provisioning", StringComparison.Ordinal), "a provisioning line");
        child.Signal("INT");
        await child.LineAsync(l => l.StartsWith("interrupted: deleting", StringComparison.Ordinal), "the cleanup notice");
        child.Signal("INT");
        var code = await child.ExitAsync();

        var instance = (await InventoryAsync(sandbox)).Single(i => i.Name == "sig-twice");
        var swept = await Cli.RunAsync(["instances", "sweep", "--journal", _journal, "-o", "json"], null, sandbox.Environment(staticToken: true));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(130), child.Error);
            Assert.That(child.Error, Does.Contain("interrupted again").And.Contain(instance.Id).And.Contain("gpucloud instances sweep"));
            Assert.That(child.Error, Does.Not.Contain("NOT deleted"), "it did not wait for the cleanup to give up");
            Assert.That(instance.State, Is.EqualTo("INITIALIZED"), "left running, as the message says");
            Assert.That(swept.ExitCode, Is.Zero, swept.Error);
            Assert.That(swept.Out, Does.Contain(instance.Id), "the journal lets the sweep find it");
        }
    }

    [TestCase("INT", 130)]
    [TestCase("HUP", 129)]
    public async Task Wait_CreatedNothing_ExitsAtOnce_AndTouchesNothing(string signal, int exitCode)
    {
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        var env = sandbox.Environment(staticToken: true);
        var made = await Cli.RunAsync(["instances", "create", "--provider", "fluidstack", "--plan", "eu-north-1/cpu.2x", "--name", "someone-elses",
            "--ssh-key", _keyFile, "--journal", _journal, "-o", "json"], null, env);
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        var id = JsonDocument.Parse(made.Out).RootElement.GetProperty("id").GetString()!;
        using var child = ChildCli.Start(env, "instances", "wait", "fluidstack", id, "--journal", _journal, "-o", "json");

        await child.LineAsync(l => l.Contains("someone-elses fluidstack ", StringComparison.Ordinal), "a progress line");
        child.Signal(signal);
        var code = await child.ExitAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exitCode), child.Error);
            Assert.That(child.Error, Does.Contain("cancelled.").And.Not.Contain("deleting"), "nothing to clean up");
            Assert.That((await InventoryAsync(sandbox)).Single(i => i.Name == "someone-elses").State, Is.EqualTo("creating"), "untouched");
        }
    }
}
