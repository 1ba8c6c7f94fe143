namespace GpuCloud.Tests;

/// <summary>
/// The client over several providers: search with partial failure, waiting on a fake clock, and the
/// cheapest-with-failover create with its cleanup. No test sleeps; time moves only through FakeTimeProvider.
/// </summary>
public partial class GpuCloudClientTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private static GpuCloudOptions Options(TimeSpan? readyTimeout = null, int maxAttempts = 5) => new()
    {
        PollInterval = Poll,
        ReadyTimeout = readyTimeout ?? TimeSpan.FromMinutes(15),
        CleanupTimeout = TimeSpan.FromMinutes(2),
        MaxCreateAttempts = maxAttempts,
    };

    private static CreateInstanceRequest Template() => new()
    {
        Name = "trainer-1",
        SshPublicKeys = [TestKeys.Ed25519],
        Tags = new Dictionary<string, string> { ["team"] = "ml" },
        Provider = "ignored",
        PlanId = "ignored",
    };

    // ------------------------------------------------------------------------------------------- helpers

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
        catch (Exception other)
        {
            Assert.Fail($"Expected {typeof(T).Name}, got {other.GetType().Name}: {other.Message}");
        }
        Assert.Fail($"Expected {typeof(T).Name}, but the call succeeded.");
        return null!;
    }

    /// <summary>A provider whose delete waits until its token is cancelled (to exercise CleanupTimeout).</summary>
    private sealed class HangingDeleteProvider(string name, TaskCompletionSource deleteStarted) : IGpuCloudProvider
    {
        private readonly FakeProvider _inner = new(name) { OnGet = (id, _) => Build.Instance(name, id, InstanceState.Provisioning) };

        public List<GpuPlan> Plans => _inner.Plans;

        public bool DeleteCancelledByCleanupTimeout { get; private set; }

        public string Name => name;

        public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default) => _inner.ListPlansAsync(query, cancellationToken);

        public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default) => _inner.ListInstancesAsync(cancellationToken);

        public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => _inner.GetInstanceAsync(instanceId, cancellationToken);

        public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => _inner.CreateInstanceAsync(request, cancellationToken);

        public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
        {
            deleteStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                DeleteCancelledByCleanupTimeout = true;
                throw;
            }
        }

        public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => _inner.ListSshKeysAsync(cancellationToken);

        public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) =>
            _inner.AddSshKeyAsync(name, publicKey, cancellationToken);

        public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
