using System.Collections.Concurrent;

namespace GpuCloud.Tests.Support;

/// <summary>
/// An in-memory provider for client-level tests: plans, create, get and delete are scripted with delegates,
/// and every call is recorded.
/// </summary>
public sealed class FakeProvider(string name) : IGpuCloudProvider
{
    private readonly ConcurrentQueue<string> _calls = new();
    private int _getCount;

    public string Name => name;

    /// <summary>Plans returned by <see cref="ListPlansAsync"/> (unfiltered: the client must filter).</summary>
    public List<GpuPlan> Plans { get; } = [];

    /// <summary>Failures returned alongside <see cref="Plans"/> (e.g. one region).</summary>
    public List<ProviderFailure> PlanFailures { get; } = [];

    /// <summary>When set, <see cref="ListPlansAsync"/> throws it.</summary>
    public Exception? ListPlansError { get; set; }

    /// <summary>Creates an instance for a request, or throws. Default: a Provisioning instance "&lt;plan id&gt;-i".</summary>
    public Func<CreateInstanceRequest, GpuInstance>? OnCreate { get; set; }

    /// <summary>Answers GetInstanceAsync (id, 1-based call number), or throws. Default: NotFound.</summary>
    public Func<string, int, GpuInstance>? OnGet { get; set; }

    /// <summary>Deletes, or throws. Default: succeeds.</summary>
    public Action<string, CancellationToken>? OnDelete { get; set; }

    public ConcurrentQueue<CreateInstanceRequest> Created { get; } = new();

    public ConcurrentQueue<string> Deleted { get; } = new();

    public int ListPlansCalls { get; private set; }

    public int GetCalls => _getCount;

    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <summary>A log shared by several providers ("name call"), to check the order of calls across them.</summary>
    public ConcurrentQueue<string>? SharedLog { get; init; }

    private void Record(string call)
    {
        _calls.Enqueue(call);
        SharedLog?.Enqueue($"{name} {call}");
    }

    public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
    {
        Record("ListPlans");
        ListPlansCalls++;
        cancellationToken.ThrowIfCancellationRequested();
        if (ListPlansError is not null) return Task.FromException<PlanSearchResult>(ListPlansError);
        return Task.FromResult(new PlanSearchResult(Plans.ToArray(), PlanFailures.ToArray()));
    }

    /// <summary>What ListInstancesAsync returns.</summary>
    public List<GpuInstance> Instances { get; } = [];

    public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default)
    {
        Record("ListInstances");
        return Task.FromResult<IReadOnlyList<GpuInstance>>(Instances.ToArray());
    }

    public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        Record("Get " + instanceId);
        var n = Interlocked.Increment(ref _getCount);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(OnGet is null
                ? throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"{name}: no instance {instanceId}", name)
                : OnGet(instanceId, n));
        }
        catch (Exception ex)
        {
            return Task.FromException<GpuInstance>(ex);
        }
    }

    public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        Record("Create " + request.TargetPlanId);
        Created.Enqueue(request);
        try
        {
            return Task.FromResult(OnCreate is null
                ? Build.Instance(name, request.TargetPlanId + "-i", InstanceState.Provisioning)
                : OnCreate(request));
        }
        catch (Exception ex)
        {
            return Task.FromException<GpuInstance>(ex);
        }
    }

    public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        Record("Delete " + instanceId);
        Deleted.Enqueue(instanceId);
        try
        {
            OnDelete?.Invoke(instanceId, cancellationToken);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SshKey>>([]);

    public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default)
    {
        Record("AddKey " + name);
        return Task.FromResult(new SshKey
        {
            Provider = Name, Id = name, Name = name, PublicKey = publicKey.ToString(), Algorithm = publicKey.Algorithm, Fingerprint = publicKey.Fingerprint,
        });
    }

    public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
