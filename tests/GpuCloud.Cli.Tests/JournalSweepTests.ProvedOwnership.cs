using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 23's scenario, end to end with child <c>gpucloud</c> processes and two journals (a user and a colleague sharing one
/// account): a create whose outcome is unclear (a 503 before the create, an answer lost after it, a process killed before it
/// knew), then the colleague makes an instance with the same name; one <c>sweep --yes</c> through the first journal must
/// leave the colleague's instance running, and the first journal's entry must end closed or say why it is open.
/// </summary>
public sealed partial class JournalSweepTests
{
    public enum Clarity
    {
        FailedBeforeTheCreate,
        AnswerLostAfterTheCreate,
        KilledBeforeTheOutcome,
    }

    private sealed record ChildResult(int ExitCode, string Out, string Error);

    /// <summary>Runs the CLI as a child process to its end (a generous bound only turns a hang into a failure).</summary>
    private static async Task<ChildResult> ChildAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var child = StartCli(environment, args);
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3), CancellationToken.None)
            .ContinueWith(t => t.IsFaulted ? throw new AssertionException($"hang: gpucloud {string.Join(' ', args)} did not exit within 3 minutes") : t);
        return new ChildResult(child.ExitCode, await output, await error);
    }

    private static string[] CreateArgs(string provider, string plan, string name, string keyFile, string journal) =>
        ["instances", "create", "--provider", provider, "--plan", plan, "--name", name, "--ssh-key", keyFile, "--journal", journal];

    [TestCase("fluence", Clarity.FailedBeforeTheCreate)]
    [TestCase("fluence", Clarity.AnswerLostAfterTheCreate)]
    [TestCase("fluence", Clarity.KilledBeforeTheOutcome)]
    [TestCase("fluidstack", Clarity.FailedBeforeTheCreate)]
    [TestCase("fluidstack", Clarity.AnswerLostAfterTheCreate)]
    [TestCase("fluidstack", Clarity.KilledBeforeTheOutcome)]
    public async Task AColleaguesSameNamedInstanceIsNeverSwept_AndTheEntryEndsClosedOrSaysWhy(string provider, Clarity clarity)
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        var colleagueJournal = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-colleague").FullName, "journal.db");
        string plan;
        using (var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n))))
        {
            plan = provider == "fluence"
                ? (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0].Id
                : "eu-north-1/cpu.2x";
        }
        var createPath = provider == "fluence" ? "/gpu/instances" : "/fluidstack/regions/";
        const string name = "train";

        switch (clarity)
        {
            case Clarity.FailedBeforeTheCreate:
                sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = "POST", PathPrefix = createPath, Count = 1 });
                var failed = await ChildAsync(env, CreateArgs(provider, plan, name, _keyFile, _journal));
                Assert.That(failed.ExitCode, Is.EqualTo(1), failed.Out + failed.Error);
                break;
            case Clarity.AnswerLostAfterTheCreate:
                sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = "POST", PathPrefix = createPath, Count = 1, AfterHandler = true });
                var found = await ChildAsync(env, CreateArgs(provider, plan, name, _keyFile, _journal));
                Assert.That(found.ExitCode, Is.Zero, "the lookup finds what this call made: " + found.Out + found.Error);
                break;
            case Clarity.KilledBeforeTheOutcome:
                sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.SlowBody, Method = "POST", PathPrefix = createPath, ChunkSize = 1, Delay = TimeSpan.FromMinutes(5), Count = 1 });
                using (var child = StartCli(env, CreateArgs(provider, plan, name, _keyFile, _journal)))
                {
                    await UntilAsync(() => Task.FromResult(sandbox.Server.Inventory.LiveInstances().Any(i => i.Name == name)), child, "the provider made the instance");
                    await KillAsync(child);
                }
                break;
        }
        sandbox.Server.Faults.Clear();
        var ours = sandbox.Server.Inventory.LiveInstances().Where(i => i.Name == name).Select(i => i.Id).ToArray();

        var colleague = await ChildAsync(env, [.. CreateArgs(provider, plan, name, _keyFile, colleagueJournal), "--max-duration", "8h"]);
        Assert.That(colleague.ExitCode, Is.Zero, colleague.Out + colleague.Error);
        var theirs = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == name && !ours.Contains(i.Id)).Id;

        var swept = await ChildAsync(env, "instances", "sweep", "--yes", "--journal", _journal);

        var live = sandbox.Server.Inventory.LiveInstances().Select(i => i.Id).ToArray();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var open = await new SqliteInstanceJournal(_journal).ListOpenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(live, Does.Contain(theirs), "the colleague's same-named instance is left running: " + swept.Out);
            Assert.That(swept.Out.Split('\n').Where(l => l.StartsWith("deleted:", StringComparison.Ordinal) && l.Contains(theirs, StringComparison.Ordinal)), Is.Empty);
            switch (clarity)
            {
                case Clarity.FailedBeforeTheCreate:
                    Assert.That(ours, Is.Empty, "nothing was made");
                    Assert.That(open, Is.Empty, "the create provably made nothing: its entry closed at once");
                    break;
                case Clarity.AnswerLostAfterTheCreate:
                    Assert.That(ours, Has.Length.EqualTo(1));
                    Assert.That(open.Select(e => e.Outcome?.InstanceId is not null), Is.EqualTo(new[] { true }), "the entry knows its instance: it claims no other");
                    Assert.That(live, Does.Contain(ours[0]), "'instances create' handed it over (kept): not swept");
                    break;
                case Clarity.KilledBeforeTheOutcome when provider == "fluidstack":
                    Assert.That(live, Does.Not.Contain(ours.Single()), "its token proves it this journal's: swept");
                    Assert.That(swept.Out, Does.Contain("deleted: fluidstack").And.Contain(ours.Single()));
                    break;
                case Clarity.KilledBeforeTheOutcome:
                    // Fluence keeps no marks: a name and a time are all there is, for ours and the colleague's alike.
                    Assert.That(live, Does.Contain(ours.Single()), "not proved, so not deleted");
                    Assert.That(swept.Out, Does.Contain("may be yours: fluence").And.Contain("not deleted"));
                    Assert.That(open, Has.Count.EqualTo(1), "the entry stays open, within its window, and says so");
                    break;
            }
        }
    }
}

public sealed partial class JournalSweepTests
{
    [Test]
    public async Task ASweepThatCouldNotListAProviderItNeededExits1AndNamesIt()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 401, Method = "GET", PathPrefix = "/gpu/instances" });

        var swept = await ChildAsync(env, "instances", "sweep", "--yes", "--journal", _journal);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.EqualTo(1), "a cron job must not read 'nothing could be looked at' as 'nothing to sweep': " + swept.Out + swept.Error);
            Assert.That(swept.Error, Does.Contain("error: fluence:").And.Contain("could not be listed"));
            Assert.That(swept.Out, Does.Not.Contain("Nothing to sweep on fluence"));
        }
    }

    [Test]
    public async Task AnOrphanStillProvisioningIsLeftListedAsSuch_WithExitCode3()
    {
        // Fluence deletes only ACTIVE instances; this one stays INITIALIZED for an hour.
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUIDSTACK_TOKEN");
        env.Remove("FLUIDSTACK_BASE_URL");
        env.Remove("FLUIDSTACK_PROJECT_ID");

        using var child = StartCli(env, "run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100", "--name", "provisioning-a",
            "--ssh-key", _keyFile, "--release", "--journal", _journal);
        var journal = new SqliteInstanceJournal(_journal);
        await UntilAsync(async () => (await journal.ListOpenAsync()).Any(e => e.Outcome?.Kind == JournalOutcomeKind.Created), child, "the create was answered");
        await KillAsync(child);
        var made = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "provisioning-a");

        var swept = await ChildAsync(env, "instances", "sweep", "--yes", "--journal", _journal);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.EqualTo(SweepCommand.StillProvisioning), swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain("still provisioning: fluence").And.Contain(made.Id).And.Contain("run the sweep again later"));
            Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { made.Id }), "still there, still on record");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.That((await new SqliteInstanceJournal(_journal).ListOpenAsync()).Select(e => e.Outcome?.InstanceId), Has.Some.Contains(made.Id));
    }
}

public sealed partial class JournalSweepTests
{
    [Test]
    public async Task InstancesCreateRecordsThePlansPrice_SoTheSweepKnowsTheCostSoFar()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        GpuPlan plan;
        using (var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n))))
            plan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0];
        Assert.That(plan.PricePerHour, Is.Not.Null, "the sandbox's plans carry prices");

        var made = await Cli.RunAsync([.. CreateArgs("fluence", plan.Id, "priced", _keyFile, _journal)], null, env);

        Assert.That(made.ExitCode, Is.Zero, made.Error);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var entry = (await new SqliteInstanceJournal(_journal).ListOpenAsync()).Single();
        Assert.That((entry.Intent.PricePerHour, entry.Intent.Currency), Is.EqualTo((plan.PricePerHour, plan.Currency)));
    }
}

public sealed partial class JournalSweepTests
{
    public enum JournalFault
    {
        FolderAtThePath,
        AnotherProgramsSqliteFile,
        NewerSchema,
        NotADatabase,
    }

    /// <summary>
    /// The journal fault table: a journal that cannot be used makes each command give a one-line error (create, sweep) or
    /// work without it (list), a create that cannot record its intent sends nothing, and the file is never rewritten.
    /// </summary>
    [TestCase(JournalFault.FolderAtThePath)]
    [TestCase(JournalFault.AnotherProgramsSqliteFile)]
    [TestCase(JournalFault.NewerSchema)]
    [TestCase(JournalFault.NotADatabase)]
    public async Task AJournalThatCannotBeUsed_IsAOneLineErrorForCreateAndSweep_ListStillWorks_NothingSentNothingRewritten(JournalFault fault)
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var env = sandbox.Environment(staticToken: true);
        Directory.CreateDirectory(Path.GetDirectoryName(_journal)!);
        switch (fault)
        {
            case JournalFault.FolderAtThePath:
                Directory.CreateDirectory(_journal);
                break;
            case JournalFault.AnotherProgramsSqliteFile or JournalFault.NewerSchema:
                using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_journal}"))
                {
                    other.Open();
                    using var command = other.CreateCommand();
                    command.CommandText = fault == JournalFault.NewerSchema
                        ? "CREATE TABLE creates (token TEXT PRIMARY KEY); PRAGMA user_version = 9;"
                        : "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');";
                    command.ExecuteNonQuery();
                }
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                break;
            case JournalFault.NotADatabase:
                File.WriteAllText(_journal, "my notes, not a database\n" + new string('x', 4096));
                break;
        }
        var before = File.Exists(_journal) ? File.ReadAllBytes(_journal) : null;

        var create = await ChildAsync(env, CreateArgs("fluidstack", "eu-north-1/cpu.2x", "journal-fault", _keyFile, _journal));
        var list = await ChildAsync(env, "instances", "list", "--journal", _journal);
        var sweep = await ChildAsync(env, "instances", "sweep", "--journal", _journal);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(create.ExitCode, Is.Not.Zero);
            Assert.That(create.Error.Trim().Split('\n'), Has.Length.EqualTo(1).And.All.Contain(_journal), "one line, naming the file: " + create.Error);
            Assert.That(sandbox.Server.Inventory.CreateRequests(SandboxProvider.Fluidstack, "journal-fault"), Is.Zero, "no intent recorded: nothing sent");
            Assert.That(list.ExitCode, Is.Zero, "a listing does not need the journal: " + list.Error);
            Assert.That(sweep.ExitCode, Is.Not.Zero);
            Assert.That(sweep.Error.Trim().Split('\n'), Has.Length.EqualTo(1).And.All.Contain(_journal), sweep.Error);
            Assert.That(sweep.Error + create.Error, Does.Not.Contain("   at "), "no stack trace");
            if (before is not null) Assert.That(File.ReadAllBytes(_journal), Is.EqualTo(before), "never rewritten");
        }
    }
}

public sealed partial class JournalSweepTests
{
    [Test]
    public async Task AnOrphanSomeoneElseDeletedFirstIsReportedAlreadyGone_NotDeleted()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));
        var env = sandbox.Environment(staticToken: true);
        env.Remove("FLUENCE_API_KEY");
        using (var child = StartCli(env, "run", "--provider", "fluidstack", "--name", "raced", "--ssh-key", _keyFile, "--release", "--journal", _journal))
        {
            var journal = new SqliteInstanceJournal(_journal);
            await UntilAsync(async () => (await journal.ListOpenAsync()).Any(e => e.Outcome?.Kind == JournalOutcomeKind.Created), child, "the create was answered");
            await KillAsync(child);
        }
        var made = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "raced");
        // Between the sweep's list and its delete, another sweep deleted it: the provider now answers 404 for it.
        sandbox.Server.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Status, StatusCode = 404, Method = "GET", PathPrefix = $"/fluidstack/regions/{made.Location}/api/v1alpha1/instances/{made.Id}",
        });

        var swept = await ChildAsync(env, "instances", "sweep", "--yes", "--journal", _journal);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain($"already gone: fluidstack {made.Location}/{made.Id}"));
            Assert.That(swept.Out, Does.Not.Contain("deleted: "), "this sweep deleted nothing; it must not say it did");
        }
    }
}
