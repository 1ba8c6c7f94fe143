namespace GpuCloud;

/// <summary>A process on a host, told apart from a later process with the same id by its start time.</summary>
/// <param name="Host">The machine's name.</param>
/// <param name="Id">The process id.</param>
/// <param name="StartedAt">When the process started.</param>
public sealed record JournalProcess(string Host, int Id, DateTimeOffset StartedAt)
{
    /// <summary>The current process.</summary>
    public static JournalProcess Current { get; } = Describe();

    private static JournalProcess Describe()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new JournalProcess(Environment.MachineName, self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>Whether this process still runs (only answerable on this host; on another, <see langword="null"/>).</summary>
    public bool? IsRunning()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Id);
            // A later process can reuse the id: only the same start time is the same process.
            return (process.StartTime.ToUniversalTime() - StartedAt.UtcDateTime).Duration() < TimeSpan.FromSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
