namespace GpuCloud.Cli;

/// <summary>What the CLI talks to: its output streams and environment, replaceable in tests.</summary>
/// <param name="Out">Standard output (tables, JSON).</param>
/// <param name="Error">Standard error (one-line errors, notes).</param>
/// <param name="Environment">Reads an environment variable.</param>
/// <param name="Redirected">Whether output goes to a file or pipe (no colours, no live display).</param>
internal sealed record CliIo(TextWriter Out, TextWriter Error, Func<string, string?> Environment, bool Redirected)
{
    /// <summary>Where <c>~</c> is, for the default SSH key.</summary>
    public string HomeDirectory { get; init; } = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

    /// <summary>The terminal's width in columns, when known better than the console does (tests); else the console's, or 240 when redirected.</summary>
    public int? Width { get; init; }

    /// <summary>Standard input, for confirmations.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether stdin is a terminal a person can answer on (a confirmation is asked only then).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>The process's signal handling (the real process only): its exit code, and what a second signal would leave behind.</summary>
    public Interrupts? Interrupts { get; init; }

    /// <summary>Adjusts the in-process sandbox and the client options before a <c>--sandbox</c> command runs (tests use it to stage faults).</summary>
    public Action<GpuCloud.Sandbox.SandboxServer, GpuCloudOptions>? ConfigureSandbox { get; init; }
}
