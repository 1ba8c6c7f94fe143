using System.Collections.Concurrent;

namespace GpuCloud.Plans;

/// <summary>
/// One immutable one-element list per distinct value (a location, a region, an image), shared by every plan that
/// carries it: a catalog of thousands of plans names only a few dozen.
/// </summary>
internal static class SharedLists
{
    private const int Limit = 4096;
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> Singles = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Single(string value) =>
        Singles.TryGetValue(value, out var list) ? list
        : Singles.Count < Limit ? Singles.GetOrAdd(value, static v => Array.AsReadOnly([v]))
        : Array.AsReadOnly([value]);
}
