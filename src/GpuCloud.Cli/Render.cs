using System.Globalization;
using GpuCloud.Instances;
using GpuCloud.Plans;
using GpuCloud.SshKeys;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary>Tables for people; <see cref="CliJson"/> is for scripts.</summary>
internal static class Render
{
    public static IAnsiConsole Console(CliIo io) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(io.Out),
        Ansi = io.Redirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = io.Redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Interactive = io.Redirected ? InteractionSupport.No : InteractionSupport.Detect,
    }).Also(c => { if (io.Redirected) c.Profile.Width = 240; });

    private static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }

    public static string Gpu(GpuSpec? gpu) => gpu is null || gpu.Count == 0 ? "-"
        : $"{gpu.Count}x {gpu.Model}" + (gpu.MemoryGiB is { } m ? $" {m.ToString("0.#", CultureInfo.InvariantCulture)}GB" : "")
          + (gpu.Interconnect == GpuInterconnect.Unknown ? "" : $" {gpu.Interconnect}");

    public static string Price(decimal? price, string? currency) =>
        price is { } p ? $"{p.ToString("0.00##", CultureInfo.InvariantCulture)} {currency}".Trim() : "n/a";

    private static string Num(double? v) => v is { } x ? x.ToString("0.#", CultureInfo.InvariantCulture) : "-";

    public static Table Plans(IReadOnlyList<GpuPlan> plans)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("#", "Provider", "GPU", "vCPU", "RAM GiB", "Disk GiB", "Price/h", "Where", "Workload", "Avail", "Plan id");
        for (var i = 0; i < plans.Count; i++)
        {
            var p = plans[i];
            table.AddRow(
                (i + 1).ToString(CultureInfo.InvariantCulture), p.Provider, Markup.Escape(Gpu(p.Gpu)), p.VCpus?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Num(p.MemoryGiB), Num(p.StorageGiB), Markup.Escape(Price(p.PricePerHour, p.Currency)),
                Markup.Escape(string.Join(",", p.Locations)), p.Workload.ToString(),
                p.Availability switch { PlanAvailability.Available => p.AvailableCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : "yes", PlanAvailability.Unavailable => "no", _ => "?" },
                Markup.Escape(p.Id));
        }
        return table;
    }

    public static Table Instances(IReadOnlyList<GpuInstance> instances)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Provider", "Id", "Name", "State", "Provider state", "GPU", "Where", "Address", "SSH", "Price/h");
        foreach (var i in instances)
        {
            table.AddRow(i.Provider, Markup.Escape(i.Id), Markup.Escape(i.Name), i.State.ToString(), Markup.Escape(i.ProviderState), Markup.Escape(Gpu(i.Gpu)),
                Markup.Escape(i.Region ?? i.Location ?? "-"), Markup.Escape(i.PublicAddress ?? i.PrivateIp ?? "-"),
                Markup.Escape(i.Ssh?.Command ?? "-"), Markup.Escape(Price(i.PricePerHour, i.Currency)));
        }
        return table;
    }

    public static Table Keys(IReadOnlyList<SshKey> keys)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Provider", "Id", "Name", "Type", "Fingerprint");
        foreach (var k in keys)
            table.AddRow(k.Provider, Markup.Escape(k.Id), Markup.Escape(k.Name), k.Algorithm, k.Fingerprint);
        return table;
    }
}
