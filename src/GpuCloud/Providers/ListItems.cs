using GpuCloud.Generated;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Providers;

/// <summary>
/// The one rule for reading provider lists (plans, instances, keys, on every provider): an item that cannot be read
/// costs that item, never the list. It is left out and logged at warning with the provider and the item's id.
/// Two layers share it: a generated client in tolerant mode skips an item whose JSON does not fit its type
/// (<see cref="ListItemTolerance"/>, reported through <see cref="Reporter"/>; used through <see cref="ReadAsync{T}"/>
/// only when the plain read failed), and <see cref="MapEach{TIn,TOut}"/> skips an item the facade cannot map.
/// </summary>
internal static partial class ListItems
{
    /// <summary>
    /// Reads a list through the plain client and, only when that answer cannot be read as a whole, reads it again
    /// through the tolerant one (the same GET, safe to repeat). Reading every list item by item would cost every call
    /// (a 50 MB list takes several times longer); an odd answer is rare, and then it costs one more request.
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> plain, Func<Task<T>> tolerant, Func<Exception, bool> unreadable)
    {
        try
        {
            return await plain().ConfigureAwait(false);
        }
        catch (Exception ex) when (unreadable(ex))
        {
            return await tolerant().ConfigureAwait(false);
        }
    }

    /// <summary>Where a generated client reports the items it left out.</summary>
    public static Action<SkippedListItem> Reporter(ILogger logger, string provider) =>
        skipped => LogSkipped(logger, provider, skipped.Id ?? "(unknown)", skipped.Path, skipped.Reason);

    /// <summary>Maps each item, leaving out (and logging) one whose mapping fails.</summary>
    public static IEnumerable<TOut> MapEach<TIn, TOut>(IEnumerable<TIn?>? items, Func<TIn, TOut> map, Func<TIn, string?> id,
        ILogger logger, string provider, string kind)
        where TIn : class
    {
        foreach (var item in items ?? [])
        {
            if (item is null) continue;
            TOut mapped;
            // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
            // Stryker disable once Block,Statement : does not compile ('mapped' unassigned)
            try
            {
                mapped = map(item);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Skipped(logger, provider, kind, SafeId(id, item), ex);
                continue;
            }
            yield return mapped;
        }
    }

    /// <summary>Logs one item left out by the facade's mapping.</summary>
    public static void Skipped(ILogger logger, string provider, string kind, string? id, Exception reason) =>
        LogSkipped(logger, provider, id ?? "(unknown)", kind, reason.Message);

    private static string? SafeId<TIn>(Func<TIn, string?> id, TIn item)
    {
        try
        {
            return id(item);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Logs a listed item kept without the fields only its detail carries, because the detail could not be read.</summary>
    public static void Incomplete(ILogger logger, string provider, string id, string fields, Exception reason) =>
        LogIncomplete(logger, provider, id, fields, reason is GpuCloudException g ? $"{g.Code}: {g.Detail}" : reason.Message);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "{Provider}: listed {ItemId} without its {Fields}: its detail could not be read: {Reason}")]
    private static partial void LogIncomplete(ILogger logger, string provider, string itemId, string fields, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Provider}: left out an unreadable item (id {ItemId}, at {Where}): {Reason}")]
    private static partial void LogSkipped(ILogger logger, string provider, string itemId, string where, string reason);
}
