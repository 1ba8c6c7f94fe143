using System.Collections.Concurrent;

namespace GpuCloud.Tests;

/// <summary>What <see cref="GpuCloudClient"/> writes to an <see cref="IInstanceJournal"/> around a create, a wait and a failure.</summary>
public sealed class JournalTests
{
    private sealed class RecordingJournal(ConcurrentQueue<string> log) : IInstanceJournal
    {
        public List<JournalIntent> Intents { get; } = [];

        public List<(string Token, JournalOutcome Outcome)> Outcomes { get; } = [];

        public List<(string Provider, string Id)> Gone { get; } = [];

        public bool FailIntents { get; init; }

        public bool FailOutcomes { get; init; }

        public bool FailReads { get; init; }

        public List<JournalEntry> Open { get; } = [];

        public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default)
        {
            if (FailIntents) throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, "The journal /tmp/j.db could not be used (record a create): disk full");
            log.Enqueue("journal intent");
            Intents.Add(intent);
            return Task.CompletedTask;
        }

        public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
        {
            if (FailOutcomes) throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, "The journal /tmp/j.db could not be used: disk full");
            log.Enqueue("journal outcome " + outcome.Kind);
            Outcomes.Add((token, outcome));
            return Task.CompletedTask;
        }

        public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            Gone.Add((provider, instanceId));
            return Task.CompletedTask;
        }

        public List<(string Provider, string Id)> Kept { get; } = [];

        public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            Kept.Add((provider, instanceId));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) =>
            FailReads
                ? throw new GpuCloudException(GpuCloudErrorCode.JournalUnavailable, "The journal /tmp/j.db could not be used (read): locked")
                : Task.FromResult<IReadOnlyList<JournalEntry>>(Open.ToArray());
    }

    private ConcurrentQueue<string> _log = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void Fresh()
    {
        _log = new ConcurrentQueue<string>();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    }

    private FakeProvider Alpha() => new("alpha") { SharedLog = _log };

    private GpuCloudClient Client(FakeProvider provider, IInstanceJournal journal) =>
        new([provider], new GpuCloudOptions { Journal = journal, Owner = "dev@build-01", PollInterval = TimeSpan.FromSeconds(1) }, _time);

    private static CreateInstanceRequest Request(TimeSpan? maxDuration = null) => new()
    {
        Plan = Build.Plan("alpha", "p", 1.25m),
        Name = "trainer-1",
        SshPublicKeys = [TestKeys.Ed25519],
        MaxDuration = maxDuration,
    };

    [Test]
    public async Task TheIntentIsWrittenBeforeTheCreateIsSentAndTheOutcomeAfter()
    {
        var alpha = Alpha();
        alpha.Instances.Add(Build.Instance("alpha", "older-1", InstanceState.Running) with { Name = "trainer-1" });
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        var created = await client.CreateInstanceAsync(Request(TimeSpan.FromHours(2)));

        Assert.That(_log, Is.EqualTo(new[] { "alpha ListInstances", "journal intent", "alpha Create p", "journal outcome Created" }));
        var intent = journal.Intents.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(intent.Token, Does.Match("^[0-9a-f]{32}$"));
            Assert.That(intent.Provider, Is.EqualTo("alpha"));
            Assert.That(intent.PlanId, Is.EqualTo("p"));
            Assert.That(intent.Name, Is.EqualTo("trainer-1"));
            Assert.That(intent.PricePerHour, Is.EqualTo(1.25m));
            Assert.That(intent.At, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(intent.ExpiresAt, Is.EqualTo(_time.GetUtcNow().AddHours(2)));
            Assert.That(intent.Owner, Is.EqualTo("dev@build-01"));
            Assert.That(intent.Process, Is.EqualTo(JournalProcess.Current));
            Assert.That(intent.ExistingIds, Is.EqualTo(new[] { "older-1" }), "the older same-named instance is on record as not this create's");
            Assert.That(journal.Outcomes.Single(), Is.EqualTo((intent.Token, new JournalOutcome(JournalOutcomeKind.Created, created.Id, null, _time.GetUtcNow()))));
        }
    }

    [Test]
    public void ARefusedCreateIsRecordedAsFailed()
    {
        var alpha = Alpha();
        alpha.OnCreate = _ => throw Build.Error(GpuCloudErrorCode.InsufficientFunds);
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request()));

        Assert.That(journal.Outcomes.Single().Outcome, Is.EqualTo(new JournalOutcome(JournalOutcomeKind.Failed, null, GpuCloudErrorCode.InsufficientFunds, _time.GetUtcNow())));
    }

    [Test]
    public void ALostAnswerWhoseLookupListedNothingNewClosesTheEntryAtOnce()
    {
        // The lookup listed and no newcomer appeared: the create provably made nothing, and its entry must not stay open to
        // claim a same-named instance someone makes later.
        var alpha = Alpha();
        alpha.OnCreate = _ => throw Build.Error(GpuCloudErrorCode.Timeout);
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request()));

        Assert.That(journal.Outcomes.Single().Outcome.Kind, Is.EqualTo(JournalOutcomeKind.Failed));
        Assert.That(journal.Outcomes.Single().Outcome.Error, Is.EqualTo(GpuCloudErrorCode.Timeout));
    }

    [TestCase(0, JournalOutcomeKind.Failed)]
    [TestCase(2, JournalOutcomeKind.Unknown)]
    public void ACallerWhoCancelsAfterSending_ClosesTheEntryWhenTheLookupSawNothing_ElseLeavesItUnknown(int newcomers, JournalOutcomeKind expected)
    {
        using var cts = new CancellationTokenSource();
        var alpha = Alpha();
        alpha.OnCreate = _ =>
        {
            for (var i = 0; i < newcomers; i++) alpha.Instances.Add(Build.Instance("alpha", $"n{i}", InstanceState.Provisioning) with { Name = "trainer-1" });
            cts.Cancel();
            throw new OperationCanceledException(cts.Token);
        };
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        Assert.CatchAsync<OperationCanceledException>(() => client.CreateInstanceAsync(Request(), cts.Token));

        Assert.That(journal.Outcomes.Select(o => o.Outcome.Kind), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void ALostAnswerWithTwoNewcomersStaysUnknown_NeitherIsAdopted()
    {
        var alpha = Alpha();
        alpha.OnCreate = _ =>
        {
            alpha.Instances.Add(Build.Instance("alpha", "a", InstanceState.Provisioning) with { Name = "trainer-1" });
            alpha.Instances.Add(Build.Instance("alpha", "b", InstanceState.Provisioning) with { Name = "trainer-1" });
            throw Build.Error(GpuCloudErrorCode.Timeout);
        };
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request()));

        Assert.That(journal.Outcomes.Single().Outcome, Is.EqualTo(new JournalOutcome(JournalOutcomeKind.Unknown, null, GpuCloudErrorCode.Timeout, _time.GetUtcNow())));
    }

    [Test]
    public async Task ALostAnswerWhoseInstanceIsFoundIsRecordedAsCreated()
    {
        var alpha = Alpha();
        alpha.OnCreate = _ =>
        {
            alpha.Instances.Add(Build.Instance("alpha", "mine", InstanceState.Provisioning) with { Name = "trainer-1" });
            throw Build.Error(GpuCloudErrorCode.ProviderUnavailable);
        };
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        await client.CreateInstanceAsync(Request());

        Assert.That(journal.Outcomes.Single().Outcome.Kind, Is.EqualTo(JournalOutcomeKind.Created));
        Assert.That(journal.Outcomes.Single().Outcome.InstanceId, Is.EqualTo("mine"));
    }

    [Test]
    public void AJournalThatCannotRecordTheIntentStopsTheCreateBeforeItIsSent()
    {
        var alpha = Alpha();
        using var client = Client(alpha, new RecordingJournal(_log) { FailIntents = true });

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request()));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(ex.Message, Does.Contain("/tmp/j.db"));
        Assert.That(alpha.Created, Is.Empty, "nothing was sent");
    }

    [Test]
    public async Task AJournalThatCannotRecordTheOutcomeDoesNotCostTheCallerTheInstance()
    {
        var alpha = Alpha();
        using var client = Client(alpha, new RecordingJournal(_log) { FailOutcomes = true });

        var created = await client.CreateInstanceAsync(Request());

        Assert.That(created.Id, Is.EqualTo("p-i"));
    }

    [Test]
    public void AMaximumDurationThatIsNotPositiveIsRefusedBeforeAnythingIsSent()
    {
        var alpha = Alpha();
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Request(TimeSpan.FromMinutes(-5))));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
        Assert.That(ex.Field, Is.EqualTo("MaxDuration"));
        Assert.That(_log, Is.Empty);
    }

    [Test]
    public async Task WaitingUntilAnInstanceIsGoneClosesItsEntry()
    {
        var alpha = Alpha();
        alpha.OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Terminated);
        var journal = new RecordingJournal(_log);
        using var client = Client(alpha, journal);

        await client.WaitForStateAsync("alpha", "mine", InstanceState.Terminated, TimeSpan.FromMinutes(1));

        Assert.That(journal.Gone, Is.EqualTo(new[] { ("alpha", "mine") }));
    }

    [Test]
    public void AnOwnerWithControlCharactersIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GpuCloudOptions { Owner = "dev\n@host" }.Validate());
        Assert.That(ex!.ParamName, Is.EqualTo("Owner"));
    }

    [Test]
    public async Task AListingSaysWhoseEachInstanceIsFromTheJournal()
    {
        var alpha = Alpha();
        alpha.Instances.Add(Build.Instance("alpha", "ours-1", InstanceState.Running));
        alpha.Instances.Add(Build.Instance("alpha", "theirs-1", InstanceState.Running));
        var journal = new RecordingJournal(_log);
        journal.Open.Add(new JournalEntry(new JournalIntent
        {
            Token = "t1", Provider = "alpha", PlanId = "p", Name = "ours-1", At = _time.GetUtcNow(), Owner = "dev@build-01", Process = JournalProcess.Current,
        }, new JournalOutcome(JournalOutcomeKind.Created, "ours-1", null, _time.GetUtcNow()), null));
        using var client = Client(alpha, journal);

        var listed = await client.ListInstancesAsync();

        Assert.That(listed.Select(i => (i.Id, i.CreatedByGpuCloud)), Is.EquivalentTo(new (string, bool?)[] { ("ours-1", true), ("theirs-1", false) }));
    }

    [Test]
    public async Task AJournalThatCannotBeReadLeavesOwnershipUnknownAndTheListingWhole()
    {
        var alpha = Alpha();
        alpha.Instances.Add(Build.Instance("alpha", "ours-1", InstanceState.Running));
        alpha.Instances.Add(Build.Instance("alpha", "theirs-1", InstanceState.Running));
        using var client = Client(alpha, new RecordingJournal(_log) { FailReads = true });

        var listed = await client.ListInstancesAsync();

        Assert.That(listed.Select(i => (i.Id, i.CreatedByGpuCloud)), Is.EquivalentTo(new (string, bool?)[] { ("ours-1", null), ("theirs-1", null) }));
    }

    [Test]
    public async Task KeepInstance_RecordsTheHandOver_AndWithoutAJournalDoesNothing()
    {
        var journal = new RecordingJournal(_log);
        using var client = Client(Alpha(), journal);
        using var withoutJournal = new GpuCloudClient([Alpha()], new GpuCloudOptions(), _time);

        await client.KeepInstanceAsync("alpha", "i-1");
        await withoutJournal.KeepInstanceAsync("alpha", "i-1");

        Assert.That(journal.Kept, Is.EqualTo(new[] { ("alpha", "i-1") }));
        Assert.ThrowsAsync<GpuCloudException>(() => client.KeepInstanceAsync("nope", "i-1"));
    }
}
