namespace GpuCloud.Cli;

/// <summary>
/// Ids as people type them (as git and docker do): a unique prefix of the id, or of its local part (the id without Fluence's
/// <c>container:</c>/<c>vm:</c>/<c>baremetal:</c> or Fluidstack's <c>region/</c> routing part).
/// </summary>
internal static class ShortIds
{
    /// <summary>The fewest characters a shortened id keeps (UUIDs: the first group).</summary>
    public const int MinLength = 8;

    /// <summary>A name-like id longer than this (a 63-character Fluidstack key name) is shown as a unique prefix and an ellipsis.</summary>
    public const int LongName = 24;

    /// <summary>Marks a cut name; an id typed with it (copied from a table) is read as the prefix before it.</summary>
    public const string Ellipsis = "…";

    /// <summary>The id without its routing part.</summary>
    public static string Local(string id)
    {
        var cut = id.LastIndexOfAny([':', '/']);
        return cut < 0 ? id : id[(cut + 1)..];
    }

    /// <summary>
    /// The short form of each id among <paramref name="ids"/> (one provider's): a UUID-like local part is cut to the shortest prefix
    /// no other id's local part starts with (at least <see cref="MinLength"/>); a name-like one (a Fluidstack instance type, a key
    /// name) is kept whole, as it reads better than any prefix of it, unless longer than <see cref="LongName"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Shorten(IEnumerable<string> ids)
    {
        var all = ids.Distinct(StringComparer.Ordinal).ToArray();
        var locals = all.Select(Local).ToArray();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < all.Length; i++)
        {
            var local = locals[i];
            var hex = IsHexLike(local);
            if (!hex && local.Length <= LongName)
            {
                result[all[i]] = local;
                continue;
            }
            var length = Math.Min(hex ? MinLength : LongName - 4, local.Length);
            while (length < local.Length && locals.Where((other, j) => j != i && other.StartsWith(local[..length], StringComparison.OrdinalIgnoreCase)).Any())
                length++;
            result[all[i]] = locals.Where((other, j) => j != i && string.Equals(other, local, StringComparison.OrdinalIgnoreCase)).Any() ? all[i]
                : hex || length == local.Length ? local[..length]
                : local[..length] + Ellipsis;
        }
        return result;
    }

    /// <summary>Whether <paramref name="given"/> names <paramref name="id"/>: the id itself, or a prefix of it or of its local part.</summary>
    public static bool Matches(string id, string given)
    {
        given = WithoutEllipsis(given);
        return given.Length > 0 && (id.StartsWith(given, StringComparison.OrdinalIgnoreCase) || Local(id).StartsWith(given, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The id as typed without a trailing ellipsis (copied from a table).</summary>
    public static string WithoutEllipsis(string given) => given.EndsWith(Ellipsis, StringComparison.Ordinal) ? given[..^Ellipsis.Length] : given;

    private static bool IsHexLike(string local) => local.Length > MinLength && local.All(c => char.IsAsciiHexDigit(c) || c == '-');
}
