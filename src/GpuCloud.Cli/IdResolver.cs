namespace GpuCloud.Cli;

/// <summary>
/// Turns an id as typed (a full id, or a unique prefix of it or of its local part, see <see cref="ShortIds"/>) into the one full
/// id it names, by listing the provider's items. An ambiguous prefix is a usage error listing the candidates, so nothing is
/// ever started, stopped or deleted on a guess.
/// </summary>
internal static class IdResolver
{
    private const int CandidatesShown = 5;

    /// <summary>An instance id on <paramref name="provider"/>.</summary>
    public static async Task<string> InstanceAsync(GpuCloudClient client, string provider, string given, CancellationToken ct)
    {
        // A full id needs no listing: the facade checks it before any request, and its "already gone" rules stay as they are.
        given = ShortIds.WithoutEllipsis(given);
        if (IsCompleteInstanceId(given)) return given;
        RequireSafe(given, "instanceId", provider);
        var instances = await client.ListInstancesAsync(provider, ct).ConfigureAwait(false);
        return Pick(instances.Select(i => i.Id), given, "instance", provider)
            ?? throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"no instance on {provider} matches '{given}' (see 'gpucloud instances list --provider {provider}').", provider);
    }

    /// <summary>An SSH key on <paramref name="provider"/> by its id or a unique prefix of it; <see cref="GpuCloudErrorCode.NotFound"/> when none matches.</summary>
    public static async Task<SshKey> KeyAsync(GpuCloudClient client, string provider, string given, CancellationToken ct)
    {
        given = ShortIds.WithoutEllipsis(given);
        RequireSafe(given, "keyId", provider);
        var keys = await client.ListSshKeysAsync(provider, ct).ConfigureAwait(false);
        var id = Pick(keys.Select(k => k.Id), given, "key", provider)
            ?? throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"no SSH key on {provider} matches '{given}' (see 'gpucloud keys list --provider {provider}').", provider);
        return keys.First(k => k.Id == id);
    }

    /// <summary>
    /// A plan on <paramref name="provider"/>, with the plan when the listing has it (so its workload is known);
    /// <paramref name="location"/>, when given, narrows a plan offered in several regions.
    /// </summary>
    public static async Task<(string Id, GpuPlan? Plan)> PlanAsync(GpuCloudClient client, string provider, string given, string? location, CancellationToken ct)
    {
        given = ShortIds.WithoutEllipsis(given);
        RequireSafe(given, "--plan", provider);
        var found = await client.ListPlansAsync(new PlanQuery { Providers = [provider] }, ct).ConfigureAwait(false);
        if (found.Plans.FirstOrDefault(p => string.Equals(p.Id, given, StringComparison.Ordinal)) is { } exact) return (exact.Id, exact);
        var plans = found.Plans.Where(p => location is null || string.Equals(p.Region, location, StringComparison.OrdinalIgnoreCase)
            || p.Locations.Contains(location, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (Pick(plans.Select(p => p.Id), given, "plan", provider, location is null ? " or add --location" : "") is { } picked)
            return (picked, plans.First(p => p.Id == picked));
        // A full id the listing does not have (a region that did not answer): the provider is the judge.
        if (given.IndexOfAny([':', '/']) > 0) return (given, null);
        throw new GpuCloudException(GpuCloudErrorCode.NotFound,
            $"no plan on {provider} matches '{given}'{(location is null ? "" : " in " + location)} (see 'gpucloud plans --provider {provider}').", provider);
    }

    /// <summary>The id <paramref name="given"/> names among <paramref name="ids"/>, null when none; throws when several.</summary>
    internal static string? Pick(IEnumerable<string> ids, string given, string what, string provider, string narrowing = "")
    {
        var all = ids.Distinct(StringComparer.Ordinal).ToArray();
        // Exactly as listed first: Fluidstack key names are case-sensitive ids, "Laptop" and "laptop" are two keys.
        if (all.FirstOrDefault(id => string.Equals(id, given, StringComparison.Ordinal)) is { } exact) return exact;
        var matches = all.Where(id => ShortIds.Matches(id, given)).ToArray();
        if (matches.Length == 1) return matches[0];
        if (matches.Length == 0) return null;
        var listed = string.Join(", ", matches.Take(CandidatesShown)) + (matches.Length > CandidatesShown ? $" and {matches.Length - CandidatesShown} more" : "");
        throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
            $"'{given}' matches {matches.Length} {what}s on {provider}: {listed}; give more of the id{narrowing}.", provider);
    }

    /// <summary>Fluence's <c>container:&lt;uuid&gt;</c>, Fluidstack's <c>region/&lt;uuid&gt;</c>: a routing part and a whole UUID.</summary>
    private static bool IsCompleteInstanceId(string id) =>
        id.IndexOfAny([':', '/']) > 0 && ShortIds.Local(id) is { Length: 36 } local && Guid.TryParse(local, out _);

    // What no id has: checked before listing, so a path or a stray character is a usage error before any request.
    private static void RequireSafe(string given, string field, string provider)
    {
        // One routing part at most: Fluence's "kind:", Fluidstack's "region/".
        var separators = given.Count(c => c is ':' or '/');
        if (given.Length == 0 || separators > 1 || given.Contains("..", StringComparison.Ordinal)
            || given.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/')))
            throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest, $"{field}: '{Printable(given)}' is not an id, nor the start of one.", provider) { Field = field };
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(80).ToArray());
}
