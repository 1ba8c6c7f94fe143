using Microsoft.Extensions.Logging;

namespace GpuCloud;

/// <summary>Settings of a <see cref="PostgresInstanceJournal"/>.</summary>
public sealed record PostgresJournalOptions
{
    /// <summary>The schema that holds the journal's tables: 1 to 63 lower-case letters, digits or <c>_</c>. Default <c>gpucloud</c>.</summary>
    public string Schema { get; init; } = "gpucloud";

    /// <summary>Where a record that cannot be read is reported (it is left out of the lists). None by default.</summary>
    public ILogger? Logger { get; init; }
}
