namespace GpuCloud.Tests.Orchestration;

/// <summary>
/// <see cref="GpuCloudClient.CreateInstanceAsync"/> and the cheapest walk's cleanup, at the edges mutation testing found
/// unwatched (tests/MUTATION.md): the maximum duration's range, what a refused pre-create list and a lost answer tell the
/// caller, how the lookup after a lost answer waits out a transient failure, and the cleanup's retry on Conflict.
/// </summary>
public sealed class CreateRecoveryTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private const string Name = "trainer-1";

    private static GpuCloudOptions Options(IInstanceJournal? journal = null) => new()
    {
        PollInterval = Poll,
        ReadyTimeout = TimeSpan.FromMinutes(15),
        CleanupTimeout = TimeSpan.FromMinutes(2),
        Journal = journal,
        Owner = "dev@build-01",
    };

    private static CreateInstanceRequest Request(TimeSpan? maxDuration = null) => new()
    {
        Name = Name,
        SshPublicKeys = [TestKeys.Ed25519],
        Provider = "alpha",
        PlanId = "p1",
        MaxDuration = maxDuration,
    };

    private static GpuInstance Newcomer(string id) => Build.Instance("alpha", id, InstanceState.Provisioning) with { Name = Name };

    private static GpuCloudException Lost() => new(GpuCloudErrorCode.Timeout, "the create timed out", "alpha");

    private static async Task<T> ExpectAsync<T>(Task task) where T : Exception
    {
        try
        {
            await task;
        }
        catch (T ex)
        {
            return ex;
        }
        Assert.Fail($"expected {typeof(T).Name}");
        throw new InvalidOperationException();
    }

    [TestCase("00:00:00")]
    [TestCase("366.00:00:00.0000001")]
    public async Task AMaxDurationOutsideItsRange_IsRefused_BeforeAnythingIsSent(string duration)
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time);
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(client.CreateInstanceAsync(Request(TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Message, Does.Contain("positive and at most 366 days"));
            Assert.That(alpha.ListedAt, Is.Empty, "nothing was asked of the provider");
            Assert.That(alpha.Inner.Created, Is.Empty);
        }
    }

    [Test]
    public async Task AMaxDurationOf366Days_IsTheLongestAccepted()
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time);
        using var client = new GpuCloudClient([alpha], Options(), time);

        var created = await client.CreateInstanceAsync(Request(TimeSpan.FromDays(366)));

        Assert.That((created.Id, alpha.Inner.Created.Count), Is.EqualTo(("p1-i", 1)));
    }

    [Test]
    public async Task TheJournalRecordsTheSameNamedInstancesListedBeforeTheCreate_InOrdinalOrder()
    {
        var time = new TrackedClock();
        var journal = new MemoryJournal();
        var alpha = new ScriptedProvider(time);
        alpha.Inner.Instances.AddRange(new[] { "b", "a", "C" }.Select(id => Build.Instance("alpha", id, InstanceState.Running) with { Name = Name }));
        alpha.Inner.Instances.Add(Build.Instance("alpha", "other", InstanceState.Running));
        using var client = new GpuCloudClient([alpha], Options(journal), time);

        await client.CreateInstanceAsync(Request());

        Assert.That(journal.Intents.Single().ExistingIds, Is.EqualTo(new[] { "C", "a", "b" }));
    }

    [Test]
    public async Task AMarkedCreatesJournalEntry_ListsNoOlderInstances_AsAnEmptyListNotANullOne()
    {
        // A journal writes the list as it is (the SQLite one joins it): a null list would fail the intent, and so the create.
        var time = new TrackedClock();
        var journal = new MemoryJournal();
        var alpha = new MarkingScriptedProvider(time);
        alpha.Inner.Instances.Add(Build.Instance("alpha", "older", InstanceState.Running) with { Name = Name });
        using var client = new GpuCloudClient([alpha], Options(journal), time);

        await client.CreateInstanceAsync(Request());

        Assert.That(journal.Intents.Single().ExistingIds, Is.Not.Null.And.Empty, "a marked create lists nothing before it: its token is its evidence");
    }

    [TestCase("the provider is busy", "the provider is busy. Nothing was created")]
    [TestCase("the provider is busy.", "the provider is busy. Nothing was created")]
    public async Task AFailedListBeforeTheCreate_SendsNothing_AndKeepsTheProvidersAnswer(string detail, string reads)
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time)
        {
            OnList = (_, _) => throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, detail, "alpha")
            {
                StatusCode = HttpStatusCode.ServiceUnavailable, ProviderMessage = "maintenance", RetryAfter = TimeSpan.FromSeconds(30),
            },
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(client.CreateInstanceAsync(Request()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alpha.Inner.Created, Is.Empty);
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Message, Does.Contain(reads).And.Not.Contain(".."));
            Assert.That((ex.StatusCode, ex.ProviderMessage, ex.RetryAfter), Is.EqualTo(((HttpStatusCode?)HttpStatusCode.ServiceUnavailable, "maintenance", (TimeSpan?)TimeSpan.FromSeconds(30))));
        }
    }

    /// <summary>
    /// The lookup after a lost answer meets a transient failure: it tries again after the provider's Retry-After when that
    /// is shorter than the poll interval, else after the poll interval.
    /// </summary>
    [TestCase(1, 1)]
    [TestCase(0, 5)]
    [TestCase(-1, 5)]
    [TestCase(60, 5)]
    public async Task TheLookupAfterALostAnswer_WaitsOutATransientFailure_ThenFindsTheNewcomer(int retryAfterSeconds, int expectedGapSeconds)
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time)
        {
            OnList = (n, _) => n switch
            {
                1 => [],
                2 => throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, "busy", "alpha")
                {
                    RetryAfter = retryAfterSeconds < 0 ? null : TimeSpan.FromSeconds(retryAfterSeconds),
                },
                _ => [Newcomer("new-1")],
            },
        };
        alpha.Inner.OnCreate = _ => throw Lost();
        using var client = new GpuCloudClient([alpha], Options(), time);

        var created = await time.DriveAsync(client.CreateInstanceAsync(Request()));

        var at = alpha.ListedAt.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Id, Is.EqualTo("new-1"));
            Assert.That(at, Has.Length.EqualTo(3));
            Assert.That(at[2] - at[1], Is.EqualTo(TimeSpan.FromSeconds(expectedGapSeconds)));
        }
    }

    [Test]
    public async Task TheCallerCancellingDuringTheLookup_GetsItsCancellation_NotAnOutcomeUnknownError()
    {
        var time = new TrackedClock();
        using var cts = new CancellationTokenSource();
        var alpha = new ScriptedProvider(time)
        {
            OnList = (n, ct) =>
            {
                if (n == 1) return [];
                cts.Cancel();
                throw new OperationCanceledException(ct);
            },
        };
        alpha.Inner.OnCreate = _ => throw Lost();
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<Exception>(client.CreateInstanceAsync(Request(), cts.Token));

        Assert.That(ex, Is.InstanceOf<OperationCanceledException>(), ex.Message);
    }

    [Test]
    public async Task ALookupThatFails_IsNamedInTheError_WithItsReason()
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time)
        {
            OnList = (n, _) => n == 1 ? [] : throw new GpuCloudException(GpuCloudErrorCode.Unauthorized, "the key was revoked", "alpha"),
        };
        alpha.Inner.OnCreate = _ => throw Lost();
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(client.CreateInstanceAsync(Request()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout), "the create's own failure");
            Assert.That(ex.Message, Does.Contain("the create timed out. The create's outcome is unknown"));
            Assert.That(ex.Message, Does.Contain("the lookup failed: alpha: the key was revoked"));
        }
    }

    [Test]
    public async Task OnAProviderThatKeepsMarks_ALookupWithoutTheToken_ProvesNothingWasMade_AndClosesTheEntry()
    {
        var time = new TrackedClock();
        var journal = new MemoryJournal();
        var alpha = new MarkingScriptedProvider(time);
        alpha.Inner.Instances.Add(Newcomer("older")); // same name, no token: never this call's
        alpha.Inner.OnCreate = _ => throw Lost();
        using var client = new GpuCloudClient([alpha], Options(journal), time);

        var ex = await ExpectAsync<GpuCloudException>(client.CreateInstanceAsync(Request()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("no instance carries this call's token; 1 older instance(s) with that name were left alone"));
            Assert.That(journal.Outcomes.Select(o => o.Outcome.Kind), Is.EqualTo(new[] { JournalOutcomeKind.Failed }));
            Assert.That(alpha.Inner.Deleted, Is.Empty);
        }
    }

    [Test]
    public async Task ALookupThatFindsNothing_MentionsNoOlderInstances_WhenThereAreNone()
    {
        var time = new TrackedClock();
        var alpha = new MarkingScriptedProvider(time);
        alpha.Inner.OnCreate = _ => throw Lost();
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(client.CreateInstanceAsync(Request()));

        Assert.That(ex.Message, Does.Contain("(no instance carries this call's token)"));
    }

    [Test]
    public void Match_WithoutAToken_OnAProviderThatKeepsMarks_FindsNothing_NotAnUnmarkedInstance()
    {
        var alpha = new MarkingScriptedProvider(new TrackedClock());

        var match = CreateRecovery.Match([Newcomer("unmarked")], Name, null, [], null, alpha);

        Assert.That((match.Marked, match.Newcomers.Count), Is.EqualTo(((GpuInstance?)null, 0)));
    }

    private static GpuInstance OutOfStock(string id) =>
        Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock");

    [Test]
    public async Task TheCleanup_RetriesADeleteThatConflicts_EveryPollInterval_UntilItIsDone()
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time);
        alpha.Inner.Plans.Add(Build.Plan("alpha", "a1", 1m));
        alpha.Inner.OnGet = (id, _) => OutOfStock(id);
        var deletes = 0;
        alpha.Inner.OnDelete = (_, _) =>
        {
            if (++deletes < 3) throw Build.Error(GpuCloudErrorCode.Conflict); // not deletable until it is active
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Request())));

        var at = alpha.DeletedAt.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.Attempts.Single().Message, Does.Contain("instance a1-i was deleted").And.Not.Contain("could NOT"));
            Assert.That(at, Has.Length.EqualTo(3));
            Assert.That(at.Zip(at.Skip(1), (a, b) => b - a), Is.All.EqualTo(Poll));
        }
    }

    [Test]
    public async Task ACancelledWalk_WhoseCleanupConflictsUntilItsTimeIsUp_NamesTheInstanceThatStillBills()
    {
        var time = new TrackedClock();
        var alpha = new ScriptedProvider(time);
        alpha.Inner.Plans.Add(Build.Plan("alpha", "a1", 1m));
        alpha.Inner.OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning);
        alpha.Inner.OnDelete = (_, _) => throw Build.Error(GpuCloudErrorCode.Conflict);
        using var client = new GpuCloudClient([alpha], Options(), time);
        using var cts = new CancellationTokenSource();
        var timer = time.NextTimerCreatedAsync();
        var walk = client.CreateCheapestAsync(new PlanQuery(), Request(), cancellationToken: cts.Token);
        await HangGuard.WhenAnyAsync(timer, walk);
        Assert.That(walk.IsCompleted, Is.False, "the walk should be waiting for the instance");

        await cts.CancelAsync();
        var ex = await ExpectAsync<OperationCanceledException>(time.DriveAsync(walk));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("instance a1-i could NOT be deleted").And.Contain("delete it yourself"));
            Assert.That(alpha.DeletedAt.Count, Is.GreaterThan(1), "the delete was tried again while it conflicted");
        }
    }
}
