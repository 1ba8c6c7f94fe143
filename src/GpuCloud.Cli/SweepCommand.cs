using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary>
/// <c>gpucloud instances sweep</c>: what this machine's journal (and the providers' marks) say GpuCloud created and that needs
/// attention; a dry run unless <c>--yes</c>, which deletes them, waits until each is gone and records it.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CliIo io)
    {
        var expired = new Option<bool>("--expired") { Description = "Only instances past their --max-duration." };
        var olderThan = Durations.Option("--older-than", "Only instances at least this old, e.g. 2h.");
        var yes = new Option<bool>("--yes") { Description = "Delete them (otherwise only list them), wait until each is gone, record it." };
        var command = new Command("sweep", "List (and with --yes delete) instances GpuCloud created that are expired, orphaned or of unknown outcome.")
        {
            expired, olderThan, yes,
        };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var found = await session.Client.ListOwnedAsync(ct).ConfigureAwait(false);
            var minimumAge = parse.GetValue(olderThan);
            var selected = found.Instances
                .Where(o => !parse.GetValue(expired) || o.Reason == OwnedReason.Expired)
                .Where(o => minimumAge is not { } min || o.Age >= min)
                .ToArray();
            // Made through another journal under this owner: shown, never deleted from here.
            bool Deletable(OwnedInstance o) => o.Reason != OwnedReason.NotInJournal;

            var failed = new List<(OwnedInstance Owned, GpuCloudException Error)>();
            var deleted = new List<OwnedInstance>();
            if (parse.GetValue(yes))
            {
                foreach (var owned in selected.Where(Deletable))
                {
                    try
                    {
                        await session.Client.DeleteInstanceAsync(owned.Instance.Provider, owned.Instance.Id, ct).ConfigureAwait(false);
                        await session.Client.WaitForStateAsync(owned.Instance.Provider, owned.Instance.Id, InstanceState.Terminated, TimeSpan.FromMinutes(5), null, ct)
                            .ConfigureAwait(false);
                        deleted.Add(owned);
                    }
                    catch (GpuCloudException ex)
                    {
                        failed.Add((owned, ex));
                    }
                }
            }

            if (CliApp.Json(parse))
            {
                CliJson.Write(io.Out, new
                {
                    instances = selected.Select(o => new
                    {
                        provider = o.Instance.Provider, id = o.Instance.Id, name = o.Instance.Name, reason = o.Reason, ageSeconds = (long)o.Age.TotalSeconds,
                        costSoFar = o.CostSoFar, currency = o.Currency, expiresAt = o.ExpiresAt, deleted = deleted.Contains(o),
                    }),
                    failures = found.Failures.Select(f => new { provider = f.Provider, code = f.Error.Code, message = CliApp.Message(f.Error) })
                        .Concat(failed.Select(f => new { provider = f.Owned.Instance.Provider, code = f.Error.Code, message = CliApp.Message(f.Error) })),
                });
            }
            else
            {
                var console = Render.Console(io);
                if (selected.Length == 0)
                    io.Out.WriteLine($"Nothing to sweep on {string.Join(", ", session.Client.Providers.Select(p => p.Name))}.");
                else
                    Render.Owned(console, selected, parse.GetValue(CliApp.Wide));
                foreach (var f in found.Failures) io.Out.WriteLine($"not listed: {f.Provider}: {f.Error.Code}: {CliApp.Message(f.Error)}");
                if (!parse.GetValue(yes) && selected.Any(Deletable))
                    io.Out.WriteLine($"dry run: {selected.Count(Deletable)} would be deleted; add --yes to delete them.");
                foreach (var o in deleted) io.Out.WriteLine($"deleted: {o.Instance.Provider} {o.Instance.Id} ({o.Reason}) is gone.");
                foreach (var o in selected.Where(o => !Deletable(o)))
                    io.Out.WriteLine($"left: {o.Instance.Provider} {o.Instance.Id} was made by this owner through another journal; delete it there or by id.");
            }
            foreach (var (owned, error) in failed)
                io.Error.WriteLine($"error: {owned.Instance.Provider}: {error.Code}: could not delete {owned.Instance.Id} ({owned.Instance.Name}): {CliApp.Message(error)}");
            return failed.Count > 0 ? ExitCodes.ProviderError : ExitCodes.Success;
        }));
        return command;
    }
}
