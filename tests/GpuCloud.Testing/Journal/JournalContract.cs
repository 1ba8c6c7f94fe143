namespace GpuCloud.Testing.Journal;

/// <summary>
/// What every <see cref="IInstanceJournal"/> promises, run against each store with the same cases (the SQLite file, a
/// PostgreSQL server): a fixture says only how to open a journal on a fresh store and a second handle on the same one.
/// </summary>
public abstract class JournalContract
{
    public static readonly DateTimeOffset At = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A journal on the fixture's store for this test (the same store every call within a test).</summary>
    protected abstract IInstanceJournal Open();

    public static JournalIntent Intent(string token, string name = "worker", DateTimeOffset? at = null, string provider = "fluence") => new()
    {
        Token = token,
        Provider = provider,
        PlanId = "container:e553aa0f-fff4-4ba6-ba97-5a140bcc94c3",
        Name = name,
        PricePerHour = 1.89m,
        Currency = "USDC",
        At = at ?? At,
        ExpiresAt = (at ?? At).AddHours(2),
        Owner = "dev@build-01",
        Process = new JournalProcess("build-01", 4242, At.AddMinutes(-1)),
        ExistingIds = ["container:older-1", "container:older-2"],
    };

    [Test]
    public async Task AnIntentItsOutcomeAndTheDeletion_RoundTrip()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("t1"));
        await journal.RecordOutcomeAsync("t1", new JournalOutcome(JournalOutcomeKind.Created, "container:new-1", null, At.AddSeconds(3)));

        var open = await journal.ListOpenAsync();

        Assert.That(open, Has.Count.EqualTo(1));
        var entry = open[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.Intent with { ExistingIds = [] }, Is.EqualTo(Intent("t1") with { ExistingIds = [] }));
            Assert.That(entry.Intent.ExistingIds, Is.EqualTo(new[] { "container:older-1", "container:older-2" }));
            Assert.That(entry.Outcome, Is.EqualTo(new JournalOutcome(JournalOutcomeKind.Created, "container:new-1", null, At.AddSeconds(3))));
            Assert.That(entry.GoneAt, Is.Null);
        }

        await journal.RecordGoneAsync("fluence", "container:new-1", At.AddMinutes(5));
        Assert.That(await journal.ListOpenAsync(), Is.Empty, "seen gone: no longer open");
    }

    [Test]
    public async Task OpenEntries_AreThoseThatMayHoldAnInstance_OldestFirst()
    {
        var journal = Open();
        string[] tokens = ["no-outcome", "created", "failed", "unknown", "gone"];
        for (var i = 0; i < tokens.Length; i++) await journal.RecordIntentAsync(Intent(tokens[i], at: At.AddSeconds(tokens.Length - i)));
        await journal.RecordOutcomeAsync("created", new JournalOutcome(JournalOutcomeKind.Created, "container:a", null, At));
        await journal.RecordOutcomeAsync("failed", new JournalOutcome(JournalOutcomeKind.Failed, null, GpuCloudErrorCode.CapacityUnavailable, At));
        await journal.RecordOutcomeAsync("unknown", new JournalOutcome(JournalOutcomeKind.Unknown, null, GpuCloudErrorCode.Timeout, At));
        await journal.RecordOutcomeAsync("gone", new JournalOutcome(JournalOutcomeKind.Created, "container:b", null, At));
        await journal.RecordGoneAsync("fluence", "container:b", At);

        var open = await journal.ListOpenAsync();

        Assert.That(open.Select(e => e.Intent.Token), Is.EqualTo(new[] { "unknown", "created", "no-outcome" }),
            "oldest first; a refused create and an instance seen gone are closed");
        Assert.That(open.Single(e => e.Intent.Token == "unknown").Outcome!.Error, Is.EqualTo(GpuCloudErrorCode.Timeout));
        Assert.That(open.Single(e => e.Intent.Token == "no-outcome").Outcome, Is.Null);
    }

    [Test]
    public async Task OnlyACreatedInstance_CanBeKept_AndAKeptOneStaysOpenWithItsId()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("t1"));
        await journal.RecordOutcomeAsync("t1", new JournalOutcome(JournalOutcomeKind.Created, "container:new-1", null, At));
        await journal.RecordIntentAsync(Intent("t2", at: At.AddSeconds(1)));
        await journal.RecordOutcomeAsync("t2", new JournalOutcome(JournalOutcomeKind.Unknown, null, GpuCloudErrorCode.Timeout, At));

        await journal.RecordKeptAsync("fluence", "container:new-1", At.AddMinutes(1));
        await journal.RecordKeptAsync("fluence", "container:new-1", At.AddMinutes(2)); // kept again: still recorded

        var open = await journal.ListOpenAsync();
        Assert.That(open.Select(e => (e.Intent.Token, e.Outcome!.Kind, e.Outcome.InstanceId)), Is.EqualTo(new (string, JournalOutcomeKind, string?)[]
        {
            ("t1", JournalOutcomeKind.Kept, "container:new-1"),
            ("t2", JournalOutcomeKind.Unknown, null),
        }));
    }

    [Test]
    public async Task AKeepThatLandsOnNoCreatedEntry_FailsLoudly()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("t1"));
        await journal.RecordOutcomeAsync("t1", new JournalOutcome(JournalOutcomeKind.Unknown, null, GpuCloudErrorCode.Timeout, At));

        var unknown = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordKeptAsync("fluence", "container:never-recorded", At));
        var gone = Assert.ThrowsAsync<GpuCloudException>(async () =>
        {
            await journal.RecordIntentAsync(Intent("t2", at: At.AddSeconds(1)));
            await journal.RecordOutcomeAsync("t2", new JournalOutcome(JournalOutcomeKind.Created, "container:gone", null, At));
            await journal.RecordGoneAsync("fluence", "container:gone", At);
            await journal.RecordKeptAsync("fluence", "container:gone", At);
        });

        Assert.That(new[] { unknown!.Code, gone!.Code }, Is.All.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That(unknown.Message, Does.Contain("container:never-recorded"));
    }

    [Test]
    public async Task AClosedEntry_IsNoLongerOpen()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("closed"));
        await journal.RecordIntentAsync(Intent("still-unknown", at: At.AddSeconds(1)));
        await journal.RecordOutcomeAsync("closed", new JournalOutcome(JournalOutcomeKind.Closed, null, null, At.AddDays(1)));
        await journal.RecordOutcomeAsync("still-unknown", new JournalOutcome(JournalOutcomeKind.Unknown, null, null, At));

        Assert.That((await journal.ListOpenAsync()).Select(e => e.Intent.Token), Is.EqualTo(new[] { "still-unknown" }));
    }

    [Test]
    public async Task TheSameIdOnAnotherProvider_IsAnotherInstance()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("f", provider: "fluence"));
        await journal.RecordIntentAsync(Intent("s", provider: "fluidstack", at: At.AddSeconds(1)));
        await journal.RecordOutcomeAsync("f", new JournalOutcome(JournalOutcomeKind.Created, "same-id", null, At));
        await journal.RecordOutcomeAsync("s", new JournalOutcome(JournalOutcomeKind.Created, "same-id", null, At));

        await journal.RecordGoneAsync("fluidstack", "same-id", At.AddMinutes(1));

        Assert.That((await journal.ListOpenAsync()).Select(e => e.Intent.Token), Is.EqualTo(new[] { "f" }));
    }

    [Test]
    public async Task SeveralWriters_AtOnce_LoseNothing()
    {
        // Each writer has its own handle on the store, as separate processes or machines would.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var journal = Open();
            for (var i = 0; i < 25; i++)
            {
                var token = $"w{w}-{i}";
                await journal.RecordIntentAsync(Intent(token, at: At.AddSeconds(i)));
                await journal.RecordOutcomeAsync(token, new JournalOutcome(JournalOutcomeKind.Created, "id-" + token, null, At));
            }
        })).ToArray();
        await Task.WhenAll(writers);

        var open = await Open().ListOpenAsync();

        Assert.That(open, Has.Count.EqualTo(100));
        Assert.That(open.Select(e => e.Intent.Token).Distinct().Count(), Is.EqualTo(100));
        Assert.That(open.Select(e => e.Outcome?.InstanceId), Is.EqualTo(open.Select(e => "id-" + e.Intent.Token)), "every outcome landed on its own intent");
    }

    [Test]
    public async Task AnIntentRecordedTwice_IsRefused_AndTheFirstStands()
    {
        var journal = Open();
        await journal.RecordIntentAsync(Intent("t1", name: "first"));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => journal.RecordIntentAsync(Intent("t1", name: "second")));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.JournalUnavailable));
        Assert.That((await journal.ListOpenAsync()).Single().Intent.Name, Is.EqualTo("first"));
    }
}
