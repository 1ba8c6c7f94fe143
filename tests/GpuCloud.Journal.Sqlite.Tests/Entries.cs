using GpuCloud.Testing.Journal;

namespace GpuCloud.Journal.Sqlite.Tests;

/// <summary>The contract's intents, made by this process (the multi-process tests tell writers apart by it).</summary>
internal static class Entries
{
    public static DateTimeOffset At => JournalContract.At;

    public static JournalIntent Intent(string token, string name = "worker", DateTimeOffset? at = null) =>
        JournalContract.Intent(token, name, at) with { Process = JournalProcess.Current };
}
