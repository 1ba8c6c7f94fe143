using System.Globalization;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary>
/// Tables for people (<see cref="CliJson"/> is for scripts): one line per row at the terminal's width, ids in their short form,
/// short cells with a legend; <c>wide</c> shows every column in full.
/// </summary>
internal static class Render
{
    /// <summary>The width of output that does not go to a terminal (a file, a pipe), unless the caller says otherwise.</summary>
    public const int RedirectedWidth = 240;

    public static IAnsiConsole Console(CliIo io) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(io.Out),
        Ansi = io.Redirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = io.Redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Interactive = io.Redirected ? InteractionSupport.No : InteractionSupport.Detect,
    }).Also(c =>
    {
        if (io.Width is { } width) c.Profile.Width = width;
        else if (io.Redirected) c.Profile.Width = RedirectedWidth;
    });

    private static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }

    /// <summary>The GPU in full: <c>8x H100 80GB SXM</c>.</summary>
    public static string Gpu(GpuSpec? gpu) => gpu is null || gpu.Count == 0 ? "-"
        : $"{gpu.Count}x {gpu.Model}" + (gpu.MemoryGiB is { } m ? $" {m.ToString("0.#", CultureInfo.InvariantCulture)}GB" : "")
          + (gpu.Interconnect == GpuInterconnect.Unknown ? "" : $" {gpu.Interconnect}");

    /// <summary>The GPU as a table cell: <c>8x H100 80G SXM</c>; PCIe, the common case, is left out.</summary>
    internal static string ShortGpu(GpuSpec? gpu) => gpu is null || gpu.Count == 0 ? "-"
        : $"{gpu.Count}x {gpu.Model}" + (gpu.MemoryGiB is { } m ? $" {m.ToString("0.#", CultureInfo.InvariantCulture)}G" : "")
          + (gpu.Interconnect is GpuInterconnect.SXM or GpuInterconnect.NVLink ? $" {gpu.Interconnect}" : "");

    public static string Price(decimal? price, string? currency) =>
        price is { } p ? $"{p.ToString("0.00##", CultureInfo.InvariantCulture)} {currency}".Trim() : "n/a";

    // A plan without a price says so: "-" reads as "nothing to pay".
    private static string PlanPrice(GpuPlan p, string? currencySuffix) => p.PricePerHour is null ? "unpriced" : Amount(p.PricePerHour) + currencySuffix;

    private static string Amount(decimal? price) => price is { } p ? p.ToString("0.00##", CultureInfo.InvariantCulture) : "-";

    private static string Num(double? v) => v is { } x ? x.ToString("0.#", CultureInfo.InvariantCulture) : "-";

    /// <summary>GiB as a short size: <c>48G</c>, <c>1.9T</c>, <c>30T</c>.</summary>
    private static string Size(double? gib) => gib switch
    {
        null => "-",
        < 1000 => gib.Value.ToString("0.#", CultureInfo.InvariantCulture) + "G",
        < 10_000 => (gib.Value / 1024).ToString("0.#", CultureInfo.InvariantCulture) + "T",
        _ => (gib.Value / 1024).ToString("0", CultureInfo.InvariantCulture) + "T",
    };

    private static string Kind(WorkloadType workload) => workload switch
    {
        WorkloadType.Container => "CT",
        WorkloadType.VirtualMachine => "VM",
        WorkloadType.BareMetal => "BM",
        _ => workload.ToString(),
    };

    /// <summary>Two locations, then a count: <c>FR,FI +1</c>.</summary>
    private static string Where(IReadOnlyList<string> locations) => locations.Count switch
    {
        0 => "-",
        <= 2 => string.Join(",", locations),
        _ => $"{locations[0]},{locations[1]} +{locations.Count - 2}",
    };

    private static string Availability(GpuPlan p) => p.Availability switch
    {
        PlanAvailability.Available => p.AvailableCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : "yes",
        PlanAvailability.Unavailable => "no",
        _ => "?",
    };

    /// <summary>Short ids per provider, unique among <paramref name="ids"/>.</summary>
    private static Func<string, string, string> ShortIdsOf(IEnumerable<(string Provider, string Id)> ids)
    {
        var byProvider = ids.GroupBy(x => x.Provider, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => ShortIds.Shorten(g.Select(x => x.Id)), StringComparer.OrdinalIgnoreCase);
        return (provider, id) => byProvider.TryGetValue(provider, out var map) && map.TryGetValue(id, out var s) ? s : id;
    }

    /// <summary>
    /// The plan table. Short ids are unique among <paramref name="among"/> (every matching plan, not only the ones shown);
    /// prices go without a currency in the cells when every priced plan has the same one (it is in the header).
    /// </summary>
    public static void Plans(IAnsiConsole console, IReadOnlyList<GpuPlan> plans, bool wide, IReadOnlyList<GpuPlan>? among = null)
    {
        var shortId = ShortIdsOf((among ?? plans).Concat(plans).Select(p => (p.Provider, p.Id)));
        var currencies = plans.Where(p => p.PricePerHour is not null).Select(p => p.Currency ?? "").Distinct(StringComparer.Ordinal).ToArray();
        var oneCurrency = currencies.Length == 1 && currencies[0].Length > 0 ? currencies[0] : null;
        var index = new Dictionary<GpuPlan, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plans.Count; i++) index.TryAdd(plans[i], i + 1);
        FitColumn<GpuPlan>[] columns = wide
            ?
            [
                new("#", p => index[p].ToString(CultureInfo.InvariantCulture)) { Right = true },
                new("Provider", p => p.Provider),
                new("Plan id", p => p.Id),
                new("Name", p => p.Name),
                new("GPU", p => Gpu(p.Gpu)),
                new("vCPU", p => p.VCpus?.ToString(CultureInfo.InvariantCulture) ?? "-") { Right = true },
                new("RAM GiB", p => Num(p.MemoryGiB)) { Right = true },
                new("Disk GiB", p => Num(p.StorageGiB)) { Right = true },
                new("Price/h", p => PlanPrice(p, p.Currency is null ? null : " " + p.Currency) + (p.IsPriceConfigured ? " (configured)" : "")) { Right = true },
                new("Where", p => string.Join(",", p.Locations)),
                new("Workload", p => p.Workload.ToString()),
                new("Avail", Availability) { Right = true },
            ]
            :
            [
                new("Provider", p => p.Provider),
                new("Id", p => shortId(p.Provider, p.Id)),
                new("GPU", p => ShortGpu(p.Gpu)),
                new("CPU", p => p.VCpus?.ToString(CultureInfo.InvariantCulture) ?? "-") { Right = true, Priority = 3 },
                new("RAM", p => Size(p.MemoryGiB)) { Right = true, Priority = 2 },
                new("Disk", p => Size(p.StorageGiB)) { Right = true, Priority = 4 },
                new(oneCurrency is null ? "Price/h" : oneCurrency + "/h", p => PlanPrice(p, oneCurrency is null && p.Currency is not null ? " " + p.Currency : null)) { Right = true },
                new("Type", p => Kind(p.Workload)),
                new("Avail", Availability) { Right = true, Priority = 3 },
                new("Where", p => Where(p.Locations)) { MinWidth = 8 },
            ];
        FitTable.Write(console, plans, columns, wide);
    }

    /// <summary>The legend under a short plan table.</summary>
    public const string PlanLegend = "Type: CT container, VM virtual machine, BM bare metal. Avail ?: not reported.";

    /// <param name="console">Where to write.</param>
    /// <param name="instances">The rows.</param>
    /// <param name="wide">Every column in full.</param>
    /// <param name="among">The ids short ids must stay unique among.</param>
    /// <param name="now">When given, age, cost so far and whether GpuCloud created each instance are shown too (the list's view).</param>
    public static void Instances(IAnsiConsole console, IReadOnlyList<GpuInstance> instances, bool wide, IReadOnlyList<GpuInstance>? among = null, DateTimeOffset? now = null)
    {
        var shortId = ShortIdsOf((among ?? instances).Concat(instances).Select(i => (i.Provider, i.Id)));
        FitColumn<GpuInstance>[] columns = wide
            ?
            [
                new("Provider", i => i.Provider),
                new("Id", i => i.Id),
                new("Name", i => i.Name),
                new("State", i => i.State.ToString()),
                new("Provider state", i => i.ProviderState),
                new("GPU", i => Gpu(i.Gpu)),
                new("Where", i => i.Region ?? i.Location ?? "-"),
                new("Address", i => i.PublicAddress ?? i.PrivateIp ?? "-"),
                new("SSH", i => i.Ssh?.Command ?? "-"),
                new("Price/h", i => Price(i.PricePerHour, i.Currency)) { Right = true },
            ]
            :
            [
                new("Provider", i => i.Provider),
                new("Id", i => shortId(i.Provider, i.Id)),
                new("Name", i => i.Name) { MinWidth = 12 },
                new("State", i => i.State.ToString()),
                new("GPU", i => ShortGpu(i.Gpu)) { Priority = 2, MinWidth = 11 },
                new("Where", i => i.Region ?? i.Location ?? "-") { Priority = 3, MinWidth = 8 },
                new("Price/h", i => Price(i.PricePerHour, i.Currency)) { Right = true, Priority = 4 },
                new("SSH", i => i.Ssh?.Command ?? "-") { Priority = 1 },
            ];
        if (now is { } at)
        {
            FitColumn<GpuInstance>[] owned =
            [
                new("Age", i => i.AgeAt(at) is { } age ? Durations.Short(age) : "?") { Right = true, Priority = wide ? 0 : 6 },
                new("Cost so far", i => i.CostSoFarAt(at) is { } cost ? Price(cost, i.Currency) : "?") { Right = true, Priority = wide ? 0 : 7 },
                // Who made it through GpuCloud: "-" for an instance GpuCloud did not make, "?" when no journal could tell.
                new("Owner", i => i.CreatedBy ?? (i.CreatedByGpuCloud switch { true => "GpuCloud", false => "-", null => "?" })) { Priority = wide ? 0 : 5 },
            ];
            columns = [.. columns, .. owned];
        }
        FitTable.Write(console, instances, columns, wide);
    }

    /// <summary>What a sweep found: whose, why, how old and what it has cost so far.</summary>
    public static void Owned(IAnsiConsole console, IReadOnlyList<OwnedInstance> owned, bool wide)
    {
        var shortId = ShortIdsOf(owned.Select(o => (o.Instance.Provider, o.Instance.Id)));
        FitColumn<OwnedInstance>[] columns =
        [
            new("Provider", o => o.Instance.Provider),
            new("Id", o => wide ? o.Instance.Id : shortId(o.Instance.Provider, o.Instance.Id)),
            new("Name", o => o.Instance.Name) { MinWidth = 12 },
            new("Reason", o => o.Reason.ToString()),
            new("Age", o => Durations.Short(o.Age)) { Right = true },
            new("Cost so far", o => o.CostSoFar is null ? "?" : Price(o.CostSoFar, o.Currency)) { Right = true, Priority = 1 },
            new("Owner", o => o.Create?.Owner ?? o.Instance.CreatedBy ?? "?") { Priority = 2 },
        ];
        FitTable.Write(console, owned, columns, wide);
    }

    /// <summary>The key's algorithm without its boilerplate: <c>ed25519</c>, <c>rsa</c>, <c>ecdsa-256</c>.</summary>
    private static string KeyType(string algorithm) =>
        algorithm.Replace("@openssh.com", "", StringComparison.Ordinal).Replace("ecdsa-sha2-nistp", "ecdsa-", StringComparison.Ordinal)
            .Replace("ssh-", "", StringComparison.Ordinal);

    public static void Keys(IAnsiConsole console, IReadOnlyList<SshKey> keys, bool wide, IReadOnlyList<SshKey>? among = null)
    {
        var shortId = ShortIdsOf((among ?? keys).Concat(keys).Select(k => (k.Provider, k.Id)));
        FitColumn<SshKey>[] columns = wide
            ? [new("Provider", k => k.Provider), new("Id", k => k.Id), new("Name", k => k.Name), new("Type", k => k.Algorithm), new("Fingerprint", k => k.Fingerprint)]
            :
            [
                new("Provider", k => k.Provider),
                new("Id", k => shortId(k.Provider, k.Id)),
                new("Name", k => k.Name) { MinWidth = 12, Priority = 1 },
                new("Type", k => KeyType(k.Algorithm)),
                new("Fingerprint", k => k.Fingerprint) { MinWidth = 20 },
            ];
        FitTable.Write(console, keys, columns, wide);
    }
}
