using System.Collections.Concurrent;

namespace GpuCloud;

/// <summary>
/// Remembers computed values up to a fixed number of keys; past that it computes without remembering, so a
/// provider inventing endless names cannot grow memory. Values must be immutable: they are shared by every caller.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int limit, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _items = new(comparer);

    /// <summary>The remembered value for <paramref name="key"/>, or a new one from <paramref name="create"/>.</summary>
    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> create, TState state)
    {
        if (_items.TryGetValue(key, out var cached)) return cached;
        var created = create(key, state);
        return _items.Count < limit ? _items.GetOrAdd(key, created) : created;
    }
}
