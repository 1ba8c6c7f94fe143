using GpuCloud;
using Microsoft.Data.Sqlite;

namespace GpuCloud.Journal.Sqlite.Tests;

/// <summary>
/// The SQLite journal at the edges mutation testing found unwatched (tests/MUTATION.md): its argument checks, entries
/// without the optional fields, times to the tick, a journal that breaks while open, another database's refusal, and a
/// newer program's schema met at the first write.
/// </summary>
public sealed class SqliteJournalEdgeCaseTests
{
    private string _root = null!;
    private string _path = null!;

    [SetUp]
    public void NewFolder()
    {
        _root = Directory.CreateTempSubdirectory("gpucloud-journal").FullName;
        _path = Path.Combine(_root, "journal.db");
    }

    [TearDown]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static readonly JournalOutcome Outcome = new(JournalOutcomeKind.Created, "i-1", null, Entries.At);

    [Test]
    public async Task EveryWriteChecksItsArguments_BeforeTouchingTheFile()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1"));
        await journal.RecordOutcomeAsync("t1", Outcome);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new SqliteInstanceJournal(" "), Throws.ArgumentException);
            Assert.That(() => SqliteInstanceJournal.DefaultPath(null!, "/home/dev"), Throws.ArgumentNullException);
            Assert.That(() => journal.RecordIntentAsync(null!), Throws.ArgumentNullException);
            Assert.That(() => journal.RecordOutcomeAsync(" ", Outcome), Throws.ArgumentException);
            Assert.That(() => journal.RecordOutcomeAsync("t1", null!), Throws.ArgumentNullException);
            Assert.That(() => journal.RecordGoneAsync(" ", "i-1", Entries.At), Throws.ArgumentException);
            Assert.That(() => journal.RecordGoneAsync("fluence", " ", Entries.At), Throws.ArgumentException);
            Assert.That(() => journal.RecordKeptAsync(" ", "i-1", Entries.At), Throws.ArgumentException.With.Property("ParamName").EqualTo("provider"));
            Assert.That(() => journal.RecordKeptAsync("fluence", " ", Entries.At), Throws.ArgumentException.With.Property("ParamName").EqualTo("instanceId"));
        }
        var open = await journal.ListOpenAsync();
        Assert.That(open.Select(e => (e.Intent.Token, e.Outcome?.InstanceId, e.Outcome?.Kind)), Is.EqualTo(new[] { ("t1", (string?)"i-1", (JournalOutcomeKind?)JournalOutcomeKind.Created) }),
            "no refused write changed the entry");
    }

    [Test]
    public async Task AnIntentWithoutPriceCurrencyOrExpiry_ReadsBackWithout()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1") with { PricePerHour = null, Currency = null, ExpiresAt = null });

        var entry = (await journal.ListOpenAsync()).Single();

        Assert.That((entry.Intent.PricePerHour, entry.Intent.Currency, entry.Intent.ExpiresAt), Is.EqualTo(((decimal?)null, (string?)null, (DateTimeOffset?)null)));
    }

    [Test]
    public async Task TimesReadBackToTheTick()
    {
        var at = new DateTimeOffset(2026, 12, 7, 6, 30, 45, TimeSpan.FromHours(2)).AddTicks(1234567);
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1", at: at));
        await journal.RecordOutcomeAsync("t1", Outcome with { At = at.AddTicks(1) });

        var entry = (await journal.ListOpenAsync()).Single();

        Assert.That((entry.Intent.At, entry.Intent.ExpiresAt, entry.Outcome!.At), Is.EqualTo((at, (DateTimeOffset?)at.AddHours(2), at.AddTicks(1))));
    }

    [Test]
    public async Task AJournalThatBreaksWhileOpen_FailsItsReadAsUnavailable_NamingTheRead()
    {
        var journal = new SqliteInstanceJournal(_path);
        await journal.RecordIntentAsync(Entries.Intent("t1"));
        Sql("DROP TABLE creates;");

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.ListOpenAsync());

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.StartWith($"The journal {_path} could not be used (read): "));
    }

    [Test]
    public void AnotherDatabaseWithAVersionButNoJournalTable_IsRefused_NamingItsTables()
    {
        Sql("CREATE TABLE alpha (x); CREATE TABLE beta (y); PRAGMA user_version = 1;");

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        Assert.That(ex!.Message, Does.Contain("(it is another SQLite database, with tables alpha, beta); it was left as it is."));
    }

    [Test]
    public void AnotherDatabaseWithNoTablesButAVersion_IsRefused_WithoutATableList()
    {
        Sql("PRAGMA user_version = 5;");

        var ex = Assert.Throws<GpuCloudException>(() => _ = new SqliteInstanceJournal(_path));

        Assert.That(ex!.Message, Does.Contain("(it is another SQLite database); it was left as it is."));
    }

    [Test]
    public async Task ANewerProgramsSchema_MetAtTheFirstWrite_IsRefusedThere()
    {
        var first = new SqliteInstanceJournal(_path);
        await first.RecordIntentAsync(Entries.Intent("t1"));
        var second = new SqliteInstanceJournal(_path); // opened at schema 1: only inspected
        Sql("PRAGMA user_version = 2;"); // a newer GpuCloud migrated it in between

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => second.RecordIntentAsync(Entries.Intent("t2")));

        Assert.That(ex!.Message, Does.Contain("was written by a newer GpuCloud (schema 2; this one knows up to 1)"));
    }
}
