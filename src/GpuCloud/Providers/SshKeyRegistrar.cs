namespace GpuCloud.Providers;

/// <summary>
/// The one way a provider adds and removes account SSH keys. A key is matched by its fingerprint, never by its name: adding
/// a key already registered (under any name, or concurrently) returns the registered key, and removing a key already
/// gone counts as removed.
/// </summary>
/// <param name="list">Lists the account's keys.</param>
/// <param name="add">Registers a key by name; returns the key as the provider answered, or as sent when the answer carries none.</param>
/// <param name="remove">Removes a key by id.</param>
/// <param name="readBack">Whether <paramref name="add"/> returns the key as sent, so the key as listed after it is the better answer.</param>
internal sealed class SshKeyRegistrar(
    Func<CancellationToken, Task<IReadOnlyList<SshKey>>> list,
    Func<string, SshPublicKey, CancellationToken, Task<SshKey>> add,
    Func<string, CancellationToken, Task> remove,
    bool readBack = false)
{
    /// <summary>Registers <paramref name="publicKey"/> as <paramref name="name"/> unless it is registered already.</summary>
    public async Task<SshKey> AddAsync(string name, SshPublicKey publicKey, CancellationToken ct)
    {
        if (await FindAsync(publicKey, ct).ConfigureAwait(false) is { } existing) return existing;
        SshKey added;
        try
        {
            added = await add(name, publicKey, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.Conflict)
        {
            // Added concurrently, or a name clash: the key if it is ours, otherwise the conflict.
            if (await FindAsync(publicKey, ct).ConfigureAwait(false) is { } registered) return registered;
            throw;
        }
        return readBack ? await FindAsync(publicKey, ct).ConfigureAwait(false) ?? added : added;
    }

    /// <summary>Removes the key <paramref name="keyId"/>; a key already gone is removed.</summary>
    public async Task RemoveAsync(string keyId, CancellationToken ct)
    {
        try
        {
            await remove(keyId, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
    }

    private async Task<SshKey?> FindAsync(SshPublicKey key, CancellationToken ct) =>
        (await list(ct).ConfigureAwait(false)).FirstOrDefault(k => k.Fingerprint == key.Fingerprint);
}
