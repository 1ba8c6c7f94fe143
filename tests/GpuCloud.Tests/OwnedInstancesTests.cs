namespace GpuCloud.Tests;

/// <summary>
/// <see cref="GpuCloudClient.ListOwnedAsync"/>: what the journal says this client made, matched against what the provider
/// lists, never by a name alone; instances made elsewhere with the same names are never listed.
/// </summary>
public sealed class OwnedInstancesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A process on this host that is certainly not running (no such id with that start time).</summary>
    private static readonly JournalProcess GoneProcess = new(Environment.MachineName, JournalProcess.Current.Id, JournalProcess.Current.StartedAt.AddDays(-3));

    private sealed class FixedJournal(params JournalEntry[] entries) : IInstanceJournal
    {
        public List<(string Provider, string Id)> Gone { get; } = [];

        public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            Gone.Add((provider, instanceId));
            return Task.CompletedTask;
        }

        public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<JournalEntry>>(entries);
    }

    private static JournalEntry Entry(string token, JournalOutcomeKind? outcome = null, string? id = null, JournalProcess? process = null,
        DateTimeOffset? expires = null, string[]? existing = null, string name = "worker") => new(
        new JournalIntent
        {
            Token = token, Provider = "alpha", PlanId = "p", Name = name, PricePerHour = 2m, Currency = "USD", At = Now.AddHours(-3),
            ExpiresAt = expires, Owner = "dev@build-01", Process = process ?? GoneProcess, ExistingIds = existing ?? [],
        },
        outcome is { } kind ? new JournalOutcome(kind, id, null, Now.AddHours(-3)) : null,
        null);

    private static GpuInstance Live(string id, string name = "worker", DateTimeOffset? created = null) =>
        Build.Instance("alpha", id, InstanceState.Running) with { Name = name, CreatedAt = created ?? Now.AddHours(-3) };

    private static async Task<OwnedSearchResult> FindAsync(FakeProvider alpha, FixedJournal journal) =>
        await new GpuCloudClient([alpha], new GpuCloudOptions { Journal = journal, Owner = "dev@build-01" }, new FakeTimeProvider(Now)).ListOwnedAsync();

    [Test]
    public async Task ACreatedInstanceWhoseCreatorIsGoneIsListedWithItsAgeAndCostSoFar()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("mine"));
        alpha.Instances.Add(Live("someone-elses")); // same name, made elsewhere

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "mine")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Age, o.CostSoFar, o.Currency)),
            Is.EqualTo(new[] { ("mine", OwnedReason.CreatorGone, TimeSpan.FromHours(3), (decimal?)6.00m, (string?)"USD") }));
    }

    [Test]
    public async Task AnInstanceKeptOnPurposeIsNotAnOrphanWhenItsCreatorExits_ButIsListedOnceExpired()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("kept"));
        alpha.Instances.Add(Live("kept-expired"));
        alpha.Instances.Add(Live("left-behind"));

        var found = await FindAsync(alpha, new FixedJournal(
            Entry("t1", JournalOutcomeKind.Kept, "kept"),
            Entry("t2", JournalOutcomeKind.Kept, "kept-expired", expires: Now.AddMinutes(-1)),
            Entry("t3", JournalOutcomeKind.Created, "left-behind")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason)),
            Is.EquivalentTo(new[] { ("kept-expired", OwnedReason.Expired), ("left-behind", OwnedReason.CreatorGone) }));
    }

    [Test]
    public async Task AnInstanceWhoseCreatorStillRunsIsItsCreatorsAndNotListedUnlessExpired()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("running-job"));
        alpha.Instances.Add(Live("expired-job"));

        var found = await FindAsync(alpha, new FixedJournal(
            Entry("t1", JournalOutcomeKind.Created, "running-job", JournalProcess.Current),
            Entry("t2", JournalOutcomeKind.Created, "expired-job", JournalProcess.Current, expires: Now.AddMinutes(-1))));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason)), Is.EqualTo(new[] { ("expired-job", OwnedReason.Expired) }));
    }

    [Test]
    public async Task AnUnknownOutcomeIsMatchedToTheOneNewcomerNeverToAnOlderSameNamedInstance()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("older", created: Now.AddHours(-2))); // a provider clock ahead of ours: only the list from before tells
        alpha.Instances.Add(Live("newcomer"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1", JournalOutcomeKind.Unknown, existing: ["older"])));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason)), Is.EqualTo(new[] { ("newcomer", OwnedReason.UnknownOutcomeFound) }));
    }

    [Test]
    public async Task AnUnknownOutcomeWithTwoNewcomersProvesNothingAndListsNothing()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("a"));
        alpha.Instances.Add(Live("b"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1")));

        Assert.That(found.Instances, Is.Empty);
    }

    [Test]
    public async Task ASameNamedInstanceOlderThanTheIntentIsNotItsNewcomer()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("made-last-week", created: Now.AddDays(-7)));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1")));

        Assert.That(found.Instances, Is.Empty, "created long before the intent (beyond clock skew): not this create's");
    }

    [Test]
    public async Task AnEntryWhoseInstanceIsNoLongerListedIsClosedAndNotListed()
    {
        var alpha = new FakeProvider("alpha");
        var journal = new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "deleted-meanwhile"));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances, Is.Empty);
        Assert.That(journal.Gone, Is.EqualTo(new[] { ("alpha", "deleted-meanwhile") }));
    }

    [Test]
    public async Task AnInstanceTheListLeavesOutButThatStillExistsIsNotForgotten()
    {
        // A list can leave out what exists (a region or project outside the configured ones): only a get by id says gone.
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Live(id) };
        var journal = new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "in-another-region"));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances.Select(o => o.Instance.Id), Is.EqualTo(new[] { "in-another-region" }));
        Assert.That(journal.Gone, Is.Empty);
    }

    [Test]
    public async Task AProviderThatCannotListIsAFailureAndClosesNothing()
    {
        var journal = new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "mine"));
        var failing = new FailingListProvider();

        var found = await new GpuCloudClient([failing], new GpuCloudOptions { Journal = journal }, new FakeTimeProvider(Now)).ListOwnedAsync();

        Assert.That(found.Failures.Select(f => (f.Provider, f.Error.Code)), Is.EqualTo(new[] { ("alpha", GpuCloudErrorCode.ProviderUnavailable) }));
        Assert.That(journal.Gone, Is.Empty, "not seen gone: only not seen");
    }

    private sealed class FailingListProvider : Providers.IGpuCloudProvider
    {
        private readonly FakeProvider _inner = new("alpha");

        public string Name => "alpha";

        public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default) =>
            Task.FromException<IReadOnlyList<GpuInstance>>(Build.Error(GpuCloudErrorCode.ProviderUnavailable));

        public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default) => _inner.ListPlansAsync(query, cancellationToken);

        public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => _inner.GetInstanceAsync(instanceId, cancellationToken);

        public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => _inner.CreateInstanceAsync(request, cancellationToken);

        public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => _inner.DeleteInstanceAsync(instanceId, cancellationToken);

        public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => _inner.ListSshKeysAsync(cancellationToken);

        public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) => _inner.AddSshKeyAsync(name, publicKey, cancellationToken);

        public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}

public sealed class CostSoFarTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void CostSoFarIsPriceTimesAgeRoundedToCentsAndUnknownWithoutEither()
    {
        var instance = Build.Instance("alpha", "i", InstanceState.Running) with { PricePerHour = 2.07m, CreatedAt = Now.AddMinutes(-90) };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.AgeAt(Now), Is.EqualTo(TimeSpan.FromMinutes(90)));
            Assert.That(instance.CostSoFarAt(Now), Is.EqualTo(3.11m), "2.07 x 1.5 = 3.105: half a cent rounds up, as money does");
            Assert.That((instance with { PricePerHour = null }).CostSoFarAt(Now), Is.Null);
            Assert.That((instance with { CreatedAt = null }).CostSoFarAt(Now), Is.Null);
            Assert.That((instance with { CreatedAt = Now.AddMinutes(5) }).AgeAt(Now), Is.EqualTo(TimeSpan.Zero), "a provider clock ahead of ours");
        }
    }
}
