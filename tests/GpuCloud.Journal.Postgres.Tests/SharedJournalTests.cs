using GpuCloud.Testing.Journal;

namespace GpuCloud.Journal.Postgres.Tests;

/// <summary>
/// What the PostgreSQL journal adds for several machines (<see cref="ISharedInstanceJournal"/>): leases read with the
/// entries they cover, claims taken by one of many at once, and the migration from a journal written before them.
/// </summary>
public sealed class SharedJournalTests : SchemaPerTest
{
    private static readonly DateTimeOffset Now = JournalContract.At;
    private static JournalLease Lease(JournalProcess process, DateTimeOffset until, string owner = "dev@build-01") => new(owner, process, until);

    [Test]
    public async Task AnEntryCarriesTheLeaseOfTheProcessThatMadeIt_RenewedButNeverShortened()
    {
        await using var journal = Journal();
        var made = JournalContract.Intent("t1");
        var other = JournalContract.Intent("t2") with { Process = new JournalProcess("build-02", 7, Now.AddHours(-1)) };
        await journal.RecordIntentAsync(made);
        await journal.RecordIntentAsync(other);

        await journal.RenewLeaseAsync(Lease(made.Process, Now.AddMinutes(2)));
        await journal.RenewLeaseAsync(Lease(made.Process, Now.AddMinutes(4)));
        await journal.RenewLeaseAsync(Lease(made.Process, Now.AddMinutes(3))); // late, or from a clock set back

        var open = await journal.ListOpenAsync();
        Assert.That(open.Select(e => (e.Intent.Token, e.LeaseUntil)), Is.EqualTo(new[]
        {
            ("t1", (DateTimeOffset?)Now.AddMinutes(4)),
            ("t2", (DateTimeOffset?)null), // its process never held a lease: the journal cannot say, and the sweep's rule falls back
        }));
    }

    [Test]
    public async Task OfTwentySweepsClaimingOneEntryAtOnce_ExactlyOneGetsIt_AndTheOthersAreToldWho()
    {
        await using var journal = Journal();
        await journal.RecordIntentAsync(JournalContract.Intent("t1"));
        var sweeps = Enumerable.Range(1, 20).Select(i => Lease(new JournalProcess($"build-{i:00}", i, Now), Now.AddMinutes(15), $"ops@build-{i:00}")).ToArray();

        var answers = await Task.WhenAll(sweeps.Select(async s =>
        {
            await using var own = Journal(); // a machine of its own: its own connections
            return (Sweep: s, Holder: await own.TryClaimAsync("t1", s, Now));
        }));

        var winners = answers.Where(a => a.Holder is null).Select(a => a.Sweep).ToArray();
        Assert.That(winners, Has.Length.EqualTo(1));
        Assert.That(answers.Where(a => a.Holder is not null).Select(a => a.Holder), Is.All.EqualTo(winners[0]));
    }

    [Test]
    public async Task AClaim_IsKeptByItsProcess_TakenOverOnceItEnded_AndGivenBackOnlyByItsHolder()
    {
        await using var journal = Journal();
        await journal.RecordIntentAsync(JournalContract.Intent("t1"));
        var first = Lease(new JournalProcess("build-02", 2, Now), Now.AddMinutes(15), "ops@build-02");
        var second = Lease(new JournalProcess("build-03", 3, Now), Now.AddMinutes(30), "ops@build-03");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await journal.TryClaimAsync("t1", first, Now), Is.Null);
            Assert.That(await journal.TryClaimAsync("t1", first with { Until = Now.AddMinutes(20) }, Now.AddMinutes(1)), Is.Null, "the holder may claim again");
            Assert.That(await journal.TryClaimAsync("t1", second, Now.AddMinutes(19)), Is.EqualTo(first with { Until = Now.AddMinutes(20) }));
            await journal.ReleaseClaimAsync("t1", second); // not its claim: changes nothing
            Assert.That(await journal.TryClaimAsync("t1", second, Now.AddMinutes(19)), Is.Not.Null);
            Assert.That(await journal.TryClaimAsync("t1", second, Now.AddMinutes(20)), Is.Null, "a claim that ended is taken over (its sweep died)");
            await journal.ReleaseClaimAsync("t1", second);
            Assert.That(await journal.TryClaimAsync("t1", first, Now.AddMinutes(21)), Is.Null, "given back: free at once");
        }
    }

    [Test]
    public async Task ClaimingAnEntryThatDoesNotExist_IsAJournalError_NotAClaim()
    {
        await using var journal = Journal();
        await journal.RecordIntentAsync(JournalContract.Intent("t1"));

        var error = Assert.ThrowsAsync<GpuCloudException>(() => journal.TryClaimAsync("nope", Lease(JournalContract.Intent("t1").Process, Now), Now));

        Assert.That(error!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(error.Message, Does.Contain("nope"));
    }

    [Test]
    public async Task AJournalWrittenBeforeLeasesAndClaims_IsMigratedInPlace_KeepingEveryEntry()
    {
        // Schema 1 exactly as version 1 wrote it, with one entry.
        await TestDatabase.ExecuteAsync($"""
            CREATE SCHEMA {Schema};
            CREATE TABLE {Schema}.journal_meta (key text PRIMARY KEY, value text NOT NULL);
            INSERT INTO {Schema}.journal_meta VALUES ('schema_version', '1');
            CREATE TABLE {Schema}.creates (
                token text PRIMARY KEY, provider text NOT NULL, plan_id text NOT NULL, name text NOT NULL, price_per_hour numeric,
                currency text, at timestamptz NOT NULL, expires_at timestamptz, owner text NOT NULL, host text NOT NULL, pid bigint NOT NULL,
                process_started_at timestamptz NOT NULL, existing_ids text[] NOT NULL, outcome text, instance_id text, error text,
                outcome_at timestamptz, gone_at timestamptz);
            INSERT INTO {Schema}.creates (token, provider, plan_id, name, at, owner, host, pid, process_started_at, existing_ids, outcome, instance_id)
            VALUES ('old', 'fluence', 'p', 'worker', '{Now:O}', 'dev@build-01', 'build-01', 1, '{Now:O}', ARRAY[]::text[], 'Created', 'container:abc');
            """);
        await using var journal = Journal();

        Assert.That((await journal.ListOpenAsync()).Single().Intent.Token, Is.EqualTo("old"), "read as it is, before any write");
        await journal.RecordIntentAsync(JournalContract.Intent("t1"));
        await journal.RenewLeaseAsync(Lease(JournalContract.Intent("t1").Process, Now.AddMinutes(2)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await TestDatabase.ScalarAsync($"SELECT value FROM {Schema}.journal_meta WHERE key = 'schema_version'"), Is.EqualTo("2"));
            Assert.That((await journal.ListOpenAsync()).Select(e => (e.Intent.Token, e.Outcome?.InstanceId, e.LeaseUntil)), Is.EqualTo(new[]
            {
                ("old", "container:abc", (DateTimeOffset?)null),
                ("t1", null, (DateTimeOffset?)Now.AddMinutes(2)),
            }));
            Assert.That(await journal.TryClaimAsync("old", Lease(JournalContract.Intent("t1").Process, Now.AddMinutes(15)), Now), Is.Null);
        }
    }
}
