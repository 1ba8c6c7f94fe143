using GpuCloud.Generated;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Providers;

/// <summary>
/// One generated client of a provider and everything its calls share: the plain client, its tolerant twin for lists
/// (built on first need), the provider's error translation, its name, its logger and its clock. Every call goes
/// through here, so every failure but the caller's cancellation leaves as the provider's <see cref="GpuCloudException"/>,
/// with a <c>Retry-After</c> date read on the provider's clock.
/// </summary>
/// <typeparam name="TClient">The generated client.</typeparam>
internal sealed class ProviderClient<TClient> where TClient : class
{
    private readonly ProviderErrors _errors;
    private readonly TimeProvider _time;
    private readonly Lazy<TClient> _tolerant;

    /// <summary>Wraps <paramref name="plain"/>.</summary>
    /// <param name="plain">The client every call uses first.</param>
    /// <param name="tolerant">Builds a client like <paramref name="plain"/> that skips unreadable list items, reporting each to the given action.</param>
    /// <param name="provider">The provider's name.</param>
    /// <param name="errors">The provider's translation.</param>
    /// <param name="logger">Where items left out of a list are reported.</param>
    /// <param name="time">The provider's clock.</param>
    public ProviderClient(TClient plain, Func<Action<SkippedListItem>, TClient> tolerant, string provider, ProviderErrors errors, ILogger logger, TimeProvider time)
    {
        Plain = plain;
        Provider = provider;
        Logger = logger;
        _errors = errors;
        _time = time;
        _tolerant = new(() => tolerant(ListItems.Reporter(logger, provider)));
    }

    /// <summary>The plain client, for a hot path that catches through <see cref="Translate"/> itself.</summary>
    public TClient Plain { get; }

    /// <summary>The provider's name.</summary>
    public string Provider { get; }

    /// <summary>Where items left out of a list are reported.</summary>
    public ILogger Logger { get; }

    /// <summary>The provider's translation of <paramref name="ex"/>, for a caller that runs the call itself.</summary>
    public GpuCloudException? Translate(Exception ex, CancellationToken ct) => _errors.Translate(ex, _time, ct);

    /// <summary>Runs one call, translating its failures.</summary>
    public async Task<T> RunAsync<T>(Func<TClient, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(Plain).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, ct) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Runs a call documented to answer without a body. The generated clients throw on any other success status
    /// (e.g. 200 for a documented 204); those count as success.
    /// </summary>
    public async Task RunNoContentAsync(Func<TClient, Task> call, CancellationToken ct)
    {
        try
        {
            await call(Plain).ConfigureAwait(false);
        }
        catch (Exception ex) when (_errors.IsSuccess(ex))
        {
        }
        catch (Exception ex) when (Translate(ex, ct) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>A list read: plain first, item by item only when the plain answer cannot be read (see <see cref="ListItems"/>).</summary>
    public Task<T> ListAsync<T>(Func<TClient, Task<T>> read, CancellationToken ct) =>
        RunAsync(plain => ListItems.ReadAsync(() => read(plain), () => read(_tolerant.Value), _errors.IsUnreadable), ct);

    /// <summary>A list read mapped item by item; an item that cannot be mapped is left out and logged as a <paramref name="kind"/>.</summary>
    public async Task<TOut[]> ListEachAsync<TIn, TOut>(Func<TClient, Task<IList<TIn>>> read, Func<TIn, TOut> map, Func<TIn, string?> id,
        string kind, CancellationToken ct)
        where TIn : class =>
        MapEach(await ListAsync(read, ct).ConfigureAwait(false), map, id, kind).ToArray();

    /// <summary>Maps each item, leaving out (and logging as a <paramref name="kind"/>) one that cannot be mapped.</summary>
    public IEnumerable<TOut> MapEach<TIn, TOut>(IEnumerable<TIn?>? items, Func<TIn, TOut> map, Func<TIn, string?> id, string kind)
        where TIn : class =>
        ListItems.MapEach(items, map, id, Logger, Provider, kind);
}
