namespace GpuCloud.Testing;

/// <summary>
/// Turns a hang into a test failure. This is not a timing threshold: every wait it guards completes as soon
/// as the code under test makes progress; the limit only stops a broken test from blocking the run forever.
/// </summary>
public static class HangGuard
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public static async Task WhenAnyAsync(params Task[] tasks)
    {
        using var cts = new CancellationTokenSource();
        var guard = Task.Delay(Limit, cts.Token);
        var done = await Task.WhenAny(tasks.Append(guard)).ConfigureAwait(false);
        if (done == guard) Assert.Fail("The code under test hung: it neither finished nor scheduled a timer.");
        await cts.CancelAsync().ConfigureAwait(false);
    }
}
