using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace GpuCloud.Cli;

/// <summary>Waits with progress (see <see cref="ProgressView"/>).</summary>
internal static class Waiting
{
    public static async Task<GpuInstance> UntilAsync(CliIo io, ParseResult parse, GpuCloudClient client, GpuInstance instance,
        InstanceState target, TimeSpan timeout, CancellationToken ct, ProgressView? view = null)
    {
        using var owned = view is null ? ProgressView.For(io, parse, target) : null;
        var progress = view ?? owned!;
        progress.Report(instance);
        return await client.WaitForStateAsync(instance.Provider, instance.Id, target, timeout, progress, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// The progress of a wait. One persistent line per change of state (time, instance name, plan, state), never repeated while
/// nothing changes; in a terminal, beneath them, one spinner line redrawn in place with the elapsed time and what is awaited
/// (<c>waiting for SSH at host:port</c>), erased when the wait ends. Output that is not a terminal gets the lines only.
/// Other lines (an interruption's notice) go through <see cref="Line"/> so that they never land inside the spinner line.
/// </summary>
internal sealed class ProgressView : IProgress<GpuInstance>, IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly TextWriter _writer;
    private readonly InstanceState _target;
    private readonly int _width;
    private readonly Lock _gate = new();
    private readonly Timer? _timer;
    private readonly long _started = Stopwatch.GetTimestamp();
    private string _awaiting;
    private string? _lastKey;
    private int _frame;
    private bool _spinnerShown;
    private bool _closed;
    private bool _frozen;

    /// <param name="writer">Where lines go.</param>
    /// <param name="live">Whether <paramref name="writer"/> is a terminal that takes a spinner.</param>
    /// <param name="width">The terminal's width (the spinner line is cut to fit, so it never wraps).</param>
    /// <param name="target">The state waited for.</param>
    /// <param name="awaiting">What the spinner says before the first report.</param>
    public ProgressView(TextWriter writer, bool live, int width, InstanceState target, string awaiting)
    {
        _writer = writer;
        _target = target;
        _width = Math.Max(20, width);
        _awaiting = awaiting;
        if (live) _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A view for a command: a spinner on a terminal; plain lines on stderr with <c>--output json</c>, on stdout when piped.</summary>
    public static ProgressView For(CliIo io, ParseResult parse, InstanceState target, string awaiting = "waiting...")
    {
        var json = CliApp.Json(parse);
        var live = !json && !io.Redirected;
        return new ProgressView(json ? io.Error : io.Out, live, io.Width ?? ConsoleWidth(), target, awaiting);
    }

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    /// <summary>Where the lines go.</summary>
    public TextWriter Writer => _writer;

    /// <summary>The last instance reported, if any: what the wait is about.</summary>
    public GpuInstance? Last { get; private set; }

    public void Report(GpuInstance value)
    {
        lock (_gate)
        {
            Last = value;
            if (!_frozen) _awaiting = Awaiting(value);
            // A line per state; what is awaited within a state (an address, SSH answering) is the spinner's.
            var key = $"{value.Provider}\n{value.Id}\n{value.State}\n{value.ProviderState}";
            if (key == _lastKey) return;
            _lastKey = key;
            WriteLocked($"  {DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {value.Name} {value.Provider} {Plan(value)}: "
                        + $"{value.State} ({value.ProviderState})");
        }
    }

    /// <summary>Says what the spinner waits for from now on, whatever is reported after (e.g. a cleanup after an interruption).</summary>
    public void Status(string awaiting)
    {
        lock (_gate)
        {
            _awaiting = awaiting;
            _frozen = true;
        }
    }

    /// <summary>Writes a line of its own above the spinner.</summary>
    public void Line(string text)
    {
        lock (_gate) WriteLocked(text);
    }

    // The plan as the table shows it (8x H100 80G SXM); the provider's plan name when it gave no GPU.
    private static string Plan(GpuInstance i) => i.Gpu is { Count: > 0 } || string.IsNullOrWhiteSpace(i.PlanName) ? Render.ShortGpu(i.Gpu) : i.PlanName;

    private string Awaiting(GpuInstance i) =>
        i.State == _target && _target != InstanceState.Running ? $"{i.Name}: {i.State}"
        : _target == InstanceState.Running && i.State == InstanceState.Running
            ? $"{i.Name}: " + (i.Ssh is { } ssh ? $"waiting for SSH at {ssh.Host}:{ssh.Port}" : "waiting for an address")
        : _target == InstanceState.Running && i.State == InstanceState.Provisioning ? $"{i.Name}: waiting for {i.Provider} to start it ({i.ProviderState})"
        : $"{i.Name}: {i.State} ({i.ProviderState}), waiting for {_target}";

    private void WriteLocked(string line)
    {
        ClearLocked();
        _writer.WriteLine(line);
        _writer.Flush();
        if (!_closed && _timer is not null) DrawLocked();
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_closed) return;
            _frame++;
            DrawLocked();
        }
    }

    private void DrawLocked()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var text = $"{Frames[_frame % Frames.Length]} {(int)elapsed.TotalMinutes}:{elapsed.Seconds:00} {_awaiting}";
        if (text.Length > _width - 1) text = text[..(_width - 2)] + "…";
        _writer.Write("\r" + text + "\u001b[K");
        _writer.Flush();
        _spinnerShown = true;
    }

    private void ClearLocked()
    {
        if (!_spinnerShown) return;
        _writer.Write("\r\u001b[K");
        _spinnerShown = false;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            _closed = true;
            ClearLocked();
            _writer.Flush();
        }
    }
}
