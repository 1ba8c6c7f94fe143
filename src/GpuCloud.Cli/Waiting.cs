using System.CommandLine;
using GpuCloud.Instances;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary>Waits with live progress: a spinner on a terminal, one line per state change otherwise (nothing on stdout with --output json).</summary>
internal static class Waiting
{
    public static async Task<GpuInstance> UntilAsync(CliIo io, ParseResult parse, GpuCloudClient client, GpuInstance instance,
        InstanceState target, TimeSpan timeout, CancellationToken ct)
    {
        var json = CliApp.Json(parse);
        if (json || io.Redirected)
        {
            var progress = new StateLines(json ? io.Error : io.Out);
            return await client.WaitForStateAsync(instance.Provider, instance.Id, target, timeout, progress, ct).ConfigureAwait(false);
        }
        return await Render.Console(io).Status().Spinner(Spinner.Known.Dots).StartAsync($"waiting for {Markup.Escape(instance.Name)} to be {target}...", async ctx =>
        {
            var progress = new Progress<GpuInstance>(i => ctx.Status(Markup.Escape($"{i.Name}: {i.State} ({i.ProviderState}){(i.State == InstanceState.Running && !i.IsReady ? ", waiting for an address" : "")}")));
            return await client.WaitForStateAsync(instance.Provider, instance.Id, target, timeout, progress, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Writes a line whenever the state changes (synchronously, so lines keep their order).</summary>
    internal sealed class StateLines(TextWriter writer) : IProgress<GpuInstance>
    {
        private string? _last;

        public void Report(GpuInstance value)
        {
            var line = $"  {value.Name}: {value.State} ({value.ProviderState}){(value.State == InstanceState.Running && !value.IsReady ? ", waiting for an address" : "")}";
            if (line == _last) return;
            _last = line;
            writer.WriteLine(line);
        }
    }
}
