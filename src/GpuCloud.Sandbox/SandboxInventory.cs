using GpuCloud.Sandbox.Internal;

namespace GpuCloud.Sandbox;

/// <summary>The two simulated providers.</summary>
public enum SandboxProvider
{
    /// <summary>Fluence GPU cloud (containers, VMs, bare metal).</summary>
    Fluence,

    /// <summary>Fluidstack Atlas (regional instances).</summary>
    Fluidstack,
}

/// <summary>One instance the sandbox knows about, as of the moment the snapshot was taken.</summary>
/// <param name="Provider">Which provider holds it.</param>
/// <param name="Id">The provider's instance id.</param>
/// <param name="Name">The name given at creation (or by a later rename).</param>
/// <param name="Kind">Fluence: <c>container</c>, <c>vm</c> or <c>baremetal</c>; Fluidstack: <c>instance</c>.</param>
/// <param name="Location">Fluence location (e.g. <c>US</c>, <c>dulles-usa-1</c>) or Fluidstack region.</param>
/// <param name="State">The provider's status string (e.g. <c>ACTIVE</c>, <c>running</c>).</param>
/// <param name="CreatedAt">Creation time on the sandbox clock.</param>
/// <param name="IsLive">
/// Whether it still holds resources the client must release: Fluence INITIALIZED or ACTIVE; Fluidstack any state but
/// <c>deleting</c> (out-of-stock and error instances still exist until deleted).
/// </param>
public sealed record SandboxInstance(
    SandboxProvider Provider,
    string Id,
    string Name,
    string Kind,
    string Location,
    string State,
    DateTimeOffset CreatedAt,
    bool IsLive);

/// <summary>
/// What the sandbox has been asked to create and what still exists, for assertions such as "no duplicate creates,
/// nothing leaked". Reads are snapshots; pending state transitions are applied first. Also served as JSON by
/// <c>GET /_sandbox/inventory</c>.
/// </summary>
public sealed class SandboxInventory
{
    private readonly SandboxState _state;

    internal SandboxInventory(SandboxState state) => _state = state;

    /// <summary>
    /// How many create requests named <paramref name="name"/> reached the provider (authenticated, with a name in the
    /// body), whether or not they succeeded.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="name">The instance name in the request.</param>
    /// <returns>The count (0 when never asked).</returns>
    public int CreateRequests(SandboxProvider provider, string name) => _state.CreateRequestCount(provider, name);

    /// <summary>All create-request counts of one provider, by instance name.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>A snapshot, name → count.</returns>
    public IReadOnlyDictionary<string, int> CreateRequestCounts(SandboxProvider provider) => _state.CreateRequestCounts(provider);

    /// <summary>Every instance known, including ended, failed and deleting ones (a deleted Fluidstack instance disappears).</summary>
    /// <param name="provider">Only this provider's, when set.</param>
    /// <returns>A snapshot in creation order.</returns>
    public IReadOnlyList<SandboxInstance> Instances(SandboxProvider? provider = null) => _state.Snapshot(provider);

    /// <summary>The instances that still hold resources (see <see cref="SandboxInstance.IsLive"/>).</summary>
    /// <param name="provider">Only this provider's, when set.</param>
    /// <returns>A snapshot in creation order.</returns>
    public IReadOnlyList<SandboxInstance> LiveInstances(SandboxProvider? provider = null) =>
        _state.Snapshot(provider).Where(i => i.IsLive).ToArray();

    /// <summary>The current Fluence account balance in USDC.</summary>
    public decimal FluenceBalance => _state.GetFluenceBalance();
}
