using System.Diagnostics;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// The CLI as its own process (as a user runs it: real signals, real exit codes), its stdout and stderr collected line by
/// line as they come, so a test can act on a progress line instead of sleeping.
/// </summary>
internal sealed class ChildCli : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _out = [];
    private readonly List<string> _error = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private ChildCli(Process process) => _process = process;

    /// <summary>Starts <c>gpucloud</c> with <paramref name="args"/> and only <paramref name="environment"/> added to the test's own.</summary>
    public static ChildCli Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Launch(start, environment);
    }

    /// <summary>
    /// Starts <c>gpucloud</c> on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal runs it: stdin is a
    /// terminal, so the CLI may ask; what is written to <see cref="Answer"/> is typed on it. stdout and stderr arrive merged.
    /// </summary>
    public static ChildCli StartInTerminal(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", typeof(CliApp).Assembly.Location }.Concat(args).Select(Quote));
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-q", "-e", "-c", command, "/dev/null" }) start.ArgumentList.Add(arg);
        return Launch(start, environment, term: "dumb");
    }

    /// <summary>
    /// Starts the process with <paramref name="environment"/> added and an empty home, collecting its output lines. It starts
    /// with the signals the tests send at their default action, as from a terminal, systemd or docker: a test run started as
    /// a shell's background job (<c>dotnet test &amp;</c> in a script) or under <c>nohup</c> passes SIGINT or SIGHUP on as
    /// ignored, and the runtime keeps an inherited ignored signal ignored (so the child would never see it). coreutils'
    /// <c>env --default-signal</c> resets them and then becomes the program (same process id).
    /// </summary>
    private static ChildCli Launch(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment, string? term = null)
    {
        string[] program = [start.FileName, .. start.ArgumentList];
        start.FileName = "env";
        start.ArgumentList.Clear();
        start.ArgumentList.Add("--default-signal=INT,TERM,HUP");
        foreach (var arg in program) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.Environment["HOME"] = Cli.EmptyHome;
        if (term is not null) start.Environment["TERM"] = term;
        var child = new ChildCli(new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.Add(child._out, e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Add(child._error, e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Types <paramref name="line"/> and Enter on the child's terminal.</summary>
    public void Answer(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null) return;
        lock (_gate) lines.Add(line);
        _arrived.Release();
    }

    public int Id => _process.Id;

    public string Out
    {
        get
        {
            lock (_gate) return string.Join('\n', _out);
        }
    }

    public string Error
    {
        get
        {
            lock (_gate) return string.Join('\n', _error);
        }
    }

    /// <summary>Waits until stdout or stderr has a line that <paramref name="match"/> accepts, and returns it.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + HangLimit;
        while (true)
        {
            lock (_gate)
            {
                if (_out.Concat(_error).FirstOrDefault(match) is { } line) return line;
            }
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                lock (_gate)
                {
                    if (_out.Concat(_error).FirstOrDefault(match) is { } line) return line;
                }
                Assert.Fail($"the CLI exited ({_process.ExitCode}) before {what}:\n{Out}\n{Error}");
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"hang: no line showed {what} within {HangLimit}:\n{Out}\n{Error}");
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Sends a signal (INT, TERM, HUP) as a terminal, systemd or docker would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-s", name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.That(kill.ExitCode, Is.Zero, $"kill -s {name}");
    }

    /// <summary>Waits for the process to end (a hang guard of minutes only) and returns its exit code.</summary>
    public async Task<int> ExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(HangLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"hang: the CLI did not exit within {HangLimit}:\n{Out}\n{Error}");
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _arrived.Dispose();
    }
}
