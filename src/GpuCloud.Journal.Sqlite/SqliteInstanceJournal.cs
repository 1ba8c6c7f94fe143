using System.Globalization;
using Microsoft.Data.Sqlite;

namespace GpuCloud;

/// <summary>
/// An <see cref="IInstanceJournal"/> in a local SQLite file (WAL mode, one transaction per record), safe for several
/// processes at once and for a process killed at any moment. The file and its folder are created readable by the user
/// only; the records hold no secret.
/// </summary>
public sealed class SqliteInstanceJournal : IInstanceJournal
{
    /// <summary>The schema version this library writes; a file from a newer version is refused, never rewritten.</summary>
    public const int SchemaVersion = 1;

    // Each entry moves the schema one version up; the index is the version it starts from.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE creates (
            token TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            name TEXT NOT NULL,
            price_per_hour TEXT,
            currency TEXT,
            at TEXT NOT NULL,
            expires_at TEXT,
            owner TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process_started_at TEXT NOT NULL,
            existing_ids TEXT NOT NULL,
            outcome TEXT,
            instance_id TEXT,
            error TEXT,
            outcome_at TEXT,
            gone_at TEXT
        );
        CREATE INDEX creates_by_instance ON creates (provider, instance_id);
        CREATE INDEX creates_open ON creates (at) WHERE gone_at IS NULL;
        """,
    ];

    private readonly string _connectionString;
    private readonly Action<string>? _warning;
    private readonly Lazy<bool> _writable;
    private int _version;

    /// <summary>Opens the journal at <paramref name="path"/>, creating it (and its folder) when missing.</summary>
    /// <param name="path">The database file.</param>
    /// <exception cref="GpuCloudException">
    /// <see cref="GpuCloudErrorCode.JournalUnavailable"/>: the file cannot be created or opened, is a folder, is not a
    /// GpuCloud journal, or was written by a newer version of this library. The message names the file, and the file is
    /// left as it is.
    /// </exception>
    public SqliteInstanceJournal(string path)
        : this(path, null)
    {
    }

    /// <summary>
    /// Opens the journal at <paramref name="path"/>, creating it (and its folder) when missing, and tells
    /// <paramref name="warning"/> what is wrong but not fatal: a file others can read, a row that cannot be read (it is
    /// skipped, the others are not).
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="warning">Receives one line per warning; <see langword="null"/> to ignore them.</param>
    /// <exception cref="GpuCloudException">
    /// <see cref="GpuCloudErrorCode.JournalUnavailable"/>: the file cannot be created or opened, is a folder, is not a
    /// GpuCloud journal, or was written by a newer version of this library. The message names the file, and the file is
    /// left as it is.
    /// </exception>
    public SqliteInstanceJournal(string path, Action<string>? warning)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _warning = warning;
        _connectionString = ConnectionString(SqliteOpenMode.ReadWriteCreate);
        if (Directory.Exists(Path))
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, $"The journal {Path} is a folder, not a file; give a file path (--journal FILE).");
        var fresh = !File.Exists(Path);
        Run("open", () =>
        {
            if (fresh) CreatePrivately(Path);
            // An existing journal is only inspected here, read-only: a reader never takes the write lock a migration needs.
            _version = Inspect();
            if (_version < SchemaVersion && fresh) Migrate();
            if (!fresh) WarnIfShared(); // only once it is known to be a journal: a refused file gets its one error line
        });
        _writable = new Lazy<bool>(() =>
        {
            Run("open for writing", Migrate);
            return true;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// The journal's usual place: <c>$XDG_STATE_HOME/gpucloud/journal.db</c>, else <c>~/.local/state/gpucloud/journal.db</c>.
    /// </summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="home">The user's home folder.</param>
    public static string DefaultPath(Func<string, string?> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var state = environment("XDG_STATE_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg)
            ? xdg
            : System.IO.Path.Combine(home, ".local", "state");
        return System.IO.Path.Combine(state, "gpucloud", "journal.db");
    }

    /// <inheritdoc />
    public async Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        await ExecuteAsync("record a create", """
            INSERT INTO creates (token, provider, plan_id, name, price_per_hour, currency, at, expires_at, owner, host, pid, process_started_at, existing_ids)
            VALUES ($token, $provider, $plan, $name, $price, $currency, $at, $expires, $owner, $host, $pid, $started, $existing)
            """, c =>
        {
            c.Parameters.AddWithValue("$token", intent.Token);
            c.Parameters.AddWithValue("$provider", intent.Provider);
            c.Parameters.AddWithValue("$plan", intent.PlanId);
            c.Parameters.AddWithValue("$name", intent.Name);
            c.Parameters.AddWithValue("$price", (object?)intent.PricePerHour?.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value);
            c.Parameters.AddWithValue("$currency", (object?)intent.Currency ?? DBNull.Value);
            c.Parameters.AddWithValue("$at", Time(intent.At));
            c.Parameters.AddWithValue("$expires", (object?)Time(intent.ExpiresAt) ?? DBNull.Value);
            c.Parameters.AddWithValue("$owner", intent.Owner);
            c.Parameters.AddWithValue("$host", intent.Process.Host);
            c.Parameters.AddWithValue("$pid", intent.Process.Id);
            c.Parameters.AddWithValue("$started", Time(intent.Process.StartedAt));
            c.Parameters.AddWithValue("$existing", string.Join('\n', intent.ExistingIds));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentNullException.ThrowIfNull(outcome);
        await ExecuteAsync("record a create's outcome", """
            UPDATE creates SET outcome = $outcome, instance_id = $instance, error = $error, outcome_at = $at WHERE token = $token
            """, c =>
        {
            c.Parameters.AddWithValue("$token", token);
            c.Parameters.AddWithValue("$outcome", outcome.Kind.ToString());
            c.Parameters.AddWithValue("$instance", (object?)outcome.InstanceId ?? DBNull.Value);
            c.Parameters.AddWithValue("$error", (object?)outcome.Error?.ToString() ?? DBNull.Value);
            c.Parameters.AddWithValue("$at", Time(outcome.At));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        await ExecuteAsync("record a deletion", """
            UPDATE creates SET gone_at = $at WHERE provider = $provider AND instance_id = $instance AND gone_at IS NULL
            """, c =>
        {
            c.Parameters.AddWithValue("$provider", provider);
            c.Parameters.AddWithValue("$instance", instanceId);
            c.Parameters.AddWithValue("$at", Time(at));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var rows = await ExecuteAsync("record a kept instance", """
            UPDATE creates SET outcome = 'Kept', outcome_at = $at
            WHERE provider = $provider AND instance_id = $instance AND gone_at IS NULL AND outcome IN ('Created', 'Kept')
            """, c =>
        {
            c.Parameters.AddWithValue("$provider", provider);
            c.Parameters.AddWithValue("$instance", instanceId);
            c.Parameters.AddWithValue("$at", Time(at));
        }, cancellationToken).ConfigureAwait(false);
        if (rows == 0)
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                $"The journal {Path} could not record that {provider} instance {instanceId} is kept: it holds no open create that made it (its outcome may not have been recorded).");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            // A file that holds no journal yet (created, never written) has nothing open; reading it must not create one.
            if (Volatile.Read(ref _version) == 0 && !_writable.IsValueCreated && (_version = Inspect()) == 0) return [];
            // A plain read: no transaction of ours, so in WAL mode it never waits for, or blocks, a writer.
            await using var connection = Open();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT token, provider, plan_id, name, price_per_hour, currency, at, expires_at, owner, host, pid, process_started_at,
                       existing_ids, outcome, instance_id, error, outcome_at
                FROM creates WHERE gone_at IS NULL AND (outcome IS NULL OR outcome NOT IN ('Failed', 'Closed')) ORDER BY at
                """;
            var entries = new List<JournalEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    entries.Add(Read(reader));
                }
                catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ArgumentException)
                {
                    // One row that cannot be read costs that row, never the list.
                    _warning?.Invoke($"The journal {Path}: the entry {Printable(reader, 0)} ({Printable(reader, 3)} on {Printable(reader, 1)}) was skipped: it cannot be read ({ex.Message}).");
                }
            }
            return entries;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw Unavailable("read", ex);
        }
    }

    private static string Printable(SqliteDataReader r, int column)
    {
        try
        {
            return r.IsDBNull(column) ? "?" : r.GetValue(column).ToString() ?? "?";
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            return "?";
        }
    }

    private static JournalEntry Read(SqliteDataReader r)
    {
        var intent = new JournalIntent
        {
            Token = r.GetString(0),
            Provider = r.GetString(1),
            PlanId = r.GetString(2),
            Name = r.GetString(3),
            PricePerHour = r.IsDBNull(4) ? null : decimal.Parse(r.GetString(4), CultureInfo.InvariantCulture),
            Currency = r.IsDBNull(5) ? null : r.GetString(5),
            At = ParseTime(r.GetString(6)),
            ExpiresAt = r.IsDBNull(7) ? null : ParseTime(r.GetString(7)),
            Owner = r.GetString(8),
            Process = new JournalProcess(r.GetString(9), r.GetInt32(10), ParseTime(r.GetString(11))),
            ExistingIds = r.GetString(12).Split('\n', StringSplitOptions.RemoveEmptyEntries),
        };
        var outcome = r.IsDBNull(13) || !Enum.TryParse<JournalOutcomeKind>(r.GetString(13), out var kind)
            ? null
            : new JournalOutcome(kind, r.IsDBNull(14) ? null : r.GetString(14),
                !r.IsDBNull(15) && Enum.TryParse<GpuCloudErrorCode>(r.GetString(15), out var code) ? code : null,
                r.IsDBNull(16) ? intent.At : ParseTime(r.GetString(16)));
        return new JournalEntry(intent, outcome, null);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private string ConnectionString(SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = Path,
        Mode = mode,
        DefaultTimeout = 30, // seconds a write waits for another process's write lock
    }.ToString();

    /// <summary>
    /// Reads the schema version without writing or locking for write, and refuses (unchanged) a file that is not a
    /// GpuCloud journal or comes from a newer version.
    /// </summary>
    private int Inspect()
    {
        using var connection = new SqliteConnection(ConnectionString(SqliteOpenMode.ReadOnly));
        connection.Open();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        if (version > SchemaVersion && tables.Contains("creates"))
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                $"The journal {Path} was written by a newer GpuCloud (schema {version}; this one knows up to {SchemaVersion}). Use that version, or another --journal file.");
        var empty = tables.Count == 0 && version == 0;
        if (!empty && !(tables.Contains("creates") && version >= 1))
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                $"The file {Path} is not a GpuCloud journal (it is another SQLite database{(tables.Count > 0 ? ", with tables " + string.Join(", ", tables.Take(5)) : "")}); it was left as it is. Give another --journal file.");
        return version;
    }

    private void Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets readers run beside a writer, and a killed writer's half transaction is rolled back on next open.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: one migrating process at a time
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                $"The journal {Path} was written by a newer GpuCloud (schema {version}; this one knows up to {SchemaVersion}). Use that version, or another --journal file.");
        for (var v = version; v < SchemaVersion; v++)
        {
            using var migrate = connection.CreateCommand();
            migrate.CommandText = Migrations[v] + $"\nPRAGMA user_version = {v + 1};";
            migrate.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>A journal others can read tells them what this user runs where: worth a line, not a refusal.</summary>
    private void WarnIfShared()
    {
        if (OperatingSystem.IsWindows() || _warning is null) return;
        var mode = File.GetUnixFileMode(Path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            _warning($"The journal {Path} can be read by other users; make it private with: chmod 600 {Path}");
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Creates the folder (user only) and an empty file (read and write for the user only) before SQLite opens it.</summary>
    private static void CreatePrivately(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(path)!;
        if (!OperatingSystem.IsWindows())
        {
            if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (File.Exists(path)) return;
            try
            {
                // SQLite gives its -wal and -shm files the database file's permissions.
                using var _ = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first.
            }
        }
        else Directory.CreateDirectory(folder);
    }

    private async Task<int> ExecuteAsync(string what, string sql, Action<SqliteCommand> bind, CancellationToken ct)
    {
        _ = _writable.Value;
        try
        {
            await using var connection = Open();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw Unavailable(what, ex);
        }
    }

    private void Run(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw Unavailable(what, ex);
        }
    }

    private GpuCloudException Unavailable(string what, Exception ex) =>
        new(GpuCloudErrorCode.JournalUnavailable, $"The journal {Path} could not be used ({what}): {ex.Message}", null, ex);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? at) => at is { } t ? Time(t) : null;

    private static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
