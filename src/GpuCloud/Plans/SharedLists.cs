namespace GpuCloud;

/// <summary>
/// One immutable one-element list per distinct value (a location, a region, an image), shared by every plan that
/// carries it: a catalog of thousands of plans names only a few dozen.
/// </summary>
internal static class SharedLists
{
    private static readonly BoundedCache<string, IReadOnlyList<string>> Singles = new(4096, StringComparer.Ordinal);

    public static IReadOnlyList<string> Single(string value) => Singles.GetOrAdd(value, static (v, _) => Array.AsReadOnly([v]), 0);
}
