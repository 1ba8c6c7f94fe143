using System.Diagnostics;
using GpuCloud;
using Microsoft.Data.Sqlite;

namespace GpuCloud.Journal.Sqlite.Tests;

public sealed class SqliteInstanceJournalTests
{
    private string _folder = null!;
    private string _path = null!;

    [SetUp]
    public void NewFolder()
    {
        _folder = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-journal").FullName, "state", "gpucloud");
        _path = Path.Combine(_folder, "journal.db");
    }

    [TearDown]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(_folder))!, recursive: true);
    }

    [Test]
    public async Task AKeptInstanceStaysOpenWithItsId_AndOnlyACreatedOneCanBeKept()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1"));
        await journal.RecordOutcomeAsync("t1", new JournalOutcome(JournalOutcomeKind.Created, "container:new-1", null, Entries.At));
        await journal.RecordIntentAsync(Entries.Intent("t2", at: Entries.At.AddSeconds(1)));
        await journal.RecordOutcomeAsync("t2", new JournalOutcome(JournalOutcomeKind.Unknown, null, GpuCloudErrorCode.Timeout, Entries.At));

        await journal.RecordKeptAsync("fluence", "container:new-1", Entries.At.AddMinutes(1));
        await journal.RecordKeptAsync("fluence", "container:new-1", Entries.At.AddMinutes(2)); // kept again: still recorded
        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordKeptAsync("fluence", "container:someone-elses", Entries.At.AddMinutes(1)));
        Assert.That(ex!.Message, Does.Contain("container:someone-elses").And.Contain(_path), "a keep that lands on no entry is never silent");

        var open = await journal.ListOpenAsync();
        Assert.That(open.Select(e => (e.Intent.Token, e.Outcome!.Kind, e.Outcome.InstanceId)), Is.EqualTo(new (string, JournalOutcomeKind, string?)[]
        {
            ("t1", JournalOutcomeKind.Kept, "container:new-1"),
            ("t2", JournalOutcomeKind.Unknown, null),
        }));
    }

    [Test]
    public async Task AKeepWhoseCreateHasNoRecordedOutcomeFailsLoudly()
    {
        // The outcome write failed (the journal was held by another process): the keep finds no row, and must say so.
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1"));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordKeptAsync("fluence", "container:new-1", Entries.At));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain("container:new-1").And.Contain("kept"));
    }

    [Test]
    public async Task ARowThatCannotBeReadCostsThatRow_WithAWarningNamingIt()
    {
        var warnings = new List<string>();
        var journal = new SqliteInstanceJournal(_path, warnings.Add);
        foreach (var token in new[] { "good-1", "huge-price", "huge-pid", "bad-time", "good-2" })
            await journal.RecordIntentAsync(Entries.Intent(token, at: Entries.At.AddSeconds(warnings.Count + token.Length)));
        using (var connection = new SqliteConnection($"Data Source={_path}"))
        {
            connection.Open();
            using var corrupt = connection.CreateCommand();
            corrupt.CommandText = """
                UPDATE creates SET price_per_hour = '1e40' WHERE token = 'huge-price';
                UPDATE creates SET pid = 1099511627776 WHERE token = 'huge-pid';
                UPDATE creates SET expires_at = 'not a time' WHERE token = 'bad-time';
                """;
            corrupt.ExecuteNonQuery();
        }

        var open = await journal.ListOpenAsync();

        Assert.That(open.Select(e => e.Intent.Token), Is.EquivalentTo(new[] { "good-1", "good-2" }));
        Assert.That(warnings, Has.Count.EqualTo(3));
        Assert.That(warnings, Has.Some.Contains("huge-price").And.Some.Contains("huge-pid").And.Some.Contains("bad-time"));
        Assert.That(warnings, Has.All.Contain(_path).And.All.Not.Contain("\n"));
    }

    [Test]
    public async Task ReadingNeverWaitsForAWriter_AndOpeningAnExistingJournalTakesNoWriteLock()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("before"));
        using var child = Child("hold", _path); // holds BEGIN IMMEDIATE until killed
        try
        {
            Assert.That(await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)), Is.EqualTo("holding"));

            // The old open ran BEGIN IMMEDIATE (the migration check): it waited out the busy timeout, then failed.
            var reader = new SqliteInstanceJournal(_path);
            var open = await reader.ListOpenAsync();

            Assert.That(open.Select(e => e.Intent.Token), Is.EqualTo(new[] { "before" }), "the held transaction's row is not visible, the committed one is");
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    [Test]
    public async Task OpeningAndReadingAFileThatHoldsNoJournalYetChangesNothing()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllBytes(_path, []); // an empty file: what a process killed right after creating it leaves

        var journal = new SqliteInstanceJournal(_path);
        var open = await journal.ListOpenAsync();

        Assert.That(open, Is.Empty);
        SqliteConnection.ClearAllPools();
        Assert.That(new FileInfo(_path).Length, Is.Zero, "reading never migrates");
        await journal.RecordIntentAsync(Entries.Intent("t1"));
        Assert.That((await journal.ListOpenAsync()).Select(e => e.Intent.Token), Is.EqualTo(new[] { "t1" }), "the first write makes it a journal");
    }

    [Test]
    public void AnotherProgramsSqliteFileIsRefusedByName_AndNeverChanged()
    {
        Directory.CreateDirectory(_folder);
        using (var other = new SqliteConnection($"Data Source={_path}"))
        {
            other.Open();
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine');";
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        var before = File.ReadAllBytes(_path);

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
            Assert.That(ex.Message, Does.Contain(_path).And.Contain("not a GpuCloud journal").And.Not.Contain("\n"));
            SqliteConnection.ClearAllPools();
            Assert.That(File.ReadAllBytes(_path), Is.EqualTo(before), "no table was added");
        }
    }

    [Test]
    public void AFolderAtThePathIsAOneLineErrorSayingSo()
    {
        Directory.CreateDirectory(_path);

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain(_path).And.Contain("is a folder").And.Not.Contain("\n"));
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AJournalOthersCanReadGetsAOneLineWarning()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("POSIX permissions");
        await new SqliteInstanceJournal(_path).RecordIntentAsync(Entries.Intent("t1"));
        var warnings = new List<string>();
        _ = new SqliteInstanceJournal(_path, warnings.Add);
        Assert.That(warnings, Is.Empty, "private by default");

        File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _ = new SqliteInstanceJournal(_path, warnings.Add);

        Assert.That(warnings.Single(), Does.Contain(_path).And.Contain("other users").And.Contain("chmod 600"));
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheFileAndItsFolderAreReadableByTheUserOnly()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("POSIX permissions");
        var journal = new SqliteInstanceJournal(_path);
        journal.RecordIntentAsync(Entries.Intent("t1")).GetAwaiter().GetResult();

        using (var reader = new SqliteConnection($"Data Source={_path}"))
        {
            reader.Open(); // keeps -wal and -shm present
            using (Assert.EnterMultipleScope())
            {
                Assert.That(File.GetUnixFileMode(_folder), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
                foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
                {
                    Assert.That(File.Exists(file), file);
                    Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
                }
            }
        }
    }

    [Test]
    public void AFileFromANewerSchemaIsRefusedByNameAndLeftAsItIs()
    {
        _ = new SqliteInstanceJournal(_path);
        using (var connection = new SqliteConnection($"Data Source={_path}"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = "PRAGMA user_version = 7;";
            bump.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        var before = File.ReadAllBytes(_path);

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
            Assert.That(ex.Message, Does.Contain(_path).And.Contain("schema 7").And.Contain("newer"));
            SqliteConnection.ClearAllPools();
            Assert.That(File.ReadAllBytes(_path), Is.EqualTo(before), "not rewritten");
        }
    }

    [Test]
    public void AFileThatIsNotAJournalIsRefusedByName()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(_path, "these are my notes, not a database\n" + new string('x', 4096));

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain(_path));
        Assert.That(File.ReadAllText(_path), Does.StartWith("these are my notes"), "never overwritten");
    }

    [Test]
    public void TheUsualPlaceFollowsXDGSTATEHOMEElseTheHomeFolder()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SqliteInstanceJournal.DefaultPath(n => n == "XDG_STATE_HOME" ? "/var/state" : null, "/home/me"), Is.EqualTo("/var/state/gpucloud/journal.db"));
            Assert.That(SqliteInstanceJournal.DefaultPath(_ => null, "/home/me"), Is.EqualTo("/home/me/.local/state/gpucloud/journal.db"));
            Assert.That(SqliteInstanceJournal.DefaultPath(n => n == "XDG_STATE_HOME" ? "relative/dir" : null, "/home/me"), Is.EqualTo("/home/me/.local/state/gpucloud/journal.db"),
                "the XDG spec ignores a relative path");
        }
    }

    [Test]
    public async Task SeveralProcessesWriteAtOnceAndNothingIsLost()
    {
        _ = new SqliteInstanceJournal(_path); // created once, so the children race on writes, not on the schema
        var children = Enumerable.Range(0, 4).Select(i => Child("write", _path, $"p{i}", "50")).ToArray();
        foreach (var child in children)
        {
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.That(child.ExitCode, Is.Zero, await child.StandardError.ReadToEndAsync());
        }

        var open = await new SqliteInstanceJournal(_path).ListOpenAsync();

        Assert.That(open, Has.Count.EqualTo(200));
        Assert.That(open.Select(e => e.Intent.Token).Distinct().Count(), Is.EqualTo(200));
        Assert.That(open.Select(e => e.Outcome?.InstanceId), Is.EqualTo(open.Select(e => "id-" + e.Intent.Token)), "every outcome landed on its own intent");
    }

    [Test]
    public async Task AWriterKilledMidTransactionLeavesNoHalfRecordAndNoLock()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("before"));
        using var child = Child("hold", _path);
        var said = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.That(said, Is.EqualTo("holding"), "the child began its transaction");

        child.Kill(entireProcessTree: true); // SIGKILL: no chance to roll back or close
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await journal.RecordIntentAsync(Entries.Intent("after"));

        var open = await journal.ListOpenAsync();
        Assert.That(open.Select(e => e.Intent.Token), Is.EquivalentTo(new[] { "before", "after" }), "the killed transaction is gone, the file writable");
    }

    [Test]
    public async Task ListingALargeJournalReadsOpenEntriesThroughAnIndex()
    {
        var journal = new SqliteInstanceJournal(_path);
        using (var connection = new SqliteConnection($"Data Source={_path}"))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO creates (token, provider, plan_id, name, at, owner, host, pid, process_started_at, existing_ids, outcome, instance_id, gone_at)
                VALUES ($t, 'fluence', 'p', 'n', $at, 'o', 'h', 1, $at, '', 'Created', $t, $at)
                """;
            var token = insert.Parameters.Add("$t", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Text);
            for (var i = 0; i < 100_000; i++)
            {
                token.Value = $"old-{i}";
                at.Value = Entries.At.AddSeconds(-i).UtcDateTime.ToString("O");
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        await journal.RecordIntentAsync(Entries.Intent("still-open"));

        Assert.That((await journal.ListOpenAsync()).Select(e => e.Intent.Token), Is.EqualTo(new[] { "still-open" }));
        using var plan = new SqliteConnection($"Data Source={_path}");
        plan.Open();
        using var explain = plan.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN SELECT token FROM creates WHERE gone_at IS NULL AND (outcome IS NULL OR outcome NOT IN ('Failed', 'Closed')) ORDER BY at";
        using var reader = explain.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read()) steps.Add(reader.GetString(3));
        Assert.That(steps, Has.Some.Contains("USING INDEX creates_open"), "100,000 closed entries are not scanned: " + string.Join("; ", steps));
    }

    private static Process Child(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
