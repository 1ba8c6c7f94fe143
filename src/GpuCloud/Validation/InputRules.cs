using System.Net;

namespace GpuCloud;

/// <summary>
/// The one home of the checks every provider makes the same way on what it is given, before any request is sent:
/// URLs, secrets, ids, the plan a create names; and how a rejected value is shown. A provider's own rules (its name
/// and image formats) stay in its folder (<c>Providers/&lt;Name&gt;/&lt;Name&gt;Validation.cs</c>); the settings'
/// problems are gathered by <see cref="OptionProblems"/>.
/// </summary>
internal static class InputRules
{
    /// <summary>
    /// Credentials only travel over HTTPS. Plain HTTP is accepted for loopback addresses alone, where the
    /// sandbox and tests run.
    /// </summary>
    public static Uri RequireHttps(Uri? url, string field)
    {
        if (url is null) throw new ArgumentException($"{field} is required.", field);
        if (!url.IsAbsoluteUri) throw new ArgumentException($"{field} must be an absolute URL, not '{url}'.", field);
        if (url.Scheme == Uri.UriSchemeHttps) return url;
        if (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url)) return url;
        // Scheme and host only: user-info in a URL may hold a password.
        throw new ArgumentException($"{field} must use https (plain http is allowed only for loopback addresses): '{url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}'.", field);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>A secret that goes into a header must be one line of visible characters; the message never shows it.</summary>
    public static string RequireHeaderSecret(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{field} is required.", field);
        var trimmed = value.Trim();
        foreach (var c in trimmed)
            if (char.IsControl(c) || c > '\u007e')
                throw new ArgumentException($"{field} contains a control or non-ASCII character (the value is not shown).", field);
        return trimmed;
    }

    /// <summary>A provider-issued id that goes into a URL path: no separators, dots-only names or control characters.</summary>
    public static string RequireSafeId(string? id, string field, string? provider)
    {
        if (string.IsNullOrWhiteSpace(id)) throw GpuCloudException.Invalid(field, "an id is required.", provider);
        if (id.Length > 200) throw GpuCloudException.Invalid(field, "is too long to be an id.", provider);
        foreach (var c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || id is "." or "..")
                throw GpuCloudException.Invalid(field, $"'{Printable(id)}' is not a valid id (letters, digits, '-', '_' and '.' only).", provider);
        return id;
    }

    /// <summary>The plan id of <paramref name="request"/>, which must name one, and a given plan must be <paramref name="provider"/>'s.</summary>
    /// <exception cref="GpuCloudException">With <see cref="GpuCloudErrorCode.InvalidRequest"/>, before anything is sent.</exception>
    public static string PlanIdFor(CreateInstanceRequest request, string provider)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan is { } given && !string.Equals(given.Provider, provider, StringComparison.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Plan), $"the plan belongs to {given.Provider}, not {provider}.", provider);
        return request.TargetPlanId ?? throw GpuCloudException.Invalid(nameof(request.PlanId), "a plan is required.", provider);
    }

    /// <summary>Throws the one failure as it is, or all of them in one exception named after the first.</summary>
    public static void ThrowIfAny(IReadOnlyList<ArgumentException> problems)
    {
        if (problems.Count == 1) throw problems[0];
        if (problems.Count > 1) throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)), problems[0].ParamName);
    }

    /// <summary>Shows a user-supplied value in an error message without control characters.</summary>
    public static string Printable(string value)
    {
        var s = new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length > 60 ? s[..60] + "..." : s;
    }
}
