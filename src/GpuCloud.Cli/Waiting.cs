using System.CommandLine;
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
            var progress = new StateLines(json ? io.Error : io.Out, target);
            return await client.WaitForStateAsync(instance.Provider, instance.Id, target, timeout, progress, ct).ConfigureAwait(false);
        }
        return await Render.Console(io).Status().Spinner(Spinner.Known.Dots).StartAsync($"waiting for {Markup.Escape(instance.Name)} to be {target}...", async ctx =>
        {
            var progress = new Progress<GpuInstance>(i => ctx.Status(Markup.Escape($"{i.Name}: {i.State} ({i.ProviderState}){Waiting.For(i, target)}")));
            return await client.WaitForStateAsync(instance.Provider, instance.Id, target, timeout, progress, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>What a wait for running still waits for once the provider says running: an address, then SSH answering.</summary>
    internal static string For(GpuInstance i, InstanceState target) =>
        target != InstanceState.Running || i.State != InstanceState.Running ? ""
        : i.Ssh is { } ssh ? $", waiting for SSH at {ssh.Host}:{ssh.Port}" : ", waiting for an address";

    /// <summary>Writes a line whenever the state changes (synchronously, so lines keep their order).</summary>
    internal sealed class StateLines(TextWriter writer, InstanceState target = InstanceState.Running) : IProgress<GpuInstance>
    {
        private string? _last;

        public void Report(GpuInstance value)
        {
            var line = $"  {value.Name}: {value.State} ({value.ProviderState}){Waiting.For(value, target)}";
            if (line == _last) return;
            _last = line;
            writer.WriteLine(line);
        }
    }
}
