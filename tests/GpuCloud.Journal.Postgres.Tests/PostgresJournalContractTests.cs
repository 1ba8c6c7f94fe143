using GpuCloud.Testing.Journal;

namespace GpuCloud.Journal.Postgres.Tests;

/// <summary>The journal contract on a PostgreSQL server, one new schema per test.</summary>
public sealed class PostgresJournalContractTests : JournalContract
{
    private readonly List<PostgresInstanceJournal> _opened = [];
    private string _schema = null!;

    [SetUp]
    public void NewSchema()
    {
        _ = TestDatabase.ConnectionString;
        _schema = TestDatabase.NewSchema();
    }

    [TearDown]
    public async Task Cleanup()
    {
        foreach (var journal in _opened) await journal.DisposeAsync();
        await TestDatabase.DropAsync(_schema);
    }

    protected override IInstanceJournal Open()
    {
        var journal = new PostgresInstanceJournal(TestDatabase.ConnectionString, new PostgresJournalOptions { Schema = _schema });
        lock (_opened) _opened.Add(journal);
        return journal;
    }
}
