namespace GpuCloud.Tests.Orchestration;

/// <summary>
/// <see cref="GpuCloudClient.ListOwnedAsync"/> at the edges mutation testing found unwatched (tests/MUTATION.md): the
/// order of what it lists, a create whose process still runs, and the owner marks of instances no journal entry holds.
/// </summary>
public sealed class OwnedInstancesFindingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private const string Owner = "dev@build-01";

    /// <summary>A process on this host that is certainly not running (this process's id with another start time).</summary>
    private static readonly JournalProcess GoneProcess = JournalProcess.Current with { StartedAt = JournalProcess.Current.StartedAt.AddDays(-3) };

    private static JournalEntry Entry(string token, string? id, DateTimeOffset at, JournalProcess process) => new(
        new JournalIntent
        {
            Token = token, Provider = "alpha", PlanId = "p", Name = "worker", PricePerHour = 2m, Currency = "USD", At = at,
            Owner = Owner, Process = process,
        },
        id is null ? null : new JournalOutcome(JournalOutcomeKind.Created, id, null, at),
        null);

    private static GpuInstance Live(string id, DateTimeOffset created) =>
        Build.Instance("alpha", id, InstanceState.Running) with { Name = "worker", CreatedAt = created };

    private static Task<OwnedSearchResult> FindAsync(IGpuCloudProvider alpha, MemoryJournal journal) =>
        new GpuCloudClient([alpha], new GpuCloudOptions { Journal = journal, Owner = Owner }, new FakeTimeProvider(Now)).ListOwnedAsync();

    [Test]
    public async Task WhatItFinds_IsListedOldestFirst()
    {
        var alpha = new ScriptedProvider(new FakeTimeProvider(Now));
        alpha.Inner.Instances.Add(Live("young", Now.AddHours(-1)));
        alpha.Inner.Instances.Add(Live("middle", Now.AddHours(-3)));
        alpha.Inner.Instances.Add(Live("old", Now.AddHours(-5)));
        var journal = new MemoryJournal(
            Entry("t1", "young", Now.AddHours(-1), GoneProcess),
            Entry("t2", "middle", Now.AddHours(-3), GoneProcess),
            Entry("t3", "old", Now.AddHours(-5), GoneProcess));

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances.Select(o => o.Instance.Id), Is.EqualTo(new[] { "old", "middle", "young" }));
    }

    [Test]
    public async Task AnUnknownOutcomeWhoseProcessStillRuns_IsOpen_AndItsSameNamedNewcomerIsNotShown()
    {
        var alpha = new ScriptedProvider(new FakeTimeProvider(Now));
        alpha.Inner.Instances.Add(Live("newcomer", Now.AddMinutes(-59)));
        var journal = new MemoryJournal(Entry("t1", null, Now.AddHours(-1), JournalProcess.Current));

        var found = await FindAsync(alpha, journal);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Instances, Is.Empty, "its creator may still return it: not a candidate yet");
            Assert.That(found.Open.Select(o => (o.Create.Token, o.Why, o.OpenUntil)), Is.EqualTo(new[]
            {
                ("t1", "its create may still be running (its process runs, or runs on another host)", Now.AddHours(-1) + TimeSpan.FromDays(1)),
            }));
        }
    }

    [Test]
    public async Task AMarkedInstanceWhoseExpiryIsNow_IsExpired()
    {
        var alpha = new MarkingScriptedProvider(new FakeTimeProvider(Now));
        alpha.Inner.Instances.Add(MarkingScriptedProvider.Marked(Live("due", Now.AddHours(-2)), "elsewhere", Owner, Now));
        alpha.Inner.Instances.Add(MarkingScriptedProvider.Marked(Live("later", Now.AddHours(-2)), "elsewhere-2", Owner, Now.AddTicks(1)));

        var found = await FindAsync(alpha, new MemoryJournal());

        Assert.That(found.Instances.Select(o => (o.Instance.Id, o.Reason, o.Proof)), Is.EquivalentTo(new[]
        {
            ("due", OwnedReason.Expired, OwnershipProof.OwnerMark),
            ("later", OwnedReason.NotInJournal, OwnershipProof.OwnerMark),
        }));
    }

    [Test]
    public async Task AnInstanceMarkedByAnotherOwner_OrByAnOpenEntrysCreate_IsNotShownAsMadeElsewhere()
    {
        var alpha = new MarkingScriptedProvider(new FakeTimeProvider(Now));
        alpha.Inner.Instances.Add(MarkingScriptedProvider.Marked(Live("colleague", Now.AddHours(-2)), "theirs", "someone@else"));
        alpha.Inner.Instances.Add(MarkingScriptedProvider.Marked(Live("mine", Now.AddHours(-2)), "t1", Owner));
        var journal = new MemoryJournal(Entry("t1", null, Now.AddHours(-2), JournalProcess.Current)); // its creator runs: not reported

        var found = await FindAsync(alpha, journal);

        Assert.That(found.Instances, Is.Empty);
    }

    [Test]
    public async Task AListedInstanceCarryingAnOwnersMark_IsCreatedByThatOwner_EvenWithoutAJournalEntry()
    {
        var alpha = new MarkingScriptedProvider(new FakeTimeProvider(Now));
        alpha.Inner.Instances.Add(MarkingScriptedProvider.Marked(Live("made-elsewhere", Now.AddHours(-2)), "other-journal", "ops@build-07"));
        alpha.Inner.Instances.Add(Live("unmarked", Now.AddHours(-2)));
        using var client = new GpuCloudClient([alpha], new GpuCloudOptions { Journal = new MemoryJournal(), Owner = Owner }, new FakeTimeProvider(Now));

        var listed = await client.ListInstancesAsync();

        Assert.That(listed.Select(i => (i.Id, i.CreatedByGpuCloud, i.CreatedBy)), Is.EquivalentTo(new (string, bool?, string?)[]
        {
            ("made-elsewhere", true, "ops@build-07"),
            ("unmarked", false, null),
        }));
    }
}
