namespace GpuCloud;

/// <summary>Settings of a <see cref="PostgresInstanceJournal"/>.</summary>
public sealed record PostgresJournalOptions
{
    /// <summary>The schema that holds the journal's tables: 1 to 63 lower-case letters, digits or <c>_</c>. Default <c>gpucloud</c>.</summary>
    public string Schema { get; init; } = "gpucloud";

    /// <summary>
    /// Receives one line per warning (a record that cannot be read, which is left out of the lists), as
    /// <c>SqliteInstanceJournal</c>'s does; <see langword="null"/> to ignore them.
    /// </summary>
    public Action<string>? Warning { get; init; }
}
