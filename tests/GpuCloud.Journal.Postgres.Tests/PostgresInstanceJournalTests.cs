using GpuCloud.Testing.Journal;
using Npgsql;

namespace GpuCloud.Journal.Postgres.Tests;

/// <summary>What the PostgreSQL journal adds to the contract: its schema, its messages, its rows.</summary>
public sealed class PostgresInstanceJournalTests : SchemaPerTest
{
    [Test]
    public async Task Reading_CreatesNothing_TheFirstWriteCreatesTheSchema()
    {
        await using var journal = Journal();

        Assert.That(await journal.ListOpenAsync(), Is.Empty);
        Assert.That(await TestDatabase.ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{Schema}'"), Is.Zero, "a read never migrates");

        await journal.RecordIntentAsync(JournalContract.Intent("t1"));
        Assert.That(await TestDatabase.ScalarAsync($"SELECT value FROM {Schema}.journal_meta WHERE key = 'schema_version'"),
            Is.EqualTo(PostgresInstanceJournal.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task ASchemaFromANewerVersion_IsRefusedByName_AndLeftAsItIs()
    {
        await using (var first = Journal()) await first.RecordIntentAsync(JournalContract.Intent("t1"));
        await TestDatabase.ExecuteAsync($"UPDATE {Schema}.journal_meta SET value = '7' WHERE key = 'schema_version'");

        await using var journal = Journal();
        var read = Assert.ThrowsAsync<GpuCloudException>(() => journal.ListOpenAsync());
        var write = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordIntentAsync(JournalContract.Intent("t2")));

        using (Assert.EnterMultipleScope())
        {
            foreach (var ex in new[] { read!, write! })
            {
                Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
                Assert.That(ex.Message, Does.Contain(Schema).And.Contain("schema 7").And.Contain("newer"));
            }
            Assert.That(await TestDatabase.ScalarAsync($"SELECT count(*) FROM {Schema}.creates"), Is.EqualTo(1L), "nothing written");
            Assert.That(await TestDatabase.ScalarAsync($"SELECT value FROM {Schema}.journal_meta"), Is.EqualTo("7"), "not rewritten");
        }
    }

    [Test]
    public async Task ASchemaThatHoldsAnotherProgramsTables_IsRefusedByName_AndNeverChanged()
    {
        await TestDatabase.ExecuteAsync($"CREATE SCHEMA {Schema}; CREATE TABLE {Schema}.invoices (id int); INSERT INTO {Schema}.invoices VALUES (1)");
        await using var journal = Journal();

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordIntentAsync(JournalContract.Intent("t1")));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain(Schema).And.Contain("not a GpuCloud journal"));
        Assert.That(await TestDatabase.ScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{Schema}'"), Is.EqualTo(1L),
            "no table added");
    }

    [Test]
    public async Task OneUnreadableRow_CostsThatRowOnly_WithAWarningNamingIt()
    {
        var warnings = new List<string>();
        await using var journal = Journal(warnings.Add);
        await journal.RecordIntentAsync(JournalContract.Intent("good", at: JournalContract.Intent("x").At.AddSeconds(1)));
        await journal.RecordIntentAsync(JournalContract.Intent("huge-price"));
        await journal.RecordIntentAsync(JournalContract.Intent("huge-pid"));
        await TestDatabase.ExecuteAsync($"UPDATE {Schema}.creates SET price_per_hour = 1e40 WHERE token = 'huge-price'");
        await TestDatabase.ExecuteAsync($"UPDATE {Schema}.creates SET pid = 99999999999 WHERE token = 'huge-pid'");

        var open = await journal.ListOpenAsync();

        Assert.That(open.Select(e => e.Intent.Token), Is.EqualTo(new[] { "good" }));
        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings, Has.One.Contains("huge-price").And.One.Contains("huge-pid"));
    }

    [Test]
    public async Task AWrongPassword_IsAOneLineError_ThatNeverShowsThePassword()
    {
        var secret = "not-the-password-" + Guid.NewGuid().ToString("N");
        var wrong = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Password = secret }.ConnectionString;
        await using var journal = new PostgresInstanceJournal(wrong, new PostgresJournalOptions { Schema = Schema });

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordIntentAsync(JournalContract.Intent("t1")));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain("127.0.0.1").And.Not.Contain(secret));
        Assert.That(ex.ToString(), Does.Not.Contain(secret));
        Assert.That(journal.Description, Does.Not.Contain(secret).And.Contain("gpucloud@127.0.0.1"));
    }

    [Test]
    public async Task APostgresUrl_Works_AndItsPasswordIsNotInTheDescription()
    {
        var given = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        var url = $"postgres://{given.Username}:{Uri.EscapeDataString(given.Password!)}@{given.Host}:{given.Port}/{given.Database}?application_name=gpucloud-test";
        await using var journal = new PostgresInstanceJournal(url, new PostgresJournalOptions { Schema = Schema });

        await journal.RecordIntentAsync(JournalContract.Intent("t1"));

        Assert.That((await journal.ListOpenAsync()).Single().Intent.Token, Is.EqualTo("t1"));
        Assert.That(journal.Description, Does.Not.Contain(given.Password!));
        Assert.That(PostgresInstanceJournal.IsPostgresUrl(url), Is.True);
        Assert.That(PostgresInstanceJournal.IsPostgresUrl("/home/me/journal.db"), Is.False);
    }

    [Test]
    public void ABadSchemaName_IsRefused_BeforeAnythingIsSent()
    {
        Assert.Throws<ArgumentException>(() => _ = new PostgresInstanceJournal(TestDatabase.ConnectionString, new PostgresJournalOptions { Schema = "x; DROP TABLE y" }));
        Assert.Throws<ArgumentException>(() => _ = new PostgresInstanceJournal("postgres://host/db?password_in_query=1"));
    }

    [Test]
    public async Task ManyJournals_MigratingAtOnce_MakeOneSchema()
    {
        var journals = Enumerable.Range(0, 8).Select(_ => Journal()).ToArray();
        try
        {
            await Task.WhenAll(journals.Select((j, i) => j.RecordIntentAsync(JournalContract.Intent($"t{i}"))));
            Assert.That(await TestDatabase.ScalarAsync($"SELECT count(*) FROM {Schema}.creates"), Is.EqualTo(8L));
        }
        finally
        {
            foreach (var j in journals) await j.DisposeAsync();
        }
    }
}
