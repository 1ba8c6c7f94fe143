using System.CommandLine;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary><c>gpucloud plans</c>, and the plan filters shared with <c>gpucloud run</c>.</summary>
internal static class PlansCommand
{
    public sealed class Filters
    {
        public Option<string[]> Provider { get; } = new("--provider") { Description = "Only this provider (fluence, fluidstack); repeatable.", AllowMultipleArgumentsPerToken = false };
        public Option<string[]> Gpu { get; } = new("--gpu") { Description = "GPU model, e.g. H100, h100-sxm, a100-80gb, \"RTX 4090\"; repeatable." };
        public Option<int?> MinGpus { get; } = new("--min-gpus") { Description = "At least this many GPUs." };
        public Option<double?> MinGpuMemory { get; } = new("--min-gpu-memory") { Description = "At least this many GiB per GPU." };
        public Option<double?> MinTotalGpuMemory { get; } = new("--min-total-gpu-memory") { Description = "At least this many GiB of GPU memory in all." };
        public Option<int?> MinVCpus { get; } = new("--min-vcpus") { Description = "At least this many vCPUs." };
        public Option<double?> MinMemory { get; } = new("--min-memory") { Description = "At least this many GiB of RAM." };
        public Option<double?> MinStorage { get; } = new("--min-storage") { Description = "At least this many GiB of disk." };
        public Option<decimal?> MaxPrice { get; } = new("--max-price") { Description = "At most this price per hour." };
        public Option<string?> Location { get; } = new("--location") { Description = "Country code, data center or region, e.g. US, eu-north-1." };
        public Option<WorkloadType?> Workload { get; } = new("--workload")
        {
            Description = "Container, VirtualMachine or BareMetal (or CT, VM, BM, as the plan table shows them).",
            CustomParser = ParseWorkload,
        };
        public Option<GpuInterconnect?> Interconnect { get; } = new("--interconnect") { Description = "PCIe, SXM or NVLink.", CustomParser = ParseInterconnect };

        // Unknown is what a plan says when the provider did not tell; it is no choice to filter on.
        private static GpuInterconnect? ParseInterconnect(System.CommandLine.Parsing.ArgumentResult result)
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (Enum.TryParse<GpuInterconnect>(text, ignoreCase: true, out var parsed) && parsed != GpuInterconnect.Unknown && Enum.IsDefined(parsed) && !int.TryParse(text, out _))
                return parsed;
            result.AddError($"--interconnect: '{text}' is not one of PCIe, SXM, NVLink.");
            return null;
        }
        public Option<bool> Available { get; } = new("--available") { Description = "Leave out plans reported unavailable." };

        // The table's short forms are accepted too: what a person reads there is what they type.
        private static WorkloadType? ParseWorkload(System.CommandLine.Parsing.ArgumentResult result)
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            WorkloadType? value = text.ToUpperInvariant() switch
            {
                "CT" => WorkloadType.Container,
                "VM" => WorkloadType.VirtualMachine,
                "BM" => WorkloadType.BareMetal,
                _ => Enum.TryParse<WorkloadType>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _) ? parsed : null,
            };
            if (value is null) result.AddError($"--workload: '{text}' is not one of Container, VirtualMachine, BareMetal (CT, VM, BM).");
            return value;
        }

        public Filters()
        {
            // Out-of-range numbers are usage errors naming the option as typed, before anything is searched.
            CliApp.AtLeast(MinGpus, 0);
            CliApp.AtLeast(MinGpuMemory, 0);
            CliApp.AtLeast(MinTotalGpuMemory, 0);
            CliApp.AtLeast(MinVCpus, 0);
            CliApp.AtLeast(MinMemory, 0);
            CliApp.AtLeast(MinStorage, 0);
            CliApp.AtLeast(MaxPrice, 0);
            Interconnect.CompletionSources.Clear();
            Interconnect.CompletionSources.Add("PCIe", "SXM", "NVLink");
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Provider, Gpu, MinGpus, MinGpuMemory, MinTotalGpuMemory, MinVCpus, MinMemory, MinStorage, MaxPrice, Location, Workload, Interconnect, Available })
                command.Options.Add(option);
        }

        /// <summary>The query; a provider name that is not configured is a usage error (it would only filter everything out).</summary>
        public PlanQuery Query(ParseResult parse, CliSession session)
        {
            var known = session.Client.Providers.Select(p => p.Name).ToArray();
            foreach (var name in parse.GetValue(Provider) ?? [])
            {
                if (known.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
                var why = session.Client.DisabledProviders.TryGetValue(name, out var reason) ? $" It is disabled: {reason}." : "";
                throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest, $"--provider: no provider named '{name}' is configured (configured: {string.Join(", ", known)}).{why}");
            }
            return Query(parse);
        }

        private PlanQuery Query(ParseResult parse) => new()
        {
            Providers = parse.GetValue(Provider) ?? [],
            GpuModels = parse.GetValue(Gpu) ?? [],
            MinGpuCount = parse.GetValue(MinGpus),
            MinGpuMemoryGiB = parse.GetValue(MinGpuMemory),
            MinTotalGpuMemoryGiB = parse.GetValue(MinTotalGpuMemory),
            MinVCpus = parse.GetValue(MinVCpus),
            MinMemoryGiB = parse.GetValue(MinMemory),
            MinStorageGiB = parse.GetValue(MinStorage),
            MaxPricePerHour = parse.GetValue(MaxPrice),
            Location = parse.GetValue(Location),
            Workload = parse.GetValue(Workload),
            Interconnect = parse.GetValue(Interconnect),
            OnlyAvailable = parse.GetValue(Available),
        };
    }

    public static Command Create(CliIo io)
    {
        var filters = new Filters();
        var limit = new Option<int>("--limit") { Description = "Show at most this many plans (0: all).", DefaultValueFactory = _ => 50 };
        CliApp.AtLeast(limit, 0);
        var command = new Command("plans", "Search plans on every configured provider, cheapest first.");
        filters.AddTo(command);
        command.Options.Add(limit);
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var result = await session.Client.ListPlansAsync(filters.Query(parse, session), ct).ConfigureAwait(false);
            var max = parse.GetValue(limit);
            var shown = max > 0 ? result.Plans.Take(max).ToArray() : result.Plans.ToArray();
            var allFailed = AllFailed(session, filters.Query(parse, session), result);
            if (CliApp.Json(parse))
            {
                CliJson.Write(io.Out, new
                {
                    plans = shown,
                    total = result.Plans.Count,
                    leftOut = LeftOut(result.Plans, shown).Select(c => new { provider = c.Provider, count = c.Count, of = c.Of, unpriced = c.Unpriced }),
                    failures = result.Failures.Select(f => new { provider = f.Provider, region = f.Region, code = f.Error.Code, message = CliApp.Message(f.Error) }),
                });
                return allFailed ? ExitCodes.ProviderError : ExitCodes.Success;
            }
            var console = Render.Console(io);
            if (shown.Length == 0) console.WriteLine(allFailed ? "No plans: no provider could be searched." : $"No plans match on {Searched(session, filters.Query(parse, session), result)}.");
            else
            {
                Render.Plans(console, shown, CliApp.IsWide(parse), result.Plans);
                console.WriteLine($"{shown.Length} of {result.Plans.Count} matching plans, cheapest first, unpriced last{(CliApp.IsWide(parse) ? "." : " (--wide: every column, full ids).")}");
                if (LeftOutLine(result.Plans, shown, max) is { } cut) console.WriteLine(cut);
                if (!CliApp.IsWide(parse)) console.WriteLine(Render.PlanLegend);
            }
            WriteFailures(console, result.Failures);
            return allFailed ? ExitCodes.ProviderError : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What <c>--limit</c> left out, per provider: how many of its matching plans, and how many of those have no price.</summary>
    internal static IReadOnlyList<(string Provider, int Count, int Of, int Unpriced)> LeftOut(IReadOnlyList<GpuPlan> all, IReadOnlyCollection<GpuPlan> shown)
    {
        var kept = new HashSet<GpuPlan>(shown, ReferenceEqualityComparer.Instance);
        return all.GroupBy(p => p.Provider, StringComparer.Ordinal)
            .Select(g => (Provider: g.Key, Count: g.Count(p => !kept.Contains(p)), Of: g.Count(), Unpriced: g.Count(p => !kept.Contains(p) && p.PricePerHour is null)))
            .Where(c => c.Count > 0)
            .ToArray();
    }

    /// <summary>
    /// The footer line naming what <c>--limit</c> cut, per provider: a provider none of whose plans made the cut (unpriced plans
    /// sort last) must not vanish without a word.
    /// </summary>
    internal static string? LeftOutLine(IReadOnlyList<GpuPlan> all, IReadOnlyCollection<GpuPlan> shown, int limit)
    {
        var cut = LeftOut(all, shown);
        if (cut.Count == 0) return null;
        static string Part((string Provider, int Count, int Of, int Unpriced) c)
        {
            var notes = new List<string>();
            if (c.Count == c.Of) notes.Add("none shown");
            if (c.Unpriced > 0) notes.Add($"{c.Unpriced} unpriced");
            return $"{c.Provider} {c.Count} of {c.Of}" + (notes.Count > 0 ? $" ({string.Join("; ", notes)})" : "");
        }
        return $"left out by --limit {limit}: {string.Join(", ", cut.Select(Part))}; --limit 0 or --provider shows them.";
    }

    /// <summary>The providers a search covered, for "No plans match on fluence, fluidstack."</summary>
    internal static string Searched(CliSession session, PlanQuery query, PlanSearchResult result) =>
        string.Join(", ", session.Client.Providers.Select(p => p.Name)
            .Where(n => query.Providers.Count == 0 || query.Providers.Contains(n, StringComparer.OrdinalIgnoreCase))
            .Where(n => result.Failures.All(f => f.Provider != n || f.Region is not null)));

    /// <summary>
    /// Nothing was found and every searched provider failed, as a whole or in its regions: the search itself failed (exit 1),
    /// an empty list would be a wrong answer. When some provider answered, the failures are a footnote (exit 0).
    /// </summary>
    internal static bool AllFailed(CliSession session, PlanQuery query, PlanSearchResult result)
    {
        if (result.Failures.Count == 0 || result.Plans.Count > 0) return false;
        var searched = session.Client.Providers.Where(p => query.Providers.Count == 0 || query.Providers.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        return searched.All(p => result.Failures.Any(f => string.Equals(f.Provider, p.Name, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The table's footnote: one line per provider or region that could not be searched.</summary>
    internal static void WriteFailures(IAnsiConsole console, IReadOnlyList<ProviderFailure> failures)
    {
        foreach (var f in failures)
            console.WriteLine($"not searched: {f.Provider}{(f.Region is null ? "" : "/" + f.Region)}: {f.Error.Code}: {CliApp.Message(f.Error)}");
    }
}
