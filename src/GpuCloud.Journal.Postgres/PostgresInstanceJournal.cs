using System.Text.RegularExpressions;
using Npgsql;

namespace GpuCloud;

/// <summary>
/// An <see cref="IInstanceJournal"/> in PostgreSQL, for a team or a fleet of CI runners that share provider accounts: every
/// machine records its creates in one place, so a sweep on any of them finds what a machine that died left behind. One
/// transaction per record; the tables live in their own schema (<c>gpucloud</c> unless told otherwise), created on the
/// first write and versioned: a schema written by a newer version is refused by name and never rewritten, and a schema
/// of that name that is not a GpuCloud journal is refused and left as it is. The records hold no secret, and the
/// connection's password never appears in a message.
/// </summary>
/// <remarks>
/// The password comes from the connection string, <c>PGPASSWORD</c> or the user's <c>~/.pgpass</c> (as for <c>psql</c>);
/// put it in the environment or <c>~/.pgpass</c> rather than on a command line.
/// </remarks>
public sealed partial class PostgresInstanceJournal : ISharedInstanceJournal, IAsyncDisposable, IDisposable
{
    /// <summary>The schema version this library writes; a journal from a newer version is refused, never rewritten.</summary>
    public const int SchemaVersion = 2;

    // Each entry moves the schema one version up; the index is the version it starts from. {0} is the schema's name.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {0}.creates (
            token text PRIMARY KEY,
            provider text NOT NULL,
            plan_id text NOT NULL,
            name text NOT NULL,
            price_per_hour numeric,
            currency text,
            at timestamptz NOT NULL,
            expires_at timestamptz,
            owner text NOT NULL,
            host text NOT NULL,
            pid bigint NOT NULL,
            process_started_at timestamptz NOT NULL,
            existing_ids text[] NOT NULL,
            outcome text,
            instance_id text,
            error text,
            outcome_at timestamptz,
            gone_at timestamptz
        );
        CREATE INDEX creates_by_instance ON {0}.creates (provider, instance_id);
        CREATE INDEX creates_open ON {0}.creates (at) WHERE gone_at IS NULL;
        """,
        // 2: leases of the creating processes (liveness across machines), and sweeps' claims on entries.
        """
        CREATE TABLE {0}.leases (
            host text NOT NULL,
            pid bigint NOT NULL,
            process_started_at timestamptz NOT NULL,
            owner text NOT NULL,
            lease_until timestamptz NOT NULL,
            PRIMARY KEY (host, pid, process_started_at)
        );
        ALTER TABLE {0}.creates
            ADD COLUMN claim_owner text,
            ADD COLUMN claim_host text,
            ADD COLUMN claim_pid bigint,
            ADD COLUMN claim_process_started_at timestamptz,
            ADD COLUMN claimed_until timestamptz;
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _schema;
    private readonly Action<string>? _warning;
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private volatile bool _migrated;

    /// <summary>Uses the PostgreSQL database at <paramref name="connection"/>.</summary>
    /// <param name="connection">
    /// A connection string (<c>Host=db;Database=gpucloud;Username=ci</c>) or a URL (<c>postgres://ci@db:5432/gpucloud</c>), as
    /// <c>psql</c> takes them.
    /// </param>
    /// <param name="options">The schema, and where warnings go.</param>
    /// <exception cref="ArgumentException">The connection string, URL or schema name is malformed (the message never holds a password).</exception>
    public PostgresInstanceJournal(string connection, PostgresJournalOptions options)
        : this(BuildDataSource(connection), options, ownsDataSource: true)
    {
    }

    /// <summary>Uses the PostgreSQL database at <paramref name="connection"/>, with the journal in the schema <c>gpucloud</c>.</summary>
    /// <param name="connection">A connection string or a <c>postgres://</c> URL.</param>
    /// <exception cref="ArgumentException">The connection string or URL is malformed (the message never holds a password).</exception>
    public PostgresInstanceJournal(string connection)
        : this(connection, new PostgresJournalOptions())
    {
    }

    /// <summary>Uses <paramref name="dataSource"/> (configured by the application: pooling, TLS, credentials).</summary>
    /// <param name="dataSource">The database; not disposed by this journal.</param>
    /// <param name="options">The schema, and where warnings go.</param>
    public PostgresInstanceJournal(NpgsqlDataSource dataSource, PostgresJournalOptions options)
        : this(dataSource, options, ownsDataSource: false)
    {
    }

    private PostgresInstanceJournal(NpgsqlDataSource dataSource, PostgresJournalOptions options, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        if (!SchemaName().IsMatch(options.Schema ?? ""))
            throw new ArgumentException("A schema name is 1 to 63 lower-case letters, digits or '_', starting with a letter or '_'.", nameof(options));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = options.Schema!;
        _warning = options.Warning;
        var where = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Description = $"postgres://{where.Username}{(where.Username is null ? "" : "@")}{where.Host}:{where.Port}/{where.Database} (schema {_schema})";
    }

    /// <summary>Where the journal is, for messages: user, host, port, database and schema; never the password.</summary>
    public string Description { get; }

    /// <summary>Whether <paramref name="value"/> names a PostgreSQL journal (a <c>postgres://</c> or <c>postgresql://</c> URL).</summary>
    /// <param name="value">A <c>--journal</c> value or <c>GPUCLOUD_JOURNAL</c>.</param>
    public static bool IsPostgresUrl(string? value) =>
        value is not null && (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return WriteAsync("record a create", """
            INSERT INTO {0}.creates (token, provider, plan_id, name, price_per_hour, currency, at, expires_at, owner, host, pid, process_started_at, existing_ids)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, c =>
        {
            Add(c, intent.Token);
            Add(c, intent.Provider);
            Add(c, intent.PlanId);
            Add(c, intent.Name);
            Add(c, intent.PricePerHour);
            Add(c, intent.Currency);
            Add(c, intent.At.ToUniversalTime());
            Add(c, intent.ExpiresAt?.ToUniversalTime());
            Add(c, intent.Owner);
            Add(c, intent.Process.Host);
            Add(c, (long)intent.Process.Id);
            Add(c, intent.Process.StartedAt.ToUniversalTime());
            Add(c, intent.ExistingIds.ToArray());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentNullException.ThrowIfNull(outcome);
        return WriteAsync("record a create's outcome", """
            UPDATE {0}.creates SET outcome = $2, instance_id = $3, error = $4, outcome_at = $5 WHERE token = $1
            """, c =>
        {
            Add(c, token);
            Add(c, outcome.Kind.ToString());
            Add(c, outcome.InstanceId);
            Add(c, outcome.Error?.ToString());
            Add(c, outcome.At.ToUniversalTime());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        return WriteAsync("record a deletion", """
            UPDATE {0}.creates SET gone_at = $3 WHERE provider = $1 AND instance_id = $2 AND gone_at IS NULL
            """, c =>
        {
            Add(c, provider);
            Add(c, instanceId);
            Add(c, at.ToUniversalTime());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var rows = await WriteAsync("record a kept instance", """
            UPDATE {0}.creates SET outcome = 'Kept', outcome_at = $3
            WHERE provider = $1 AND instance_id = $2 AND gone_at IS NULL AND outcome IN ('Created', 'Kept')
            """, c =>
        {
            Add(c, provider);
            Add(c, instanceId);
            Add(c, at.ToUniversalTime());
        }, cancellationToken).ConfigureAwait(false);
        if (rows == 0)
            throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                $"The journal {Description} could not record that {provider} instance {instanceId} is kept: it holds no open create that made it (its outcome may not have been recorded).");
    }

    /// <inheritdoc />
    public Task RenewLeaseAsync(JournalLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        // Never shortened: a renewal that arrives late (or from a clock set back) does not end a lease already renewed further.
        return WriteAsync("renew this process's lease", """
            INSERT INTO {0}.leases (host, pid, process_started_at, owner, lease_until) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (host, pid, process_started_at)
            DO UPDATE SET owner = EXCLUDED.owner, lease_until = GREATEST({0}.leases.lease_until, EXCLUDED.lease_until)
            """, c =>
        {
            AddProcess(c, lease.Process);
            Add(c, lease.Owner);
            Add(c, lease.Until.ToUniversalTime());
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A conditional update of the entry's row (PostgreSQL locks the row for it), not an advisory lock: the claim is data,
    /// so it names its holder, outlives no process by more than its end, and works through connection poolers in
    /// transaction mode, where a session's advisory lock may stay with a connection another client then uses.
    /// </remarks>
    public async Task<JournalLease?> TryClaimAsync(string token, JournalLease claim, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentNullException.ThrowIfNull(claim);
        var taken = await WriteAsync("claim an entry for a sweep", """
            UPDATE {0}.creates
            SET claim_host = $1, claim_pid = $2, claim_process_started_at = $3, claim_owner = $4, claimed_until = $5
            WHERE token = $6 AND (claimed_until IS NULL OR claimed_until <= $7
                                  OR (claim_host = $1 AND claim_pid = $2 AND claim_process_started_at = $3))
            """, c =>
        {
            AddProcess(c, claim.Process);
            Add(c, claim.Owner);
            Add(c, claim.Until.ToUniversalTime());
            Add(c, token);
            Add(c, now.ToUniversalTime());
        }, cancellationToken).ConfigureAwait(false);
        if (taken == 1) return null;

        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, null, """
                SELECT claim_owner, claim_host, claim_pid, claim_process_started_at, claimed_until FROM {0}.creates WHERE token = $1
                """);
            Add(command, token);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, $"The journal {Description} holds no create {token} to claim.");
            // The claim that won has just ended (a race with its end): still, another process held it; the next sweep retries.
            return reader.IsDBNull(0)
                ? new JournalLease("another sweep", new JournalProcess("?", 0, default), now)
                : new JournalLease(reader.GetString(0), new JournalProcess(reader.GetString(1), (int)reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3)),
                    reader.GetFieldValue<DateTimeOffset>(4));
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Unavailable("read a claim", ex);
        }
    }

    /// <inheritdoc />
    public Task ReleaseClaimAsync(string token, JournalLease claim, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentNullException.ThrowIfNull(claim);
        return WriteAsync("give back a sweep's claim", """
            UPDATE {0}.creates SET claim_host = NULL, claim_pid = NULL, claim_process_started_at = NULL, claim_owner = NULL, claimed_until = NULL
            WHERE token = $4 AND claim_host = $1 AND claim_pid = $2 AND claim_process_started_at = $3
            """, c =>
        {
            AddProcess(c, claim.Process);
            Add(c, token);
        }, cancellationToken);
    }

    private static void AddProcess(NpgsqlCommand command, JournalProcess process)
    {
        Add(command, process.Host);
        Add(command, (long)process.Id);
        Add(command, process.StartedAt.ToUniversalTime());
    }

    /// <inheritdoc />
    /// <remarks>Reading never creates or migrates the schema: a database without a journal has no open entries.</remarks>
    public async Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var version = await VersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (version is null) return [];
            if (version > SchemaVersion) throw Newer(version.Value);

            // A journal not yet migrated by a write is read as it is: before schema 2 there were no leases.
            var lease = version >= 2
                ? "l.lease_until FROM {0}.creates c LEFT JOIN {0}.leases l USING (host, pid, process_started_at)"
                : "NULL::timestamptz FROM {0}.creates c";
            await using var command = Command(connection, null, """
                SELECT c.token, c.provider, c.plan_id, c.name, c.price_per_hour, c.currency, c.at, c.expires_at, c.owner, c.host, c.pid,
                       c.process_started_at, c.existing_ids, c.outcome, c.instance_id, c.error, c.outcome_at,
                """ + lease + """

                WHERE c.gone_at IS NULL AND (c.outcome IS NULL OR c.outcome NOT IN ('Failed', 'Closed')) ORDER BY c.at
                """);
            var entries = new List<JournalEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (TryRead(reader) is { } entry) entries.Add(entry);
            }
            return entries;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Unavailable("read", ex);
        }
    }

    /// <summary>One row as an entry; a row that cannot be read costs that row only, with a warning naming it.</summary>
    private JournalEntry? TryRead(NpgsqlDataReader r)
    {
        var token = r.GetString(0);
        try
        {
            var pid = r.GetInt64(10);
            if (pid is < 0 or > int.MaxValue) throw new OverflowException($"process id {pid} is out of range");
            var intent = new JournalIntent
            {
                Token = token,
                Provider = r.GetString(1),
                PlanId = r.GetString(2),
                Name = r.GetString(3),
                PricePerHour = r.IsDBNull(4) ? null : r.GetDecimal(4),
                Currency = r.IsDBNull(5) ? null : r.GetString(5),
                At = r.GetFieldValue<DateTimeOffset>(6),
                ExpiresAt = r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
                Owner = r.GetString(8),
                Process = new JournalProcess(r.GetString(9), (int)pid, r.GetFieldValue<DateTimeOffset>(11)),
                ExistingIds = r.GetFieldValue<string[]>(12),
            };
            var outcome = r.IsDBNull(13) || !Enum.TryParse<JournalOutcomeKind>(r.GetString(13), out var kind)
                ? null
                : new JournalOutcome(kind, r.IsDBNull(14) ? null : r.GetString(14),
                    !r.IsDBNull(15) && Enum.TryParse<GpuCloudErrorCode>(r.GetString(15), out var code) ? code : null,
                    r.IsDBNull(16) ? intent.At : r.GetFieldValue<DateTimeOffset>(16));
            return new JournalEntry(intent, outcome, null) { LeaseUntil = r.IsDBNull(17) ? null : r.GetFieldValue<DateTimeOffset>(17) };
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException)
        {
            _warning?.Invoke($"The journal {Description}: the entry {token} was skipped: it cannot be read ({ex.Message}).");
            return null;
        }
    }

    /// <returns>The rows the statement changed.</returns>
    private async Task<int> WriteAsync(string what, string sql, Action<NpgsqlCommand> bind, CancellationToken ct)
    {
        try
        {
            await EnsureSchemaAsync(ct).ConfigureAwait(false);
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = Command(connection, null, sql);
            bind(command);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Unavailable(what, ex);
        }
    }

    /// <summary>Creates or migrates the schema once per journal, one process at a time across every machine (an advisory lock).</summary>
    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (_migrated) return;
        await _migrating.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_migrated) return;
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var lockIt = Command(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('gpucloud-journal:{0}'))"))
                await lockIt.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

            var version = await VersionAsync(connection, transaction, ct).ConfigureAwait(false);
            if (version > SchemaVersion) throw Newer(version.Value);
            if (version is null)
            {
                await using var create = Command(connection, transaction, """
                    CREATE SCHEMA IF NOT EXISTS {0};
                    CREATE TABLE {0}.journal_meta (key text PRIMARY KEY, value text NOT NULL);
                    INSERT INTO {0}.journal_meta VALUES ('schema_version', '0');
                    """);
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            for (var v = version ?? 0; v < SchemaVersion; v++)
            {
                await using var migrate = Command(connection, transaction,
                    Migrations[v] + $"\nUPDATE {{0}}.journal_meta SET value = '{v + 1}' WHERE key = 'schema_version';");
                await migrate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrating.Release();
        }
    }

    /// <summary>
    /// The journal's schema version; <see langword="null"/> when the schema does not exist or is empty. A schema that holds
    /// tables but no journal is refused, and nothing in it is touched.
    /// </summary>
    private async Task<int?> VersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using (var probe = Command(connection, transaction, "SELECT to_regclass('{0}.journal_meta') IS NOT NULL"))
        {
            if (await probe.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true)
            {
                await using var count = Command(connection, transaction, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{0}'");
                var tables = (long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                if (tables == 0) return null;
                throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable,
                    $"The journal {Description} is not a GpuCloud journal: the schema holds {tables} other table(s). Nothing was changed; name another schema or database.");
            }
        }
        await using var read = Command(connection, transaction, "SELECT value FROM {0}.journal_meta WHERE key = 'schema_version'");
        var value = await read.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, $"The journal {Description} has no readable schema version ('{value}'). Nothing was changed.");
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql.Replace("{0}", _schema, StringComparison.Ordinal), connection, transaction);

    // A null goes out untyped: the server takes its type from the column.
    private static void Add(NpgsqlCommand command, object? value) => command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });

    private GpuCloudException Newer(int version) => new(GpuCloudErrorCode.JournalUnavailable,
        $"The journal {Description} was written by a newer GpuCloud (schema {version}; this one knows up to {SchemaVersion}). Use that version, or another journal.");

    private GpuCloudException Unavailable(string what, Exception ex) => ex as GpuCloudException
        ?? new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, $"The journal {Description} could not be used ({what}): {ex.Message}", null, ex);

    private static bool IsDatabaseFailure(Exception ex) =>
        ex is NpgsqlException or TimeoutException or InvalidOperationException or IOException
        || ex is GpuCloudException { Code: GpuCloudErrorCode.JournalUnavailable };

    private static NpgsqlDataSource BuildDataSource(string connection)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        var builder = new NpgsqlDataSourceBuilder(IsPostgresUrl(connection) ? FromUrl(connection) : connection);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName)) builder.ConnectionStringBuilder.ApplicationName = "gpucloud";
        return builder.Build();
    }

    /// <summary>A libpq URL (<c>postgres://user:password@host:port/database?sslmode=require</c>) as an Npgsql connection string.</summary>
    private static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException("A PostgreSQL URL looks like postgres://user@host:5432/database.", nameof(url));
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database) builder.Database = Uri.UnescapeDataString(database);
        if (uri.UserInfo.Split(':', 2) is [var user, ..] && user.Length > 0) builder.Username = Uri.UnescapeDataString(user);
        if (uri.UserInfo.Split(':', 2) is [_, var password]) builder.Password = Uri.UnescapeDataString(password);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (Uri.UnescapeDataString(k), Uri.UnescapeDataString(v)) : (pair, "");
            switch (key.ToLowerInvariant())
            {
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "application_name": builder.ApplicationName = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"The PostgreSQL URL parameter '{key}' is not supported (sslmode, application_name, connect_timeout are).", nameof(url));
            }
        }
        return builder.ConnectionString;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource) await _dataSource.DisposeAsync().ConfigureAwait(false);
        _migrating.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDataSource) _dataSource.Dispose();
        _migrating.Dispose();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
