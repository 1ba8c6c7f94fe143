namespace GpuCloud;

/// <summary>
/// Journal writes that follow something already done (a create answered, an instance seen gone): a journal failure must
/// not undo or hide that, so it is swallowed. What stays unrecorded is found again by the next sweep.
/// </summary>
internal static class BestEffortJournal
{
    public static async Task WriteAsync(IInstanceJournal? journal, Func<IInstanceJournal, Task> write)
    {
        if (journal is null) return;
        try
        {
            await write(journal).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.JournalUnavailable)
        {
        }
    }
}
