namespace GpuCloud.Providers;

/// <summary>
/// One GPU cloud, in normalized terms. Implementations translate every failure into a
/// <see cref="GpuCloudException"/> and let the caller's cancellation through as
/// <see cref="OperationCanceledException"/>. <see cref="GpuCloudClient"/> combines several providers.
/// </summary>
public interface IGpuCloudProvider
{
    /// <summary>The provider's name in lower case; the <c>Provider</c> of everything it returns.</summary>
    string Name { get; }

    /// <summary>
    /// Lists the provider's plans. The query may be used to skip work (e.g. endpoints of another workload type);
    /// the caller filters again. Parts that failed (e.g. one region) are reported in <see cref="PlanSearchResult.Failures"/>.
    /// </summary>
    /// <param name="query">The search filters.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default);

    /// <summary>Lists the account's instances.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets one instance.</summary>
    /// <param name="instanceId">The instance's <see cref="GpuInstance.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="GpuCloudException">With <see cref="GpuCloudErrorCode.NotFound"/> when it does not exist.</exception>
    Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Validates the request against the provider's rules and creates the instance. Returns as soon as the provider accepted it.</summary>
    /// <param name="request">What to create; its plan must belong to this provider.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes (terminates) an instance. An instance that is already gone counts as deleted.</summary>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Starts a stopped instance.</summary>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="GpuCloudException">With <see cref="GpuCloudErrorCode.NotSupported"/> where the provider cannot start instances.</exception>
    Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Stops a running instance.</summary>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="GpuCloudException">With <see cref="GpuCloudErrorCode.NotSupported"/> where the provider cannot stop instances.</exception>
    Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Lists the SSH keys registered with the account.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Registers an SSH key; if the same key material is already registered, returns that key instead.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="publicKey">The parsed key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default);

    /// <summary>Removes an SSH key. A key that is already gone counts as removed.</summary>
    /// <param name="keyId">The key's <see cref="SshKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default);
}
