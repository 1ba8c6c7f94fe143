using System.Globalization;

namespace GpuCloud;

/// <summary>
/// The one reader of <c>Retry-After</c> (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date dated against the given
/// clock (the pipeline's, so a fake clock in tests and the retry back-off agree). A negative, fractional or unreadable
/// value is ignored; a date already past means no wait.
/// </summary>
internal static class RetryAfterHeader
{
    private const string Name = "Retry-After";

    // IMF-fixdate, and the two obsolete forms a recipient must still accept (RFC 9110 §5.6.7).
    private static readonly string[] HttpDateFormats =
    [
        "r",
        "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'",
        "ddd MMM d HH':'mm':'ss yyyy",
    ];

    /// <summary>The wait a response asks for, if it asks for one that can be read.</summary>
    public static TimeSpan? Read(HttpResponseMessage? response, TimeProvider time) =>
        response is not null && response.Headers.TryGetValues(Name, out var values) ? Parse(values.FirstOrDefault(), time) : null;

    /// <summary>The wait in headers as the generated clients hand them over (name to values, any case).</summary>
    public static TimeSpan? Read(IReadOnlyDictionary<string, IEnumerable<string>>? headers, TimeProvider time)
    {
        if (headers is null) return null;
        foreach (var (name, values) in headers)
            if (name.Equals(Name, StringComparison.OrdinalIgnoreCase)) return Parse(values.FirstOrDefault(), time);
        return null;
    }

    /// <summary>One header value as a wait; <see langword="null"/> when it is missing or not a valid <c>Retry-After</c>.</summary>
    public static TimeSpan? Parse(string? value, TimeProvider time)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        // NumberStyles.None: digits only, so "-5" and "1.5" are refused rather than read as something else.
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return seconds <= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        if (!DateTimeOffset.TryParseExact(value, HttpDateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var at)) return null;
        var wait = at - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}
