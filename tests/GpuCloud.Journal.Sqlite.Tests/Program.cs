using Microsoft.Data.Sqlite;

namespace GpuCloud.Journal.Sqlite.Tests;

/// <summary>
/// The child processes of the multi-process tests: <c>write DB PREFIX N</c> records N creates through the journal;
/// <c>hold DB</c> begins a write transaction, inserts a row, says so on stdout and waits to be killed.
/// The test runner never calls this.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["write", var db, var prefix, var count]:
                var journal = new SqliteInstanceJournal(db);
                for (var i = 0; i < int.Parse(count, System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    var token = $"{prefix}-{i}";
                    await journal.RecordIntentAsync(Entries.Intent(token));
                    await journal.RecordOutcomeAsync(token, new JournalOutcome(JournalOutcomeKind.Created, "id-" + token, null, DateTimeOffset.UtcNow));
                }
                return 0;
            case ["hold", var db]:
                using (var connection = new SqliteConnection($"Data Source={db}"))
                {
                    connection.Open();
                    using var transaction = connection.BeginTransaction(deferred: false);
                    using var insert = connection.CreateCommand();
                    insert.CommandText = """
                        INSERT INTO creates (token, provider, plan_id, name, at, owner, host, pid, process_started_at, existing_ids)
                        VALUES ('half-written', 'fluence', 'container:x', 'killed', '2026-11-30T00:00:00Z', 'me', 'host', 1, '2026-11-30T00:00:00Z', '')
                        """;
                    insert.ExecuteNonQuery();
                    Console.WriteLine("holding");
                    Console.Out.Flush();
                    await Task.Delay(Timeout.Infinite);
                }
                return 0;
            default:
                Console.Error.WriteLine("usage: write DB PREFIX N | hold DB");
                return 2;
        }
    }
}
