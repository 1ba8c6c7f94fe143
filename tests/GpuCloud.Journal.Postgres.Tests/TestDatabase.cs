using Npgsql;

namespace GpuCloud.Journal.Postgres.Tests;

/// <summary>
/// The PostgreSQL server the tests run against (<c>GPUCLOUD_TEST_POSTGRES</c>, set by <c>.ci/postgres start</c>), and a
/// schema of its own for each test, dropped afterwards.
/// </summary>
internal static class TestDatabase
{
    public const string Variable = "GPUCLOUD_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new IgnoreException($"No PostgreSQL server: run `eval \"$(.ci/postgres start)\"` (or .ci/run), which sets {Variable}.");

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..20];

    public static async Task ExecuteAsync(string sql)
    {
        await using var source = NpgsqlDataSource.Create(ConnectionString);
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(string sql)
    {
        await using var source = NpgsqlDataSource.Create(ConnectionString);
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public static Task DropAsync(string schema) => ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
}

/// <summary>A test class whose every test gets a schema of its own on the test server, and journals in it, disposed and dropped afterwards.</summary>
public abstract class SchemaPerTest
{
    private readonly List<PostgresInstanceJournal> _opened = [];

    /// <summary>This test's schema.</summary>
    protected string Schema { get; private set; } = null!;

    [SetUp]
    public void NewSchema()
    {
        _ = TestDatabase.ConnectionString;
        Schema = TestDatabase.NewSchema();
    }

    [TearDown]
    public async Task DropSchema()
    {
        foreach (var journal in _opened) await journal.DisposeAsync();
        _opened.Clear();
        await TestDatabase.DropAsync(Schema);
    }

    /// <summary>A journal in <see cref="Schema"/> (a machine of its own: its own connection pool).</summary>
    protected PostgresInstanceJournal Journal(Action<string>? warning = null)
    {
        var journal = new PostgresInstanceJournal(TestDatabase.ConnectionString, new PostgresJournalOptions { Schema = Schema, Warning = warning });
        lock (_opened) _opened.Add(journal);
        return journal;
    }
}
