namespace GpuCloud.Testing;

/// <summary>
/// Turns a hang into a test failure. This is not a timing threshold: every wait it guards completes as soon
/// as the code under test makes progress; the limit only stops a broken test from blocking the run forever, and it
/// is generous (minutes) so that a slow, busy machine never decides a verdict.
/// </summary>
public static class HangGuard
{
    /// <summary>How long a guarded wait may take before the test fails as hung.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static async Task WhenAnyAsync(params Task[] tasks)
    {
        using var cts = new CancellationTokenSource();
        var guard = Task.Delay(Limit, cts.Token);
        var done = await Task.WhenAny(tasks.Append(guard)).ConfigureAwait(false);
        if (done == guard) Assert.Fail("The code under test hung: it neither finished nor scheduled a timer.");
        await cts.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Awaits <paramref name="task"/>; fails the test as a hang when it has not ended within <see cref="Limit"/>.</summary>
    public static async Task WithinAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Limit).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            _ = task.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            Assert.Fail($"Hang: {what} had not ended after {Limit.TotalMinutes:0} minutes.");
        }
    }

    /// <inheritdoc cref="WithinAsync(Task, string)"/>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what)
    {
        await WithinAsync((Task)task, what).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test as a hang when it has not held within <see cref="Limit"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Hang: {what} had not happened after {Limit.TotalMinutes:0} minutes.");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
