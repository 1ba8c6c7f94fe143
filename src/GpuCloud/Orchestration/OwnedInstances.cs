using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Finds what this client created that needs attention, from its journal and the providers' marks, under the same rule as
/// the create lookup: an instance counts as this client's only when a journal entry names its id, its mark carries an
/// entry's token, or (where the provider keeps no marks) it is the one same-named instance that was not there before
/// that entry's create. A name alone is never enough.
/// </summary>
internal sealed class OwnedInstances(GpuCloudOptions options, TimeProvider time)
{
    // A provider's clock and ours can differ: an instance stamped a little before the intent can still be its.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    public async Task<OwnedSearchResult> FindAsync(IReadOnlyList<IGpuCloudProvider> providers, CancellationToken ct)
    {
        var entries = options.Journal is { } journal ? await journal.ListOpenAsync(ct).ConfigureAwait(false) : [];
        var now = time.GetUtcNow();
        var found = new List<OwnedInstance>();
        var failures = new List<ProviderFailure>();
        foreach (var provider in providers)
        {
            IReadOnlyList<GpuInstance> listed;
            try
            {
                listed = await provider.ListInstancesAsync(ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                failures.Add(new ProviderFailure(provider.Name, null, ex));
                continue;
            }
            var live = listed.Where(i => i.State is not (InstanceState.Terminated or InstanceState.Terminating)).ToArray();
            var mine = entries.Where(e => e.Intent.Provider == provider.Name).ToArray();
            await FromJournalAsync(provider, live, mine, now, found).ConfigureAwait(false);
            FromMarks(provider, live, mine, now, found);
        }
        return new OwnedSearchResult(found.OrderByDescending(o => o.Age).ToArray(), failures);
    }

    private async Task FromJournalAsync(IGpuCloudProvider provider, GpuInstance[] live, JournalEntry[] entries, DateTimeOffset now, List<OwnedInstance> found)
    {
        var support = provider as ICreateSupport;
        var claimed = entries.Select(e => e.Outcome?.InstanceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var intent = entry.Intent;
            GpuInstance? instance;
            if (entry.Outcome?.InstanceId is { } id)
            {
                instance = live.FirstOrDefault(i => i.Id == id) ?? await ConfirmAsync(provider, id, now).ConfigureAwait(false);
                if (instance is null) continue;
            }
            else
            {
                instance = Recognize(intent, live, support, claimed);
                if (instance is null) continue;
                claimed.Add(instance.Id);
            }

            var creatorGone = intent.Process.IsRunning() == false;
            OwnedReason? reason = intent.ExpiresAt <= now ? OwnedReason.Expired
                : entry.Outcome?.Kind is JournalOutcomeKind.Kept ? null // handed to its user on purpose
                : creatorGone && entry.Outcome?.Kind is not JournalOutcomeKind.Created ? OwnedReason.UnknownOutcomeFound
                : creatorGone ? OwnedReason.CreatorGone
                : null; // its creator still runs and owns it
            if (reason is { } why) found.Add(Owned(instance, why, intent.At, intent.PricePerHour, intent.Currency, intent.ExpiresAt, now));
        }
    }

    /// <summary>
    /// An instance missing from the list is asked for by id before its entry closes: a list can leave out what exists (a
    /// region or project outside the configured ones), and forgetting a live instance would leave it billing unseen.
    /// </summary>
    /// <returns>The instance when it still exists; <see langword="null"/> when it is gone (the entry is closed) or could not be asked.</returns>
    private async Task<GpuInstance?> ConfirmAsync(IGpuCloudProvider provider, string id, DateTimeOffset now)
    {
        try
        {
            var current = await provider.GetInstanceAsync(id, CancellationToken.None).ConfigureAwait(false);
            if (current.State is not InstanceState.Terminated) return current;
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
        catch (GpuCloudException)
        {
            return null; // not seen either way: the entry stays open for the next sweep
        }
        await RecordGoneAsync(provider.Name, id, now).ConfigureAwait(false);
        return null;
    }

    /// <summary>The instance an entry without a known instance made: by its token where the provider keeps marks, else the one newcomer.</summary>
    private static GpuInstance? Recognize(JournalIntent intent, GpuInstance[] live, ICreateSupport? support, HashSet<string> claimed)
    {
        var marked = live.FirstOrDefault(i => support?.MarksOf(i)?.Token == intent.Token);
        if (marked is not null) return marked;
        // Later than a create lookup, so also: not another entry's, and not made long before this intent.
        var newcomers = CreateRecovery.Newcomers(live, intent.Name, intent.ExistingIds, support)
            .Where(i => !claimed.Contains(i.Id) && (i.CreatedAt is not { } created || created >= intent.At - ClockSkew)).ToArray();
        return newcomers.Length == 1 ? newcomers[0] : null;
    }

    /// <summary>Instances marked as this owner's whose token no open journal entry holds: made through another journal.</summary>
    private void FromMarks(IGpuCloudProvider provider, GpuInstance[] live, JournalEntry[] entries, DateTimeOffset now, List<OwnedInstance> found)
    {
        if (provider is not ICreateSupport support) return;
        var tokens = entries.Select(e => e.Intent.Token).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in live)
        {
            if (support.MarksOf(instance) is not { } marks || marks.Owner != options.Owner || tokens.Contains(marks.Token)) continue;
            var reason = marks.ExpiresAt <= now ? OwnedReason.Expired : OwnedReason.NotInJournal;
            found.Add(Owned(instance, reason, null, null, null, marks.ExpiresAt, now));
        }
    }

    private static OwnedInstance Owned(GpuInstance instance, OwnedReason reason, DateTimeOffset? journaledAt, decimal? price, string? currency,
        DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        // The provider's creation time and price where it reports them, else the journal's.
        var known = instance with
        {
            CreatedAt = instance.CreatedAt ?? journaledAt,
            PricePerHour = instance.PricePerHour ?? price,
            Currency = instance.PricePerHour is null ? currency : instance.Currency,
        };
        return new OwnedInstance(instance, reason, known.AgeAt(now) ?? TimeSpan.Zero, known.CostSoFarAt(now), known.Currency, expiresAt);
    }

    private Task RecordGoneAsync(string provider, string id, DateTimeOffset at) =>
        BestEffortJournal.WriteAsync(options.Journal, j => j.RecordGoneAsync(provider, id, at, CancellationToken.None));
}
