using System.Runtime.InteropServices;

namespace GpuCloud.Cli;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM (systemd, <c>docker stop</c>, a cancelled CI job) and SIGHUP (the terminal closed) for the whole
/// process. The first one cancels the command's token and lets the command clean up what it created, however long the provider
/// takes: nothing ends the process on a timer (System.CommandLine's own handling, which exits 2 s after the signal whatever is
/// still being deleted, is switched off). A second one exits at once, naming what it leaves behind and how to find it.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TextWriter _error;
    private readonly Action<int> _exit;
    private int _signals;
    private volatile string? _atRisk;

    /// <param name="error">Where the second signal's last words go.</param>
    /// <param name="exit">Ends the process with an exit code (<see cref="Environment.Exit"/>; tests pass their own).</param>
    internal Interrupts(TextWriter error, Action<int> exit)
    {
        _error = error;
        _exit = exit;
    }

    /// <summary>Takes over SIGINT, SIGTERM and SIGHUP for this process.</summary>
    public static Interrupts Register(TextWriter error)
    {
        var interrupts = new Interrupts(error, Environment.Exit);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            interrupts._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The process ends when the command has cleaned up, not when the runtime's default says so.
                context.Cancel = true;
                interrupts.Signal(context.Signal);
            }));
        }
        return interrupts;
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The exit code that reports the signal received: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP (128 + its number).</summary>
    public int ExitCode => ExitCodes.For(Received);

    /// <summary>
    /// What a second signal would leave running (e.g. <c>fluence container:… (gpucloud-x1y2z3)</c>) while the command cleans it
    /// up; null when nothing is at stake.
    /// </summary>
    public string? AtRisk
    {
        get => _atRisk;
        set => _atRisk = value;
    }

    /// <summary>Handles one signal: the first cancels, a second exits at once.</summary>
    internal void Signal(PosixSignal signal)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Received = signal;
            // Callbacks registered on the token (a command's "deleting ..." line) run here, at once.
            _cancel.Cancel();
            return;
        }
        if (_atRisk is { } left)
        {
            TryWrite($"interrupted again: exiting now, leaving {left}");
            TryWrite("  it may still be running (and billing): 'gpucloud instances sweep' finds it,");
            TryWrite("  'gpucloud instances sweep --yes' deletes it.");
        }
        _exit(ExitCode);
    }

    // The terminal may be gone (SIGHUP): its last words must not stop the exit.
    private void TryWrite(string line)
    {
        try
        {
            _error.WriteLine(line);
            _error.Flush();
        }
        catch (IOException)
        {
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }
}
