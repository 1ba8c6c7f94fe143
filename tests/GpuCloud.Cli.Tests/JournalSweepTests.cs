using System.Diagnostics;
using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Crash safety end to end: the CLI, a real child process pointed at a standalone sandbox on loopback, is killed with SIGKILL
/// (a) right after its create request was sent and (b) while it waits for readiness; then one <c>gpucloud instances sweep
/// --yes</c> with the same journal deletes exactly what it proves its own (a recorded id, or the create's token), shows what
/// only a name and a time point at as "may be yours", and never deletes the same-named instances made elsewhere.
/// </summary>
[NonParallelizable]
public sealed partial class JournalSweepTests
{
    private string _journal = null!;
    private string _keyFile = null!;

    [SetUp]
    public void Files()
    {
        _journal = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-sweep").FullName, "journal.db");
        _keyFile = Cli.KeyFile(Cli.Ed25519);
    }

    /// <summary>Starts the CLI as its own process (so it can be killed like a user's), with the sandbox's environment.</summary>
    private static Process StartCli(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Waits (polling, within a generous bound that only turns a hang into a failure) until <paramref name="condition"/> holds.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, Process child, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard.Limit;
        while (!await condition())
        {
            if (child.HasExited) Assert.Fail($"the CLI exited ({child.ExitCode}) before {what}: {await child.StandardError.ReadToEndAsync()}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"Hang: waited {HangGuard.Limit.TotalMinutes:0} minutes, and still not {what}");
            await Task.Delay(50);
        }
    }

    private static async Task KillAsync(Process child)
    {
        child.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no journal outcome, no release
        await HangGuard.WithinAsync(child.WaitForExitAsync(), "the killed CLI's exit");
    }

    /// <summary>An instance named <paramref name="name"/> made by another program (another owner), before the CLI runs.</summary>
    private static async Task<string> MadeElsewhereAsync(StandaloneSandbox sandbox, CreateInstanceRequest request)
    {
        var options = GpuCloudOptions.FromEnvironment(n => sandbox.Environment(staticToken: true).GetValueOrDefault(n));
        options.Owner = "someone-else@another-host";
        using var elsewhere = new GpuCloudClient(options);
        return Sandboxes.Raw((await elsewhere.CreateInstanceAsync(request)).Id);
    }

    [Test]
    public async Task KilledRightAfterSendingTheCreate_OnAProviderWithoutMarks_TheSweepShowsItAsMayBeYours_AndDeletesNothing()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        using var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n)));
        var plan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] })).Plans[0];
        var foreign = await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
        {
            Plan = plan, Name = "killed-a", SshPublicKeys = [Cli.Ed25519], Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
        });
        // The provider makes the instance, but its answer trickles so slowly that the CLI is killed before it knows.
        sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.SlowBody, Method = "POST", PathPrefix = "/gpu/instances", ChunkSize = 1, Delay = TimeSpan.FromMinutes(5) });

        using var child = StartCli(env, "run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100", "--name", "killed-a",
            "--ssh-key", _keyFile, "--release", "--journal", _journal);
        await UntilAsync(() => Task.FromResult(sandbox.Server.Inventory.LiveInstances().Count(i => i.Name == "killed-a") == 2), child, "the provider made the instance");
        await KillAsync(child);
        sandbox.Server.Faults.Clear();
        var made = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "killed-a" && i.Id != foreign);

        var swept = await Cli.RunAsync(["instances", "sweep", "--yes", "--journal", _journal], null, env);

        // Fluence keeps no marks: the instance is this create's only by name and time, which a colleague's could share.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain("MayBeYours").And.Contain($"may be yours: fluence container:{made.Id}").And.Contain("not deleted"));
            Assert.That(swept.Out, Does.Not.Contain("deleted: "), "not proved: never deleted by --yes");
            Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EquivalentTo(new[] { foreign, made.Id }));
        }
        // The user deletes it by id, as the sweep said; the entry stays open (and says so) until its window ends.
        var deleted = await Cli.RunAsync(["instances", "delete", "fluence", $"container:{made.Id}", "--yes", "--journal", _journal], null, env);
        Assert.That(deleted.ExitCode, Is.Zero, deleted.Error);
        var again = await Cli.RunAsync(["instances", "sweep", "--journal", _journal], null, env);
        Assert.That(again.Out, Does.Contain("Nothing to sweep").And.Contain("open: fluence 'killed-a'"));
        Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { foreign }), "the one made elsewhere untouched");
    }

    [Test]
    public async Task KilledWhileWaitingForReadinessThenOneSweepDeletesExactlyThatInstance()
    {
        // Fluidstack instances stay 'creating' for an hour: the CLI is certainly still waiting when it is killed.
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUENCE_API_KEY");
        var foreign = await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
        {
            Provider = "fluidstack", PlanId = "eu-north-1/cpu.2x", Name = "killed-b", SshPublicKeys = [Cli.Ed25519],
        });

        using var child = StartCli(env, "run", "--provider", "fluidstack", "--name", "killed-b", "--ssh-key", _keyFile, "--release", "--journal", _journal);
        var journal = new SqliteInstanceJournal(_journal);
        await UntilAsync(async () => (await journal.ListOpenAsync()).Any(e => e.Outcome?.Kind == JournalOutcomeKind.Created), child, "the create was answered");
        await KillAsync(child);
        var made = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "killed-b" && i.Id != foreign);

        var swept = await Cli.RunAsync(["instances", "sweep", "--yes", "--journal", _journal, "-o", "json"], null, env);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain("\"reason\": \"creatorgone\"").And.Contain(made.Id));
            Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { foreign }), "0 live of ours; the one made elsewhere untouched");
        }
    }

    [Test]
    public async Task AnInstanceACommandHandedOverAndExited_IsKept_AndNotSwept()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);

        using var child = StartCli(env, "run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100", "--name", "kept-a",
            "--ssh-key", _keyFile, "--release", "false", "--journal", _journal);
        await HangGuard.WithinAsync(child.WaitForExitAsync(), "the CLI's exit");
        var kept = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "kept-a");

        var swept = await Cli.RunAsync(["instances", "sweep", "--yes", "--journal", _journal], null, env);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(child.ExitCode, Is.Zero, await child.StandardError.ReadToEndAsync());
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain("Nothing to sweep"), "run kept it on purpose: its exit does not make it an orphan");
            Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { kept.Id }), "still running");
        }
    }

    [Test]
    public async Task InstancesListSaysWhichInstancesGpuCloudCreatedAndWhatTheyHaveCostSoFar()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUIDSTACK_TOKEN");
        env.Remove("FLUIDSTACK_BASE_URL");
        env.Remove("FLUIDSTACK_PROJECT_ID");
        using var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n)));
        var plan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0];
        var foreign = await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
        {
            Plan = plan, Name = "worker", SshPublicKeys = [Cli.Ed25519], Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
        });
        var made = await Cli.RunAsync(["instances", "create", "--provider", "fluence", "--plan", plan.Id, "--name", "worker", "--ssh-key", _keyFile,
            "--journal", _journal, "-o", "json"], null, env);
        Assert.That(made.ExitCode, Is.Zero, made.Error);

        var listed = await Cli.RunAsync(["instances", "list", "--journal", _journal, "-o", "json"], null, env);
        var table = await Cli.RunAsync(["instances", "list", "--journal", _journal, "--wide"], null, env);

        var rows = System.Text.Json.JsonDocument.Parse(listed.Out).RootElement.EnumerateArray()
            .ToDictionary(i => Sandboxes.Raw(i.GetProperty("id").GetString()!), i => i.GetProperty("createdByGpuCloud").GetBoolean());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Has.Count.EqualTo(2));
            Assert.That(rows[foreign], Is.False, "made elsewhere, same name");
            Assert.That(rows.Single(r => r.Key != foreign).Value, Is.True, "made by this CLI, by its journal");
            Assert.That(table.Out, Does.Contain("Cost so far").And.Contain("GpuCloud"));
            // Fluence's list carries no price, its detail does: the list shows the detail's price, so the cost has a total (issue 25).
            Assert.That(table.Out, Does.Contain("for 2 priced instance(s)"));
        }
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheJournalIsPrivateToTheUserAndHoldsNoSecret()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        using var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n)));
        var plan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0];
        const string environmentSecret = "hf_journal_must_not_hold_this_0123456789";
        var journal = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-private").FullName, "state", "gpucloud", "journal.db");

        var fluence = await Cli.RunAsync(["instances", "create", "--provider", "fluence", "--plan", plan.Id, "--name", "private-1",
            "--env", "HF_TOKEN=" + environmentSecret, "--ssh-key", _keyFile, "--journal", journal, "--max-duration", "2h"], null, env);
        var fluidstack = await Cli.RunAsync(["instances", "create", "--provider", "fluidstack", "--plan", "eu-north-1/cpu.2x", "--name", "private-2",
            "--ssh-key", _keyFile, "--journal", journal], null, env);
        Assert.That(fluence.ExitCode, Is.Zero, fluence.Error);
        Assert.That(fluidstack.ExitCode, Is.Zero, fluidstack.Error);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var bytes = string.Concat(new[] { journal, journal + "-wal" }.Where(File.Exists).Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Does.Contain("private-1").And.Contain("private-2"), "the creates were recorded");
            foreach (var secret in new[] { sandbox.Server.FluenceApiKey, sandbox.Server.FluidstackToken, environmentSecret, Cli.Ed25519.Split(' ')[1] })
                Assert.That(bytes, Does.Not.Contain(secret), secret[..8] + "...");
            Assert.That(File.GetUnixFileMode(journal), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the file the CLI created");
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(journal)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
                "the folders the CLI created");
        }
    }

    [Test]
    public async Task AJournalWrittenByANewerVersionIsAClearErrorNamingTheFile()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        _ = new SqliteInstanceJournal(_journal);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_journal}"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = "PRAGMA user_version = 9;";
            bump.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var result = await Cli.RunAsync(["instances", "sweep", "--journal", _journal], null, sandbox.Environment());

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("error: gpucloud: JournalUnavailable:").And.Contain(_journal).And.Contain("newer"));
    }

    [Test]
    public async Task AJournalThatCannotBeOpenedFailsOnlyTheCommandsThatNeedIt()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(_journal)!);
        await File.WriteAllTextAsync(_journal, "these are my notes, not a database\n" + new string('x', 4096));

        var plans = await Cli.RunAsync(["plans", "--journal", _journal, "--output", "json"], null, sandbox.Environment());
        var sweep = await Cli.RunAsync(["instances", "sweep", "--journal", _journal], null, sandbox.Environment());

        Assert.That(plans.ExitCode, Is.EqualTo(0), plans.Error + plans.Out);
        Assert.That(plans.Out, Does.Contain("\"provider\""), "the plans were listed");
        Assert.That(sweep.ExitCode, Is.EqualTo(1));
        Assert.That(sweep.Error, Does.Contain("JournalUnavailable").And.Contain(_journal));
        Assert.That(File.ReadAllText(_journal), Does.StartWith("these are my notes"), "never overwritten");
    }
}

internal static class Sandboxes
{
    /// <summary>The provider's own id inside the library's id (<c>container:uuid</c>, <c>region/uuid</c>).</summary>
    public static string Raw(string libraryId) => libraryId[(libraryId.LastIndexOfAny([':', '/']) + 1)..];
}
