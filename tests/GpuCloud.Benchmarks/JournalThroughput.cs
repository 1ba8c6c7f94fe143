using System.Diagnostics;
using System.Globalization;
using GpuCloud;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace GpuCloud.Benchmarks;

/// <summary>
/// <c>--journal [--closed N] [--records N]</c>: the journal's two costs, for each store beside the other (a SQLite file;
/// PostgreSQL when <c>GPUCLOUD_TEST_POSTGRES</c> names a server, as <c>.ci/postgres start</c> sets it): creates recorded
/// per second (an intent and its outcome, one transaction each, as a create writes them) and the time a sweep spends
/// reading the open entries from a journal that holds N closed ones. Real time on this machine: quote medians.
/// </summary>
internal static class JournalThroughput
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(int closed, int records)
    {
        Console.WriteLine($"Journal: {records} creates recorded one after another, then the open entries read 20 times from a journal holding {closed:N0} closed entries and 50 open.");
        var folder = Directory.CreateTempSubdirectory("gpucloud-journal-bench").FullName;
        try
        {
            var sqlitePath = Path.Combine(folder, "journal.db");
            await MeasureAsync("SQLite (WAL, local file)", new SqliteInstanceJournal(sqlitePath), records, () => FillSqlite(sqlitePath, closed));
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        if (Environment.GetEnvironmentVariable("GPUCLOUD_TEST_POSTGRES") is not { Length: > 0 } connection)
        {
            Console.WriteLine("PostgreSQL: skipped (GPUCLOUD_TEST_POSTGRES is not set; eval \"$(.ci/postgres start)\" first).");
            return 0;
        }
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var journal = new PostgresInstanceJournal(connection, new PostgresJournalOptions { Schema = schema });
        try
        {
            await MeasureAsync("PostgreSQL (loopback)", journal, records, () => FillPostgres(connection, schema, closed));
        }
        finally
        {
            await using var source = NpgsqlDataSource.Create(connection);
            await using var drop = source.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
        return 0;
    }

    private static async Task MeasureAsync(string store, IInstanceJournal journal, int records, Func<Task> fill)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            var token = $"rec-{i}";
            await journal.RecordIntentAsync(Intent(token, At.AddSeconds(i)));
            await journal.RecordOutcomeAsync(token, new JournalOutcome(JournalOutcomeKind.Created, "id-" + token, null, At));
            await journal.RecordGoneAsync("fluence", "id-" + token, At);
        }
        var perSecond = records / clock.Elapsed.TotalSeconds;

        await fill();
        for (var i = 0; i < 50; i++) await journal.RecordIntentAsync(Intent($"open-{i}", At.AddDays(1).AddSeconds(i)));
        var reads = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            clock.Restart();
            var open = await journal.ListOpenAsync();
            if (open.Count != 50) throw new InvalidOperationException($"{store}: {open.Count} open entries, expected 50");
            if (i > 0) reads.Add(clock.Elapsed.TotalMilliseconds); // the first read warms the connection
        }
        reads.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {perSecond:F0} creates/s | open entries read: median {reads[reads.Count / 2]:F2} ms (min {reads[0]:F2}, max {reads[^1]:F2}) |"));
    }

    private static JournalIntent Intent(string token, DateTimeOffset at) => new()
    {
        Token = token, Provider = "fluence", PlanId = "container:plan", Name = "bench", PricePerHour = 1.89m, Currency = "USDC", At = at,
        Owner = "bench@host", Process = JournalProcess.Current,
    };

    private static Task FillSqlite(string path, int closed)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO creates (token, provider, plan_id, name, at, owner, host, pid, process_started_at, existing_ids, outcome, instance_id, gone_at)
            VALUES ($t, 'fluence', 'p', 'n', $at, 'o', 'h', 1, $at, '', 'Created', $t, $at)
            """;
        var token = insert.Parameters.Add("$t", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        for (var i = 0; i < closed; i++)
        {
            token.Value = $"old-{i}";
            at.Value = At.AddSeconds(-i).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return Task.CompletedTask;
    }

    private static async Task FillPostgres(string connection, string schema, int closed)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        await using var insert = source.CreateCommand($"""
            INSERT INTO {schema}.creates (token, provider, plan_id, name, at, owner, host, pid, process_started_at, existing_ids, outcome, instance_id, gone_at)
            SELECT 'old-' || g, 'fluence', 'p', 'n', $1 - g * interval '1 second', 'o', 'h', 1, $1, ARRAY[]::text[], 'Created', 'old-' || g, $1
            FROM generate_series(1, {closed}) AS g
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = At });
        await insert.ExecuteNonQueryAsync();
        await using var analyze = source.CreateCommand($"ANALYZE {schema}.creates");
        await analyze.ExecuteNonQueryAsync();
    }
}
