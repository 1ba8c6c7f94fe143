using System.CommandLine;
using System.Globalization;

namespace GpuCloud.Cli;

/// <summary>
/// <c>gpucloud instances sweep</c>: what this machine's journal (and the providers' marks) say GpuCloud created and that needs
/// attention; a dry run unless <c>--yes</c>, which deletes those the journal proves its own, waits until each is gone and
/// records it. An instance only matched by name and time ("may be yours") is shown, never deleted: the user deletes it by id.
/// </summary>
internal static class SweepCommand
{
    /// <summary>
    /// <c>sweep --yes</c> left an orphan that is still provisioning (its provider deletes only a running instance): run the
    /// sweep again once it runs. Not waited for here: provisioning takes minutes, and a sweep from cron should neither hang
    /// nor read as a failure it cannot fix.
    /// </summary>
    public const int StillProvisioning = 3;

    public static Command Create(CliIo io)
    {
        var expired = new Option<bool>("--expired") { Description = "Only instances past their --max-duration." };
        var olderThan = Durations.Option("--older-than", "Only instances at least this old, e.g. 2h.");
        var yes = new Option<bool>("--yes")
        {
            Description = "Delete the ones the journal proves GpuCloud made (otherwise only list them), wait until each is gone, record it. "
                          + "'may be yours' instances are never deleted. Exit 1 if a provider could not be listed or a delete failed; "
                          + $"exit {StillProvisioning} if an orphan is still provisioning (its provider cannot delete it yet): run the sweep again later.",
        };
        var command = new Command("sweep", "List (and with --yes delete) instances GpuCloud provably created that are expired, orphaned or of unknown outcome; "
                                           + "show those that only may be yours (same name, made around a create whose outcome is unknown).")
        {
            expired, olderThan, yes,
        };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var found = await session.Client.ListOwnedAsync(ct).ConfigureAwait(false);
            var selected = Select(found, parse.GetValue(expired), parse.GetValue(olderThan));
            var result = parse.GetValue(yes) ? await DeleteProvedAsync(session.Client, found, selected, ct).ConfigureAwait(false) : new Result(found, selected, [], []);
            if (CliApp.Json(parse)) WriteJson(io, result);
            else WriteText(io, session, result, dryRun: !parse.GetValue(yes), parse.GetValue(CliApp.Wide));
            WriteErrors(io, result);
            return result.ExitCode;
        }));
        return command;
    }

    /// <summary>What one sweep found, what it did with each proved instance, and which deletes failed.</summary>
    private sealed record Result(OwnedSearchResult Found, OwnedInstance[] Selected, SweptInstance[] Swept, (OwnedInstance Owned, GpuCloudException Error)[] Failed)
    {
        public OwnedInstance[] With(SweepOutcome outcome) => Swept.Where(s => s.Outcome == outcome).Select(s => s.Owned).ToArray();

        public int ExitCode => Failed.Length > 0 || Found.Failures.Count > 0 ? ExitCodes.ProviderError
            : With(SweepOutcome.StillProvisioning).Length > 0 ? StillProvisioning
            : ExitCodes.Success;
    }

    private static OwnedInstance[] Select(OwnedSearchResult found, bool expiredOnly, TimeSpan? minimumAge) => found.Instances
        .Where(o => !expiredOnly || o.Reason == OwnedReason.Expired)
        .Where(o => minimumAge is not { } min || o.Age >= min)
        .ToArray();

    /// <summary>Deletes each proved instance in turn (never a "may be yours" one); a failed delete does not stop the others.</summary>
    private static async Task<Result> DeleteProvedAsync(GpuCloudClient client, OwnedSearchResult found, OwnedInstance[] selected, CancellationToken ct)
    {
        var swept = new List<SweptInstance>();
        var failed = new List<(OwnedInstance, GpuCloudException)>();
        foreach (var owned in selected.Where(o => o.IsProved))
        {
            try
            {
                swept.Add(await client.DeleteOwnedAsync(owned, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false));
            }
            catch (GpuCloudException ex)
            {
                failed.Add((owned, ex));
            }
        }
        return new Result(found, selected, [.. swept], [.. failed]);
    }

    private static void WriteJson(CliIo io, Result r)
    {
        var claimed = r.Swept.Where(s => s.Outcome == SweepOutcome.ClaimedByAnother).ToArray();
        var (deleted, alreadyGone, provisioning) = (r.With(SweepOutcome.Deleted), r.With(SweepOutcome.AlreadyGone), r.With(SweepOutcome.StillProvisioning));
        CliJson.Write(io.Out, new
        {
            instances = r.Selected.Select(o => new
            {
                provider = o.Instance.Provider, id = o.Instance.Id, name = o.Instance.Name, reason = o.Reason, proved = o.IsProved, proof = o.Proof,
                ageSeconds = (long)o.Age.TotalSeconds, costSoFar = o.CostSoFar, currency = o.Currency, expiresAt = o.ExpiresAt,
                createdAt = o.Create?.At, deleted = deleted.Contains(o), alreadyGone = alreadyGone.Contains(o),
                stillProvisioning = provisioning.Contains(o), claimedBy = claimed.FirstOrDefault(c => c.Owned == o)?.ClaimedBy?.ToString(),
                owner = o.Create?.Owner ?? o.Instance.CreatedBy,
            }),
            open = r.Found.Open.Select(e => new { provider = e.Create.Provider, name = e.Create.Name, createdAt = e.Create.At, why = e.Why, openUntil = e.OpenUntil }),
            failures = r.Found.Failures.Select(f => new { provider = f.Provider, code = f.Error.Code, message = CliApp.Message(f.Error) })
                .Concat(r.Failed.Select(f => new { provider = f.Owned.Instance.Provider, code = f.Error.Code, message = CliApp.Message(f.Error) })),
        });
    }

    private static void WriteText(CliIo io, CliSession session, Result r, bool dryRun, bool wide)
    {
        var selected = r.Selected;
        if (selected.Length == 0)
            io.Out.WriteLine($"Nothing to sweep on {string.Join(", ", session.Client.Providers.Select(p => p.Name).Except(r.Found.Failures.Select(f => f.Provider)))}.");
        else
            Render.Owned(Render.Console(io), selected, wide);
        if (dryRun && selected.Any(o => o.IsProved))
            io.Out.WriteLine($"dry run: {selected.Count(o => o.IsProved)} would be deleted; add --yes to delete them.");
        foreach (var o in r.With(SweepOutcome.Deleted)) io.Out.WriteLine($"deleted: {o.Instance.Provider} {o.Instance.Id} ({o.Reason}) is gone.");
        foreach (var o in r.With(SweepOutcome.AlreadyGone)) io.Out.WriteLine($"already gone: {o.Instance.Provider} {o.Instance.Id} ({o.Reason}) was deleted by someone else.");
        foreach (var c in r.Swept.Where(s => s.Outcome == SweepOutcome.ClaimedByAnother))
            io.Out.WriteLine($"being swept: {c.Owned.Instance.Provider} {c.Owned.Instance.Id} ({c.Owned.Reason}) is being deleted by the sweep of {c.ClaimedBy}; left to it.");
        foreach (var o in r.With(SweepOutcome.StillProvisioning))
            io.Out.WriteLine($"still provisioning: {o.Instance.Provider} {o.Instance.Id} ({o.Instance.Name}) cannot be deleted until it runs; run the sweep again later.");
        foreach (var o in selected.Where(o => o.Reason == OwnedReason.MayBeYours))
            io.Out.WriteLine($"may be yours: {o.Instance.Provider} {o.Instance.Id} '{o.Instance.Name}', {Durations.Short(o.Age)} old, has the name of a create sent "
                             + $"{When(o.Create!.At)} whose outcome is unknown; not proved, so not deleted. If it is yours: gpucloud instances delete {o.Instance.Provider} {o.Instance.Id}");
        foreach (var o in selected.Where(o => o.Proof == OwnershipProof.OwnerMark))
            io.Out.WriteLine($"left: {o.Instance.Provider} {o.Instance.Id} was made by this owner through another journal; delete it there or by id.");
        foreach (var e in r.Found.Open)
            io.Out.WriteLine($"open: {e.Create.Provider} '{e.Create.Name}' (create sent {When(e.Create.At)}): {e.Why}; looked for until {When(e.OpenUntil)}.");
    }

    private static void WriteErrors(CliIo io, Result r)
    {
        foreach (var f in r.Found.Failures)
            io.Error.WriteLine($"error: {f.Provider}: {f.Error.Code}: could not be listed (or an instance of it could not be looked up), so it was not swept: {CliApp.Message(f.Error)}");
        foreach (var (owned, error) in r.Failed)
            io.Error.WriteLine($"error: {owned.Instance.Provider}: {error.Code}: could not delete {owned.Instance.Id} ({owned.Instance.Name}): {CliApp.Message(error)}");
    }

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
