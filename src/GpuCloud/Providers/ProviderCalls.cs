namespace GpuCloud.Providers;

/// <summary>
/// How a provider runs its generated-client calls: every failure but the caller's cancellation becomes the provider's
/// <see cref="GpuCloudException"/>, and a 2xx answer the generated client did not expect is told apart from a failure.
/// </summary>
/// <param name="translate">The provider's translation of a failed call; <see langword="null"/> means "rethrow as is".</param>
/// <param name="statusOf">The HTTP status a generated client's exception carries, or <see langword="null"/> for any other exception.</param>
internal sealed class ProviderCalls(Func<Exception, CancellationToken, GpuCloudException?> translate, Func<Exception, int?> statusOf)
{
    /// <summary>The provider's translation of <paramref name="ex"/>, for a caller that runs the call itself.</summary>
    public GpuCloudException? Translate(Exception ex, CancellationToken ct) => translate(ex, ct);

    /// <summary>Runs one call, translating its failures.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (translate(ex, ct) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Runs a call documented to answer without a body. The generated clients throw on any other success status
    /// (e.g. 200 for a documented 204); those count as success.
    /// </summary>
    public async Task RunNoContentAsync(Func<Task> call, CancellationToken ct)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsSuccess(ex))
        {
        }
        catch (Exception ex) when (translate(ex, ct) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>A list read: plain first, item by item only when the plain answer cannot be read (see <see cref="ListItems"/>).</summary>
    public Task<T> ListAsync<TClient, T>(TClient plain, Func<TClient> tolerant, Func<TClient, Task<T>> read) =>
        ListItems.ReadAsync(() => read(plain), () => read(tolerant()), IsUnreadable);

    private bool IsSuccess(Exception ex) => statusOf(ex) is >= 200 and < 300;

    private bool IsUnreadable(Exception ex) => IsSuccess(ex) && ex.InnerException is Newtonsoft.Json.JsonException;
}
