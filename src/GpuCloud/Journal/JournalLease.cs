namespace GpuCloud;

/// <summary>A process's hold on something in a shared journal (its liveness, or a sweep's claim), until a time.</summary>
/// <param name="Owner">Who holds it (<see cref="GpuCloudOptions.Owner"/>).</param>
/// <param name="Process">The process that holds it.</param>
/// <param name="Until">When it ends unless renewed (the holder's clock).</param>
public sealed record JournalLease(string Owner, JournalProcess Process, DateTimeOffset Until)
{
    /// <summary>The holder, for messages: owner, process and host.</summary>
    public override string ToString() => $"{Owner} (process {Process.Id} on {Process.Host})";
}
