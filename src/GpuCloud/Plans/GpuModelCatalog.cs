using System.Globalization;
using System.Text.RegularExpressions;

namespace GpuCloud;

/// <summary>
/// The canonical GPU table. Providers name GPUs in their own ways (Fluence <c>{model:"h200", vram:"141Gi"}</c>,
/// Fluidstack <c>GH100_H100_SXM5_80GB</c> or <c>h100-hgx-80gb.8x</c>); <see cref="Parse"/> maps them all to
/// one <see cref="GpuSpec"/>. A name it does not know comes back as it was, never as an error.
/// </summary>
public static partial class GpuModelCatalog
{
    private sealed record Known(string Model, string Vendor, double[] MemoriesGiB, string[] Aliases, string[]? DieCodes = null);

    // Aliases are compact (lower case, no separators); memory sizes are the ones the model ships with.
    private static readonly Known[] Table =
    [
        new("B200", "nvidia", [180, 192], ["b200"]),
        new("GH200", "nvidia", [96, 144], ["gh200"]),
        new("H200 NVL", "nvidia", [141], ["h200nvl"]),
        new("H200", "nvidia", [141], ["h200"]),
        new("H100 NVL", "nvidia", [94], ["h100nvl"]),
        // GH100 is the die of the H100 and of the H200 too (GH100_H200_SXM5_141GB): only a name without a model says H100.
        new("H100", "nvidia", [80], ["h100"], ["gh100"]),
        new("A100", "nvidia", [40, 80], ["a100"], ["ga100"]),
        new("L40S", "nvidia", [48], ["l40s"]),
        new("L40", "nvidia", [48], ["l40"]),
        new("L4", "nvidia", [24], ["l4"]),
        new("A10G", "nvidia", [24], ["a10g"]),
        new("A10", "nvidia", [24], ["a10"]),
        new("A40", "nvidia", [48], ["a40"]),
        new("A30", "nvidia", [24], ["a30"]),
        new("A16", "nvidia", [16], ["a16"]),
        new("V100", "nvidia", [16, 32], ["v100"]),
        new("T4", "nvidia", [16], ["t4"]),
        new("RTX 6000 Ada", "nvidia", [48], ["rtx6000ada", "6000ada", "rtx6000adageneration", "rtxa6000ada", "a6000ada"]),
        new("RTX 5090", "nvidia", [32], ["rtx5090", "5090"]),
        new("RTX 4090", "nvidia", [24], ["rtx4090", "4090", "geforcertx4090"]),
        new("RTX 3090", "nvidia", [24], ["rtx3090", "3090"]),
        new("RTX A6000", "nvidia", [48], ["rtxa6000", "a6000"]),
        new("RTX A5000", "nvidia", [24], ["rtxa5000", "a5000"]),
        new("RTX A4000", "nvidia", [16], ["rtxa4000", "a4000"]),
        new("MI300X", "amd", [192], ["mi300x"]),
        new("MI250X", "amd", [128], ["mi250x"]),
    ];

    private static readonly Dictionary<string, Known> ByAlias =
        Table.SelectMany(k => k.Aliases.Select(a => (a, k))).ToDictionary(p => p.a, p => p.k, StringComparer.Ordinal);

    private static readonly Dictionary<string, Known> ByDieCode =
        Table.SelectMany(k => (k.DieCodes ?? []).Select(a => (a, k))).ToDictionary(p => p.a, p => p.k, StringComparer.Ordinal);

    private static readonly Dictionary<string, Known> ByModel =
        Table.ToDictionary(k => k.Model, k => k, StringComparer.OrdinalIgnoreCase);

    /// <summary>The canonical model names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(k => k.Model).ToArray();

    /// <summary>
    /// Normalizes a provider's GPU description. Every argument is optional; what the name says (e.g. the
    /// <c>SXM5</c> and <c>80GB</c> in <c>GH100_H100_SXM5_80GB</c>) is used when the explicit one is missing.
    /// </summary>
    /// <param name="rawName">The provider's model name or type name.</param>
    /// <param name="count">How many GPUs.</param>
    /// <param name="vendor">The provider's vendor, if it states one.</param>
    /// <param name="memory">Memory per GPU as the provider writes it (<c>141Gi</c>, <c>80GB</c>, <c>24</c>).</param>
    /// <param name="interconnect">The provider's interface (<c>SXM</c>, <c>pcie</c>), if it states one.</param>
    public static GpuSpec Parse(string? rawName, int count, string? vendor = null, string? memory = null, string? interconnect = null)
    {
        // Lists repeat a handful of GPU descriptions thousands of times; parsing is regex work, so results are
        // kept (GpuSpec is immutable; without the cache 1,000 instances allocate 21% more, see the benchmarks'
        // RESULTS.md). The cap bounds memory whatever names a provider invents.
        return Cache.GetOrAdd((rawName, count, vendor, memory, interconnect),
            static (k, _) => ParseUncached(k.Item1, k.Item2, k.Item3, k.Item4, k.Item5), 0);
    }

    private static readonly BoundedCache<(string?, int, string?, string?, string?), GpuSpec> Cache = new(4096);

    private static GpuSpec ParseUncached(string? rawName, int count, string? vendor, string? memory, string? interconnect)
    {
        if (string.IsNullOrWhiteSpace(rawName)) return GpuSpec.None with { Count = count, Vendor = Lower(vendor) };
        var tokens = Tokens(rawName);
        var known = Match(tokens);
        var memoryGiB = ParseMemoryGiB(memory) ?? tokens.Select(ParseMemoryToken).FirstOrDefault(m => m is not null);
        var link = ParseInterconnect(interconnect);
        if (link == GpuInterconnect.Unknown) link = InterconnectFromTokens(tokens);

        if (known is null)
            return new GpuSpec(Lower(vendor), rawName.Trim(), memoryGiB, link, count);

        return new GpuSpec(Lower(vendor) ?? known.Vendor, known.Model, Snap(known, memoryGiB), link, count) { IsKnownModel = true };
    }

    /// <summary>
    /// Reads a GPU filter as a user writes it (<c>h100</c>, <c>H100-SXM</c>, <c>a100-80gb</c>, <c>RTX 4090</c>):
    /// the model, and the interconnect and memory when the text names them.
    /// </summary>
    /// <param name="text">The filter text.</param>
    /// <returns>The parsed filter; <see cref="GpuSpec.IsKnownModel"/> says whether the model was recognized.</returns>
    public static GpuSpec ParseFilter(string text) => Parse(text, 0);

    /// <summary>Whether a GPU matches a filter from <see cref="ParseFilter"/>: same model, and same memory and interconnect where the filter names them.</summary>
    internal static bool Matches(GpuSpec gpu, GpuSpec filter)
    {
        // Canonical names compare as they are; only raw provider names need tokenizing (per plan: tokenizing
        // every plan's model adds 28% to a GPU-filtered search's allocations, RESULTS.md).
        var sameModel = gpu.IsKnownModel && filter.IsKnownModel
            ? string.Equals(gpu.Model, filter.Model, StringComparison.Ordinal)
            : string.Equals(Compact(gpu.Model), Compact(filter.Model), StringComparison.Ordinal);
        if (!sameModel) return false;
        if (filter.Interconnect != GpuInterconnect.Unknown && gpu.Interconnect != filter.Interconnect
            && !(filter.Interconnect == GpuInterconnect.NVLink && gpu.Interconnect == GpuInterconnect.SXM)) return false;
        if (filter.MemoryGiB is { } m && gpu.MemoryGiB is { } g && Math.Abs(g - m) > m * 0.07) return false;
        return true;
    }

    private static Known? Match(IReadOnlyList<string> tokens)
    {
        // Longest run of adjacent tokens first, so "rtx 6000 ada" beats "rtx 6000" and "l40s" beats "l40".
        for (var width = Math.Min(4, tokens.Count); width >= 1; width--)
            for (var i = 0; i + width <= tokens.Count; i++)
            {
                var joined = string.Concat(tokens.Skip(i).Take(width));
                if (ByAlias.TryGetValue(joined, out var k)) return k;
                if (width == 1 && ByModel.TryGetValue(joined, out k)) return k;
            }
        // A die code names the model only when no product name does: GH100_H200_SXM5_141GB is an H200.
        foreach (var token in tokens)
            if (ByDieCode.TryGetValue(token, out var k)) return k;
        return null;
    }

    private static double? Snap(Known known, double? memory)
    {
        if (memory is not { } m) return known.MemoriesGiB.Length == 1 ? known.MemoriesGiB[0] : null;
        // Providers report memory imprecisely (e.g. 79.6 or 22 for 80 and 24, GB for GiB): take the nearest size within 10%.
        var nearest = known.MemoriesGiB.MinBy(s => Math.Abs(s - m));
        return Math.Abs(nearest - m) <= nearest * 0.10 ? nearest : m;
    }

    private static List<string> Tokens(string raw)
    {
        var list = new List<string>();
        foreach (var part in Separators().Split(raw.ToLowerInvariant()))
        {
            if (part.Length == 0) continue;
            // "8x" (a Fluidstack count suffix) says nothing about the model.
            if (CountSuffix().IsMatch(part)) continue;
            list.Add(part);
        }
        return list;
    }

    private static string Compact(string model) => string.Concat(Tokens(model));

    /// <summary>Parses a memory size such as <c>141Gi</c>, <c>80GB</c>, <c>24</c> into GiB.</summary>
    internal static double? ParseMemoryGiB(string? text)
    {
        // By hand rather than a regex: Fluidstack sends one of these per instance type, and a regex Match nearly
        // doubles what listing 200 types allocates (RESULTS.md). The shape is digits, an optional fraction,
        // optional spaces, then ASCII letters for the unit.
        var s = text.AsSpan().Trim();
        var end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        if (end == 0) return null;
        if (end < s.Length && s[end] == '.')
        {
            var fraction = end + 1;
            while (fraction < s.Length && char.IsAsciiDigit(s[fraction])) fraction++;
            if (fraction == end + 1) return null;
            end = fraction;
        }
        var value = double.Parse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var unit = s[end..].TrimStart();
        foreach (var c in unit)
            if (!char.IsAsciiLetter(c)) return null;
        if (unit.IsEmpty || IsAny(unit, "g", "gi", "gib", "gb")) return value;
        if (IsAny(unit, "t", "ti", "tib", "tb")) return value * 1024;
        if (IsAny(unit, "m", "mi", "mib", "mb")) return value / 1024;
        return null;
    }

    private static bool IsAny(ReadOnlySpan<char> unit, string a, string b, string c, string d) =>
        unit.Equals(a, StringComparison.OrdinalIgnoreCase) || unit.Equals(b, StringComparison.OrdinalIgnoreCase)
        || unit.Equals(c, StringComparison.OrdinalIgnoreCase) || unit.Equals(d, StringComparison.OrdinalIgnoreCase);

    private static double? ParseMemoryToken(string token) =>
        MemoryToken().IsMatch(token) ? ParseMemoryGiB(token) : null;

    private static GpuInterconnect ParseInterconnect(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => GpuInterconnect.Unknown,
        var t when t.StartsWith("sxm", StringComparison.Ordinal) || t == "hgx" => GpuInterconnect.SXM,
        var t when t.StartsWith("pci", StringComparison.Ordinal) => GpuInterconnect.PCIe,
        "nvlink" or "nvl" => GpuInterconnect.NVLink,
        _ => GpuInterconnect.Unknown,
    };

    private static GpuInterconnect InterconnectFromTokens(IEnumerable<string> tokens)
    {
        foreach (var t in tokens)
        {
            var link = ParseInterconnect(t);
            if (link != GpuInterconnect.Unknown) return link;
        }
        return GpuInterconnect.Unknown;
    }

    private static string? Lower(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim().ToLowerInvariant();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\d+x$")]
    private static partial Regex CountSuffix();

    [GeneratedRegex(@"^\d+(gb|gib|gi|g)$")]
    private static partial Regex MemoryToken();
}
