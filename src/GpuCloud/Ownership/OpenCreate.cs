namespace GpuCloud;

/// <summary>A journal entry still open with no instance to show: why it stays open, and until when.</summary>
/// <param name="Create">The create.</param>
/// <param name="Why">Why it is still open.</param>
/// <param name="OpenUntil">When it closes on its own, if nothing is proved before.</param>
public sealed record OpenCreate(JournalIntent Create, string Why, DateTimeOffset OpenUntil);
