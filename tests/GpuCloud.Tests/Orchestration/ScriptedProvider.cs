using System.Collections.Concurrent;

namespace GpuCloud.Tests.Orchestration;

/// <summary>
/// A <see cref="FakeProvider"/> whose instance list is scripted per call (answer, failure, or the caller's cancellation),
/// with the clock's time of each list recorded.
/// </summary>
internal class ScriptedProvider(TimeProvider clock, string name = "alpha") : IGpuCloudProvider
{
    private int _lists;

    public FakeProvider Inner { get; } = new(name);

    /// <summary>Answers the n-th list (1-based), or throws. Default: <see cref="FakeProvider.Instances"/>.</summary>
    public Func<int, CancellationToken, IReadOnlyList<GpuInstance>>? OnList { get; set; }

    /// <summary>The clock's time of each list call.</summary>
    public ConcurrentQueue<DateTimeOffset> ListedAt { get; } = new();

    /// <summary>The clock's time of each delete call.</summary>
    public ConcurrentQueue<DateTimeOffset> DeletedAt { get; } = new();

    public string Name => name;

    public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default)
    {
        ListedAt.Enqueue(clock.GetUtcNow());
        var n = Interlocked.Increment(ref _lists);
        try
        {
            return Task.FromResult(OnList is null ? Inner.Instances.ToArray() : OnList(n, cancellationToken));
        }
        catch (Exception ex)
        {
            return Task.FromException<IReadOnlyList<GpuInstance>>(ex);
        }
    }

    public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default) => Inner.ListPlansAsync(query, cancellationToken);

    public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Inner.GetInstanceAsync(instanceId, cancellationToken);

    public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => Inner.CreateInstanceAsync(request, cancellationToken);

    public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        DeletedAt.Enqueue(clock.GetUtcNow());
        return Inner.DeleteInstanceAsync(instanceId, cancellationToken);
    }

    public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => Inner.ListSshKeysAsync(cancellationToken);

    public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) =>
        Inner.AddSshKeyAsync(name, publicKey, cancellationToken);

    public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>A <see cref="ScriptedProvider"/> that keeps create marks as tags, as Fluidstack does: a token is its only evidence.</summary>
internal sealed class MarkingScriptedProvider(TimeProvider clock, string name = "alpha") : ScriptedProvider(clock, name), ICreateSupport
{
    public static GpuInstance Marked(GpuInstance instance, string token, string owner, DateTimeOffset? expires = null) => instance with
    {
        Tags = new Dictionary<string, string> { ["token"] = token, ["owner"] = owner, ["expires"] = expires?.ToString("O") ?? "" },
    };

    public void ValidateCreate(CreateInstanceRequest request)
    {
    }

    public CreateInstanceRequest? MarkCreate(CreateInstanceRequest request, CreateMarks marks) => request with
    {
        Tags = new Dictionary<string, string>(request.Tags) { ["token"] = marks.Token, ["owner"] = marks.Owner, ["expires"] = marks.ExpiresAt?.ToString("O") ?? "" },
    };

    public CreateMarks? MarksOf(GpuInstance instance) =>
        instance.Tags.TryGetValue("token", out var token)
            ? new CreateMarks(token, instance.Tags["owner"],
                instance.Tags["expires"] is { Length: > 0 } e ? DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : null)
            : null;
}

/// <summary>A journal that keeps what it is told, in memory.</summary>
internal sealed class MemoryJournal(params JournalEntry[] open) : IInstanceJournal
{
    public ConcurrentQueue<JournalIntent> Intents { get; } = new();

    public ConcurrentQueue<(string Token, JournalOutcome Outcome)> Outcomes { get; } = new();

    public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default)
    {
        Intents.Enqueue(intent);
        return Task.CompletedTask;
    }

    public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default)
    {
        Outcomes.Enqueue((token, outcome));
        return Task.CompletedTask;
    }

    public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<JournalEntry>>(open);
}
