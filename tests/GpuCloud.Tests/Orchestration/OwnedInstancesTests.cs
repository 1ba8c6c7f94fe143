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

        public List<(string Token, JournalOutcomeKind Kind)> Outcomes { get; } = [];

        public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
        {
            Outcomes.Add((token, outcome.Kind));
            return Task.CompletedTask;
        }

        public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            Gone.Add((provider, instanceId));
            return Task.CompletedTask;
        }

        public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<JournalEntry>>(entries);
    }

    private static JournalEntry Entry(string token, JournalOutcomeKind? outcome = null, string? id = null, JournalProcess? process = null,
        DateTimeOffset? expires = null, string[]? existing = null, string name = "worker", DateTimeOffset? at = null) => new(
        new JournalIntent
        {
            Token = token, Provider = "alpha", PlanId = "p", Name = name, PricePerHour = 2m, Currency = "USD", At = at ?? Now.AddHours(-3),
            ExpiresAt = expires, Owner = "dev@build-01", Process = process ?? GoneProcess, ExistingIds = existing ?? [],
        },
        outcome is { } kind ? new JournalOutcome(kind, id, null, Now.AddHours(-3)) : null,
        null);

    private static GpuInstance Live(string id, string name = "worker", DateTimeOffset? created = null) =>
        Build.Instance("alpha", id, InstanceState.Running) with { Name = name, CreatedAt = created ?? Now.AddHours(-3) };

    private static async Task<OwnedSearchResult> FindAsync(Providers.IGpuCloudProvider alpha, FixedJournal journal) =>
        await new GpuCloudClient([alpha], new GpuCloudOptions { Journal = journal, Owner = "dev@build-01" }, new FakeTimeProvider(Now)).ListOwnedAsync();

    [Test]
    public async Task ACreatedInstanceWhoseCreatorIsGoneIsListedWithItsAgeAndCostSoFar()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("mine"));
        alpha.Instances.Add(Live("someone-elses")); // same name, made elsewhere

        var journal = new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "mine"));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Age, o.CostSoFar, o.Currency)),
            Is.EqualTo(new[] { ("mine", OwnedReason.CreatorGone, TimeSpan.FromHours(3), (decimal?)6.00m, (string?)"USD") }));
        Assert.That((alpha.GetCalls, journal.Gone.Count), Is.EqualTo((0, 0)), "a listed instance is not asked for again, nor closed");
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
    public async Task AnUnknownOutcomeOnAProviderWithoutMarks_OnlyMayBeYours_WithItsEvidence_NeverAnOlderSameNamedInstance()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("older", created: Now.AddHours(-2))); // a provider clock ahead of ours: only the list from before tells
        alpha.Instances.Add(Live("newcomer"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1", JournalOutcomeKind.Unknown, existing: ["older"])));

        var only = found.Instances.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((only.Instance.Id, only.Reason, only.Proof, only.IsProved), Is.EqualTo(("newcomer", OwnedReason.MayBeYours, OwnershipProof.NameAndTime, false)),
                "a name and a time are evidence, not proof: a colleague's same-named instance looks the same");
            Assert.That(only.Create?.Token, Is.EqualTo("t1"), "the create it may belong to");
            Assert.That(only.Age, Is.EqualTo(TimeSpan.FromHours(3)));
        }
    }

    [Test]
    public async Task AnUnknownOutcomeWithTwoNewcomersShowsBoth_NeitherProved()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("a"));
        alpha.Instances.Add(Live("b"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.IsProved)),
            Is.EquivalentTo(new[] { ("a", OwnedReason.MayBeYours, false), ("b", OwnedReason.MayBeYours, false) }));
    }

    [Test]
    public async Task ANewcomerHasAnUpperTimeBound_OneMadeLaterThanTheSkewAfterTheCreateIsNotItsCandidate()
    {
        var alpha = new FakeProvider("alpha");
        var at = Now.AddHours(-3);
        alpha.Instances.Add(Live("colleague-later", created: at + CreateRecovery.ClockSkew + TimeSpan.FromMinutes(1)));
        alpha.Instances.Add(Live("within-skew", created: at + CreateRecovery.ClockSkew - TimeSpan.FromMinutes(1)));
        alpha.Instances.Add(Live("before-skew", created: at - CreateRecovery.ClockSkew - TimeSpan.FromMinutes(1)));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1")));

        Assert.That(found.Instances.Select(o => o.Instance.Id), Is.EqualTo(new[] { "within-skew" }));
    }

    [Test]
    public async Task TheBoundsAreInclusive_ANewcomerAtExactlyTheSkew_AnEntryAtExactlyItsWindow_AnExpiryAtExactlyNow()
    {
        var alpha = new FakeProvider("alpha");
        var at = Now.AddHours(-3);
        alpha.Instances.Add(Live("at-upper", created: at + CreateRecovery.ClockSkew));
        alpha.Instances.Add(Live("at-lower", name: "other", created: at - CreateRecovery.ClockSkew));
        alpha.Instances.Add(Live("expiring-now"));
        var journal = new FixedJournal(
            Entry("t1"), Entry("t2", name: "other"), Entry("t3", JournalOutcomeKind.Created, "expiring-now", JournalProcess.Current, expires: Now),
            Entry("closing", at: Now - OwnedInstances.UnknownOutcomeWindow));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason)), Is.EquivalentTo(new[]
        {
            ("at-upper", OwnedReason.MayBeYours), ("at-lower", OwnedReason.MayBeYours), ("expiring-now", OwnedReason.Expired),
        }));
        Assert.That(journal.Outcomes, Is.EqualTo(new[] { ("closing", JournalOutcomeKind.Closed) }));
    }

    [Test]
    public async Task ADifferentlyNamedNewcomerIsNoCandidate_AndTheEntrySaysWhyItIsOpen()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("other", name: "not-worker"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1")));

        Assert.That(found.Instances, Is.Empty);
        var open = found.Open.Single();
        Assert.That((open.Create.Token, open.OpenUntil), Is.EqualTo(("t1", Now.AddHours(-3) + OwnedInstances.UnknownOutcomeWindow)));
        Assert.That(open.Why, Does.Contain("no same-named instance"));
    }

    [Test]
    public async Task AnUnknownOutcomePastItsWindowIsClosed_AndMatchesNothingAnyMore()
    {
        var alpha = new FakeProvider("alpha");
        var at = Now - OwnedInstances.UnknownOutcomeWindow - TimeSpan.FromMinutes(1);
        alpha.Instances.Add(Live("made-then", created: at));
        var journal = new FixedJournal(Entry("old", JournalOutcomeKind.Unknown, at: at), Entry("recent", JournalOutcomeKind.Unknown, at: Now.AddMinutes(-5)));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances, Is.Empty);
        Assert.That(journal.Outcomes, Is.EqualTo(new[] { ("old", JournalOutcomeKind.Closed) }), "only the entry past its window is closed");
        Assert.That(found.Open.Select(o => o.Create.Token), Is.EqualTo(new[] { "recent" }));
    }

    [Test]
    public async Task AnInstanceAnotherEntryRecordedIsNeverAnUnknownEntrysCandidate()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("recorded"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "recorded"), Entry("t2")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Proof)), Is.EqualTo(new[] { ("recorded", OwnedReason.CreatorGone, OwnershipProof.JournalId) }));
    }

    [Test]
    public async Task TwoUnknownEntriesPointingAtOneNewcomerShowItOnce()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("one"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1"), Entry("t2")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Create!.Token)), Is.EqualTo(new[] { ("one", "t1") }));
        Assert.That(found.Open.Select(o => o.Create.Token), Is.EqualTo(new[] { "t2" }), "the second entry has no candidate left: open, with why");
    }

    [Test]
    public async Task OnAProviderThatKeepsMarks_OnlyTheTokenProves_AndTheNameRuleIsNeverUsed()
    {
        var alpha = new MarkingProvider();
        alpha.Inner.Instances.Add(Live("same-name-unmarked")); // made in the console around the same time
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("carries-t1", name: "renamed"), "t1", "dev@build-01"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1"), Entry("t2")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Proof, o.IsProved)),
            Is.EqualTo(new[] { ("carries-t1", OwnedReason.UnknownOutcomeFound, OwnershipProof.CreateToken, true) }));
        Assert.That(found.Open.Single().Why, Does.Contain("no instance carries its token"));
    }

    [Test]
    public async Task AnInstanceBeingTerminatedIsNoCreatesResult()
    {
        var alpha = new MarkingProvider();
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("ending") with { State = InstanceState.Terminating }, "t1", "dev@build-01"));
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("ended") with { State = InstanceState.Terminated }, "t2", "dev@build-01"));

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1"), Entry("t2")));

        Assert.That(found.Instances, Is.Empty);
        Assert.That(found.Open, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task InstancesMarkedByThisOwnerThroughAnotherJournalAreShown_NeverProved()
    {
        var alpha = new MarkingProvider();
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("elsewhere"), "t-other", "dev@build-01"));
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("elsewhere-expired"), "t-other-2", "dev@build-01", Now.AddMinutes(-1)));
        alpha.Inner.Instances.Add(MarkingProvider.Marked(Live("another-owner"), "t-3", "someone@else", Now.AddMinutes(-1)));

        var found = await FindAsync(alpha, new FixedJournal());

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Proof, o.IsProved)), Is.EquivalentTo(new[]
        {
            ("elsewhere", OwnedReason.NotInJournal, OwnershipProof.OwnerMark, false),
            ("elsewhere-expired", OwnedReason.Expired, OwnershipProof.OwnerMark, false),
        }));
    }

    [Test]
    public async Task ALookupByIdThatFails_KeepsTheEntryOpen_AndIsReportedAsAFailure()
    {
        var alpha = new FakeProvider("alpha") { OnGet = (_, _) => throw Build.Error(GpuCloudErrorCode.ProviderUnavailable) };
        var journal = new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "not-in-the-list"));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances, Is.Empty);
        Assert.That(journal.Gone, Is.Empty, "not seen gone: a live, billing instance must not be forgotten");
        Assert.That(found.Failures.Select(f => (f.Provider, f.Error.Code)), Is.EqualTo(new[] { ("alpha", GpuCloudErrorCode.ProviderUnavailable) }));
    }

    [Test]
    public async Task AgeAndCostComeFromTheProviderWhereItReportsThem_ElseFromTheJournal()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Instances.Add(Live("no-time") with { CreatedAt = null });
        alpha.Instances.Add(Live("priced", created: Now.AddHours(-1)) with { PricePerHour = 3m, Currency = "EUR" });

        var found = await FindAsync(alpha, new FixedJournal(Entry("t1", JournalOutcomeKind.Created, "no-time"), Entry("t2", JournalOutcomeKind.Created, "priced")));

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Age, o.CostSoFar, o.Currency)), Is.EquivalentTo(new[]
        {
            ("no-time", TimeSpan.FromHours(3), (decimal?)6m, (string?)"USD"), // the journal's time and price
            ("priced", TimeSpan.FromHours(1), (decimal?)3m, (string?)"EUR"), // the provider's
        }));
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

    /// <summary>A provider that keeps create marks (as Fluidstack's tags do): token, owner and expiry as tags.</summary>
    private sealed class MarkingProvider : Providers.IGpuCloudProvider, Providers.ICreateSupport
    {
        public FakeProvider Inner { get; } = new("alpha");

        public static GpuInstance Marked(GpuInstance instance, string token, string owner, DateTimeOffset? expires = null) => instance with
        {
            Tags = new Dictionary<string, string> { ["token"] = token, ["owner"] = owner, ["expires"] = expires?.ToString("O") ?? "" },
        };

        public string Name => "alpha";

        public void ValidateCreate(CreateInstanceRequest request)
        {
        }

        public CreateInstanceRequest? MarkCreate(CreateInstanceRequest request, Providers.CreateMarks marks) => request;

        public Providers.CreateMarks? MarksOf(GpuInstance instance) =>
            instance.Tags.TryGetValue("token", out var token)
                ? new Providers.CreateMarks(token, instance.Tags["owner"], instance.Tags["expires"] is { Length: > 0 } e ? DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : null)
                : null;

        public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default) => Inner.ListInstancesAsync(cancellationToken);

        public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default) => Inner.ListPlansAsync(query, cancellationToken);

        public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Inner.GetInstanceAsync(instanceId, cancellationToken);

        public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => Inner.CreateInstanceAsync(request, cancellationToken);

        public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Inner.DeleteInstanceAsync(instanceId, cancellationToken);

        public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => Inner.ListSshKeysAsync(cancellationToken);

        public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) => Inner.AddSshKeyAsync(name, publicKey, cancellationToken);

        public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
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
