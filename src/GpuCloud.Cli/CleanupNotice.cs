using System.Globalization;

namespace GpuCloud.Cli;

/// <summary>
/// What a command that creates an instance says when a signal stops it: at once, what it is deleting and how long that may
/// take; when done, whether it is gone. And the line a command ends with when it keeps an instance on purpose.
/// </summary>
internal static class CleanupNotice
{
    /// <summary>
    /// Prints the notice the moment <paramref name="ct"/> is cancelled, when <paramref name="atStake"/> names something this
    /// command created (nothing when it created nothing: then the command simply stops), and tells a second signal what it would
    /// leave behind.
    /// </summary>
    public static CancellationTokenRegistration Register(CancellationToken ct, CliIo io, CliSession session, ProgressView view, Func<string?> atStake) =>
        ct.Register(() =>
        {
            if (atStake() is not { } what) return;
            if (io.Interrupts is { } interrupts) interrupts.AtRisk = what;
            // Short lines (80 columns), and the spinner says what is going on from here.
            view.Status("deleting what this command created");
            view.Line($"interrupted: deleting {what}");
            view.Line($"  created by this command; this can take up to {Durations.Text(session.CleanupTimeout)}:");
            view.Line("  a provider may delete an instance only once it has started.");
            view.Line("  Ctrl+C again: exit now and leave it ('gpucloud instances sweep' finds it).");
        });

    /// <summary>An instance as the notices name it: provider, full id and name.</summary>
    public static string Describe(GpuInstance instance) => $"{instance.Provider} {instance.Id} ({instance.Name})";

    /// <summary>The outcome of the library's cleanup after a cancelled create, from what it threw.</summary>
    public static void Result(TextWriter writer, OperationCanceledException ex, GpuInstance? last, bool sent)
    {
        // CheapestCreate throws "Cancelled; instance X could NOT be deleted ..." when its cleanup failed, and the plain
        // cancellation when it deleted what it made.
        const string failed = "Cancelled; ";
        if (ex.Message.StartsWith(failed, StringComparison.Ordinal))
            writer.WriteLine($"NOT deleted: {ex.Message[failed.Length..].TrimEnd('.')}; 'gpucloud instances sweep' finds it later.");
        else if (last is not null) writer.WriteLine($"deleted: {Describe(last)}.");
        else if (sent) writer.WriteLine("stopped before the provider answered: what the create made, if anything, was looked for and deleted ('gpucloud instances sweep' lists anything left).");
        writer.Flush();
    }

    /// <summary>
    /// Deletes an instance this command created and was stopped while waiting for, within the client's cleanup time, whatever
    /// the command's token says; a provider that cannot delete it yet (Conflict) is asked again every few seconds.
    /// </summary>
    public static async Task DeleteAsync(CliSession session, GpuInstance instance, TextWriter writer)
    {
        using var limit = new CancellationTokenSource(session.CleanupTimeout);
        while (true)
        {
            try
            {
                await session.Client.DeleteInstanceAsync(instance.Provider, instance.Id, limit.Token).ConfigureAwait(false);
                writer.WriteLine($"deleted: {Describe(instance)}.");
                return;
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.Conflict && !limit.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    writer.WriteLine($"NOT deleted: {Describe(instance)} ({CliApp.Message(ex)}); 'gpucloud instances sweep' finds it later.");
                    return;
                }
            }
            catch (Exception ex) when (ex is GpuCloudException or OperationCanceledException)
            {
                writer.WriteLine($"NOT deleted: {Describe(instance)} ({(ex is GpuCloudException g ? CliApp.Message(g) : "out of time")}); 'gpucloud instances sweep' finds it later.");
                return;
            }
        }
    }

    /// <summary>
    /// The last line of a command that hands an instance over: its price per hour, its expiry (or how to set one), and the
    /// command that deletes it, by short id.
    /// </summary>
    public static string Kept(GpuInstance instance, TimeSpan? maxDuration)
    {
        var shortId = ShortIds.Shorten([instance.Id])[instance.Id];
        var price = instance.PricePerHour is { } p ? $"{Render.Price(p, instance.Currency)}/h" : "price/h not reported";
        var expiry = maxDuration is { } limit
            ? $"expires {DateTimeOffset.UtcNow.Add(limit).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ('gpucloud instances sweep --expired --yes' deletes it then)"
            : "no expiry (--max-duration sets one)";
        return $"kept: {instance.Name}, {price}, {expiry}; delete: gpucloud instances delete {instance.Provider} {shortId}";
    }
}
