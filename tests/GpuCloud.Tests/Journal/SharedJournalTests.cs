using System.Collections.Concurrent;

namespace GpuCloud.Tests;

/// <summary>
/// A journal shared by several machines (<see cref="ISharedInstanceJournal"/>): the lease a creating process holds and
/// renews, the rule a sweep applies to it on any machine, and the claim that lets only one of two sweeps delete an instance.
/// </summary>
public sealed class SharedJournalTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A process of another machine: this one cannot tell whether it runs.</summary>
    private static readonly JournalProcess Elsewhere = new("build-02", 4242, Now.AddHours(-4));

    /// <summary>A process on this host that is certainly not running.</summary>
    private static readonly JournalProcess GoneHere = new(Environment.MachineName, JournalProcess.Current.Id, JournalProcess.Current.StartedAt.AddDays(-3));

    private sealed class SharedJournal(params JournalEntry[] entries) : ISharedInstanceJournal
    {
        public ConcurrentQueue<string> Log { get; } = new();

        public List<JournalLease> Leases { get; } = [];

        public Exception? LeaseError { get; set; }

        /// <summary>Who holds each claimed token.</summary>
        public Dictionary<string, JournalLease> Claims { get; } = [];

        public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default)
        {
            Log.Enqueue("intent");
            return Task.CompletedTask;
        }

        public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
        {
            Log.Enqueue("outcome " + outcome.Kind);
            return Task.CompletedTask;
        }

        public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            Log.Enqueue("gone " + instanceId);
            return Task.CompletedTask;
        }

        public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<JournalEntry>>(entries);

        /// <summary>When set, every lease write waits for it (a journal slow to answer).</summary>
        public TaskCompletionSource? RenewGate { get; set; }

        public async Task RenewLeaseAsync(JournalLease lease, CancellationToken cancellationToken = default)
        {
            if (RenewGate is { } gate) await gate.Task;
            if (LeaseError is { } error) throw error;
            Log.Enqueue("lease");
            Leases.Add(lease);
        }

        public Task<JournalLease?> TryClaimAsync(string token, JournalLease claim, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            Log.Enqueue("claim " + token);
            if (Claims.TryGetValue(token, out var holder) && holder.Until > now && holder.Process != claim.Process) return Task.FromResult<JournalLease?>(holder);
            Claims[token] = claim;
            return Task.FromResult<JournalLease?>(null);
        }

        public Task ReleaseClaimAsync(string token, JournalLease claim, CancellationToken cancellationToken = default)
        {
            Log.Enqueue("release " + token);
            if (Claims.TryGetValue(token, out var holder) && holder.Process == claim.Process) Claims.Remove(token);
            return Task.CompletedTask;
        }
    }

    private static JournalEntry Entry(string token, JournalOutcomeKind? outcome, string? id, JournalProcess process, DateTimeOffset? leaseUntil) => new(
        new JournalIntent
        {
            Token = token, Provider = "alpha", PlanId = "p", Name = "worker", At = Now.AddHours(-3), Owner = "dev@build-02", Process = process,
        },
        outcome is { } kind ? new JournalOutcome(kind, id, null, Now.AddHours(-3)) : null,
        null) { LeaseUntil = leaseUntil };

    private static GpuCloudClient Client(FakeProvider provider, IInstanceJournal journal, FakeTimeProvider time) =>
        new([provider], new GpuCloudOptions { Journal = journal, Owner = "dev@build-01", PollInterval = TimeSpan.FromSeconds(1) }, time);

    private static CreateInstanceRequest Request() => new() { Plan = Build.Plan("alpha", "p", 1.25m), Name = "trainer-1", SshPublicKeys = [TestKeys.Ed25519] };

    [Test]
    public async Task ACreateTakesTheLeaseBeforeItsIntent_RenewsItEveryQuarterOfItsLength_AndStopsWhenTheClientIsDisposed()
    {
        var time = new FakeTimeProvider(Now);
        var journal = new SharedJournal();
        var alpha = new FakeProvider("alpha");
        var client = Client(alpha, journal, time);

        await client.CreateInstanceAsync(Request());
        await client.CreateInstanceAsync(Request() with { Name = "trainer-2" });
        Assert.That(journal.Log, Is.EqualTo(new[] { "lease", "intent", "outcome Created", "intent", "outcome Created" }), "one lease per process, before its first intent");
        Assert.That(journal.Leases.Single(), Is.EqualTo(new JournalLease("dev@build-01", JournalProcess.Current, Now + TimeSpan.FromMinutes(2))));

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(journal.Leases, Has.Count.EqualTo(1));
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(journal.Leases.Select(l => l.Until), Is.EqualTo(new[] { Now.AddMinutes(2), Now.AddMinutes(2.5), Now.AddMinutes(3) }),
            "renewed every 30 s, each time to two minutes ahead");

        client.Dispose();
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(journal.Leases, Has.Count.EqualTo(3), "a disposed client (or a killed process) renews no more: its lease runs out");
    }

    [Test]
    public async Task AClientDisposedWhileItsFirstLeaseIsBeingWritten_NeverStartsRenewingIt()
    {
        var time = new FakeTimeProvider(Now);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var journal = new SharedJournal { RenewGate = gate };
        var alpha = new FakeProvider("alpha");
        var client = Client(alpha, journal, time);

        var creating = client.CreateInstanceAsync(Request());
        client.Dispose();
        gate.SetResult();
        await HangGuard.WithinAsync(creating, "the create");
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.That(journal.Leases, Has.Count.EqualTo(1), "a disposed client renews nothing, even a lease written after its disposal began");
    }

    [Test]
    public async Task AJournalThatCannotTakeTheLease_StopsTheCreateBeforeItsIntentOrItsRequest()
    {
        var journal = new SharedJournal { LeaseError = new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, "the database is down") };
        var alpha = new FakeProvider("alpha");
        using var client = Client(alpha, journal, new FakeTimeProvider(Now));

        var error = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request()));

        Assert.That(error!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That((alpha.Created.Count, journal.Log.Count), Is.EqualTo((0, 0)), "nothing sent, nothing recorded: a create without a lease could be swept as an orphan");
    }

    [Test]
    public async Task ALeaseDecidesWhetherTheCreatorRuns_OnAnyMachine_AndWinsOverAProcessCheck()
    {
        var alpha = new FakeProvider("alpha");
        foreach (var id in new[] { "lease-ended-elsewhere", "lease-runs-elsewhere", "no-lease-elsewhere", "lease-runs-dead-here", "lease-ended-dead-here" })
            alpha.Instances.Add(Build.Instance("alpha", id, InstanceState.Running) with { Name = "worker", CreatedAt = Now.AddHours(-3) });
        var journal = new SharedJournal(
            Entry("t1", JournalOutcomeKind.Created, "lease-ended-elsewhere", Elsewhere, Now.AddSeconds(-1)),
            Entry("t2", JournalOutcomeKind.Created, "lease-runs-elsewhere", Elsewhere, Now.AddSeconds(1)),
            Entry("t3", JournalOutcomeKind.Created, "no-lease-elsewhere", Elsewhere, null),
            // Another machine may share this one's name: a running lease is believed over a process this host cannot find.
            Entry("t4", JournalOutcomeKind.Created, "lease-runs-dead-here", GoneHere, Now.AddMinutes(1)),
            Entry("t5", JournalOutcomeKind.Created, "lease-ended-dead-here", GoneHere, Now),
            Entry("t6", null, null, Elsewhere, Now.AddMinutes(1)));
        using var client = Client(alpha, journal, new FakeTimeProvider(Now));

        var found = await client.ListOwnedAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason)), Is.EquivalentTo(new[]
            {
                ("lease-ended-elsewhere", OwnedReason.CreatorGone), ("lease-ended-dead-here", OwnedReason.CreatorGone),
            }));
            Assert.That(found.Open.Single().Why, Does.Contain("holds a lease until 12:01:00 UTC"), "an unknown outcome whose creator's lease runs stays open");
        }
    }

    private static async Task<(GpuCloudClient Client, FakeProvider Alpha, SharedJournal Journal, OwnedInstance Orphan)> OrphanAsync(
        Action<FakeProvider>? configure = null)
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Build.Instance("alpha", "orphan", InstanceState.Running) with { Name = "worker", CreatedAt = Now.AddHours(-3) });
        var gone = false;
        alpha.OnGet = (id, _) => gone ? throw new GpuCloudException(GpuCloudErrorCode.NotFound, "gone", "alpha") : alpha.Instances.Single(i => i.Id == id);
        alpha.OnDelete = (_, _) => gone = true;
        configure?.Invoke(alpha);
        var journal = new SharedJournal(Entry("t1", JournalOutcomeKind.Created, "orphan", Elsewhere, Now.AddMinutes(-5)));
        var client = Client(alpha, journal, new FakeTimeProvider(Now));
        var orphan = (await client.ListOwnedAsync()).Instances.Single();
        return (client, alpha, journal, orphan);
    }

    [Test]
    public async Task ASweepClaimsTheEntryBeforeItDeletes_AndTheInstanceIsDeletedOnceAndRecordedGone()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync();
        using var _ = client;

        var swept = await client.DeleteOwnedAsync(orphan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.Outcome, Is.EqualTo(SweepOutcome.Deleted));
            Assert.That(alpha.Deleted, Is.EqualTo(new[] { "orphan" }));
            Assert.That(journal.Log, Is.EqualTo(new[] { "claim t1", "gone orphan" }));
            Assert.That(journal.Claims["t1"], Is.EqualTo(new JournalLease("dev@build-01", JournalProcess.Current, Now + TimeSpan.FromMinutes(15))));
        }
    }

    [Test]
    public async Task AnInstanceWhoseEntryAnotherSweepHolds_IsLeftToThatSweep_AndNothingIsSent()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync();
        using var _ = client;
        var other = new JournalLease("ops@build-03", new JournalProcess("build-03", 77, Now.AddMinutes(-1)), Now.AddMinutes(10));
        journal.Claims["t1"] = other;
        var getsBefore = alpha.GetCalls;

        var swept = await client.DeleteOwnedAsync(orphan);

        Assert.That((swept.Outcome, swept.ClaimedBy), Is.EqualTo((SweepOutcome.ClaimedByAnother, other)));
        Assert.That((alpha.Deleted.Count, alpha.GetCalls - getsBefore), Is.EqualTo((0, 0)), "not even looked at: the other sweep deletes it");
        Assert.That(other.ToString(), Is.EqualTo("ops@build-03 (process 77 on build-03)"));
    }

    [Test]
    public async Task AClaimWhoseDeleteFailed_IsGivenBack_SoTheNextSweepNeedNotWaitForItToEnd()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync(a => a.OnDelete = (_, _) => throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, "503", "alpha"));
        using var _ = client;

        var error = Assert.ThrowsAsync<GpuCloudException>(() => client.DeleteOwnedAsync(orphan));

        Assert.That(error!.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
        Assert.That(journal.Log, Is.EqualTo(new[] { "claim t1", "release t1" }));
        Assert.That(journal.Claims, Is.Empty);
    }

    [Test]
    public async Task AnInstanceStillProvisioning_IsReportedSo_AndItsClaimGivenBack()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync(a =>
            a.OnDelete = (_, _) => throw new GpuCloudException(GpuCloudErrorCode.Conflict, "not active yet", "alpha"));
        using var _ = client;

        var swept = await client.DeleteOwnedAsync(orphan);

        Assert.That((swept.Outcome, swept.Refusal?.Code), Is.EqualTo((SweepOutcome.StillProvisioning, (GpuCloudErrorCode?)GpuCloudErrorCode.Conflict)));
        Assert.That(journal.Log, Is.EqualTo(new[] { "claim t1", "release t1" }));
    }

    [Test]
    public async Task AnInstanceAlreadyGone_IsReportedSo_WithoutADelete()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync(a => a.OnGet = (_, _) => throw new GpuCloudException(GpuCloudErrorCode.NotFound, "gone", "alpha"));
        using var _ = client;

        var swept = await client.DeleteOwnedAsync(orphan);

        Assert.That((swept.Outcome, alpha.Deleted.Count), Is.EqualTo((SweepOutcome.AlreadyGone, 0)));
        Assert.That(journal.Log, Is.EqualTo(new[] { "claim t1", "gone orphan" }));
    }

    [Test]
    public async Task AnInstanceWhoseStateCouldNotBeRead_IsDeletedAnyway_NotTakenForGone()
    {
        var asked = false;
        var (client, alpha, journal, orphan) = await OrphanAsync(a => a.OnGet = (_, _) =>
        {
            // The first look fails (503); once the delete is sent, the instance is gone.
            if (asked) throw new GpuCloudException(GpuCloudErrorCode.NotFound, "gone", "alpha");
            asked = true;
            throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, "503", "alpha");
        });
        using var _ = client;

        var swept = await client.DeleteOwnedAsync(orphan);

        Assert.That(swept.Outcome, Is.EqualTo(SweepOutcome.Deleted));
        Assert.That(alpha.Deleted, Is.EqualTo(new[] { "orphan" }), "a failure to look is not a sign it is gone: the delete is sent");
    }

    [Test]
    public async Task AnInstanceNotProvedThisJournals_IsNeverDeletedBySweeping_NorClaimed()
    {
        var (client, alpha, journal, orphan) = await OrphanAsync();
        using var _ = client;
        var mayBeYours = orphan with { Reason = OwnedReason.MayBeYours, Proof = OwnershipProof.NameAndTime };

        var error = Assert.ThrowsAsync<GpuCloudException>(() => client.DeleteOwnedAsync(mayBeYours));

        Assert.That(error!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
        Assert.That((alpha.Deleted.Count, journal.Log.Count), Is.EqualTo((0, 0)));
    }
}
