using GpuCloud.Testing.Journal;
using Microsoft.Data.Sqlite;

namespace GpuCloud.Journal.Sqlite.Tests;

/// <summary>The journal contract on a SQLite file, one new file per test.</summary>
public sealed class SqliteJournalContractTests : JournalContract
{
    private string _folder = null!;

    [SetUp]
    public void NewFile() => _folder = Directory.CreateTempSubdirectory("gpucloud-contract").FullName;

    [TearDown]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override IInstanceJournal Open() => new SqliteInstanceJournal(Path.Combine(_folder, "journal.db"));
}
