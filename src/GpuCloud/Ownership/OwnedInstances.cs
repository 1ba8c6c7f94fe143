using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Finds what this client created that needs attention, from its journal and the providers' marks, under the rule the
/// create lookup uses (<see cref="CreateRecovery.Match"/>). An instance is <em>proved</em> this journal's only when an
/// entry recorded its id, or it carries the token of an entry's create; only a proved instance may be deleted by a sweep.
/// Where the provider keeps no marks, a create whose outcome is unknown can only point at a same-named newcomer made
/// around its time: that is shown as <see cref="OwnedReason.MayBeYours"/>, with the create it may belong to, and never
/// counted as proof. Every entry ends closed (seen gone, made nothing, or its window passed) or is reported open with why.
/// </summary>
internal sealed class OwnedInstances(GpuCloudOptions options, TimeProvider time, InstanceWaiter waiter)
{
    /// <summary>
    /// How long a sweep's claim on an entry lasts: its delete and the wait until the instance is gone
    /// (<see cref="DeleteAsync"/> waits at most five minutes), with room to spare. A sweep that dies holding a claim
    /// delays the next sweep's delete of that instance by at most this.
    /// </summary>
    internal static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an entry whose outcome is unknown is looked for, from its create: a day, so that a daily sweep shows
    /// what it may have made at least once. Its newcomers are bounded much tighter (made within
    /// <see cref="CreateRecovery.ClockSkew"/> of the create); then the entry closes (<see cref="JournalOutcomeKind.Closed"/>).
    /// </summary>
    internal static readonly TimeSpan UnknownOutcomeWindow = TimeSpan.FromDays(1);

    /// <summary>
    /// Says of each listed instance whether GpuCloud created it and who (<see cref="GpuInstance.CreatedBy"/>): the provider's
    /// mark, else the journal. Without a journal, or when it cannot be read, an unmarked instance's answer is unknown: a
    /// listing does not fail for the journal.
    /// </summary>
    public async Task<IReadOnlyList<GpuInstance>> MarkAsync(IEnumerable<(IGpuCloudProvider Provider, GpuInstance Instance)> listed, CancellationToken ct)
    {
        var journaled = await JournaledOwnersAsync(ct).ConfigureAwait(false);
        return listed.Select(pair =>
        {
            var owner = (pair.Provider as ICreateSupport)?.MarksOf(pair.Instance)?.Owner ?? journaled?.GetValueOrDefault((pair.Instance.Provider, pair.Instance.Id));
            return pair.Instance with { CreatedByGpuCloud = owner is not null ? true : journaled is null ? null : false, CreatedBy = owner };
        }).ToArray();
    }

    private async Task<Dictionary<(string Provider, string Id), string>?> JournaledOwnersAsync(CancellationToken ct)
    {
        if (options.Journal is not { } journal) return null;
        try
        {
            var open = await journal.ListOpenAsync(ct).ConfigureAwait(false);
            return open.Where(e => e.Outcome?.InstanceId is not null)
                .GroupBy(e => (e.Intent.Provider, e.Outcome!.InstanceId!))
                .ToDictionary(g => g.Key, g => g.Last().Intent.Owner);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.JournalUnavailable)
        {
            return null;
        }
    }

    /// <summary>Records that an instance is handed to its user on purpose; nothing without a journal.</summary>
    public Task KeepAsync(string provider, string instanceId, CancellationToken ct) =>
        options.Journal?.RecordKeptAsync(provider, instanceId, time.GetUtcNow(), ct) ?? Task.CompletedTask;

    public async Task<OwnedSearchResult> FindAsync(IReadOnlyList<IGpuCloudProvider> providers, CancellationToken ct)
    {
        var entries = options.Journal is { } journal ? await journal.ListOpenAsync(ct).ConfigureAwait(false) : [];
        var now = time.GetUtcNow();
        var search = new Search(now);
        foreach (var provider in providers)
        {
            IReadOnlyList<GpuInstance> listed;
            // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
            // Stryker disable once Block,Statement : does not compile ('listed' unassigned without the catch's 'continue')
            try
            {
                listed = await provider.ListInstancesAsync(ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                search.Failures.Add(new ProviderFailure(provider.Name, null, ex));
                continue;
            }
            var live = listed.Where(CreateRecovery.IsLive).ToArray();
            var mine = entries.Where(e => e.Intent.Provider == provider.Name).ToArray();
            await FromJournalAsync(provider, live, mine, search).ConfigureAwait(false);
            FromMarks(provider, live, mine, search);
        }
        return new OwnedSearchResult(search.Found.OrderByDescending(o => o.Age).ToArray(), search.Failures) { Open = search.Open };
    }

    private sealed class Search(DateTimeOffset now)
    {
        public DateTimeOffset Now { get; } = now;

        public List<OwnedInstance> Found { get; } = [];

        public List<ProviderFailure> Failures { get; } = [];

        public List<OpenCreate> Open { get; } = [];
    }

    private async Task FromJournalAsync(IGpuCloudProvider provider, GpuInstance[] live, JournalEntry[] entries, Search search)
    {
        var support = provider as ICreateSupport;
        var now = search.Now;
        // An instance whose id an entry recorded is that entry's, never another's candidate. (A token-proved instance cannot
        // be one either: candidates exist only where the provider keeps no marks.)
        var claimed = entries.Select(e => e.Outcome?.InstanceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unresolved = new List<(JournalEntry Entry, CreateRecovery.CreateMatch Match)>();
        foreach (var entry in entries)
        {
            var intent = entry.Intent;
            if (entry.Outcome?.InstanceId is { } id)
            {
                var instance = live.FirstOrDefault(i => i.Id == id) ?? await ConfirmAsync(provider, id, search).ConfigureAwait(false);
                if (instance is not null) Report(entry, instance, OwnershipProof.JournalId, search);
                continue;
            }
            var match = CreateRecovery.Match(live, intent.Name, intent.Token, intent.ExistingIds, intent.At, support);
            if (match.Marked is { } marked) Report(entry, marked, OwnershipProof.CreateToken, search);
            else if (intent.At + UnknownOutcomeWindow <= now)
            {
                await CloseAsync(intent.Token).ConfigureAwait(false);
            }
            else unresolved.Add((entry, match));
        }

        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (entry, match) in unresolved)
        {
            var intent = entry.Intent;
            var openUntil = intent.At + UnknownOutcomeWindow;
            if (CreatorRuns(entry, now) != false)
            {
                search.Open.Add(new OpenCreate(intent, entry.LeaseUntil is { } until
                    ? $"its create may still be running (its process holds a lease until {until.UtcDateTime:HH:mm:ss} UTC)"
                    : "its create may still be running (its process runs, or runs on another host)", openUntil));
                continue;
            }
            var candidates = match.Newcomers.Where(i => !claimed.Contains(i.Id) && shown.Add(i.Id)).ToArray();
            foreach (var candidate in candidates)
                search.Found.Add(Owned(candidate, OwnedReason.MayBeYours, intent.At, intent.PricePerHour, intent.Currency, intent.ExpiresAt, now)
                    with { Proof = OwnershipProof.NameAndTime, Create = intent });
            if (candidates.Length == 0)
                search.Open.Add(new OpenCreate(intent, CreateRecovery.KeepsMarks(support)
                    ? "its outcome is unknown and no instance carries its token"
                    : "its outcome is unknown and no same-named instance made around its time is listed", openUntil));
        }
    }

    /// <summary>
    /// Whether the process that made an entry still runs: where the journal keeps leases, its lease decides, on any machine
    /// (a lease still running wins over a process check, since another machine may share this one's name); where it keeps
    /// none, the process itself, on this host only. <see langword="null"/> when neither can tell.
    /// </summary>
    internal static bool? CreatorRuns(JournalEntry entry, DateTimeOffset now) =>
        entry.LeaseUntil is { } until ? until > now : entry.Intent.Process.IsRunning();

    private void Report(JournalEntry entry, GpuInstance instance, OwnershipProof proof, Search search)
    {
        var intent = entry.Intent;
        var now = search.Now;
        var creatorGone = CreatorRuns(entry, now) == false;
        OwnedReason? reason = intent.ExpiresAt <= now ? OwnedReason.Expired
            : entry.Outcome?.Kind is JournalOutcomeKind.Kept ? null // handed to its user on purpose
            : creatorGone && entry.Outcome?.Kind is not JournalOutcomeKind.Created ? OwnedReason.UnknownOutcomeFound
            : creatorGone ? OwnedReason.CreatorGone
            : null; // its creator still runs and owns it
        if (reason is { } why)
            search.Found.Add(Owned(instance, why, intent.At, intent.PricePerHour, intent.Currency, intent.ExpiresAt, now) with { Proof = proof, Create = intent });
    }

    /// <summary>
    /// An instance missing from the list is asked for by id before its entry closes: a list can leave out what exists (a
    /// region or project outside the configured ones), and forgetting a live instance would leave it billing unseen.
    /// </summary>
    /// <returns>The instance when it still exists; <see langword="null"/> when it is gone (the entry is closed) or could not be asked (a failure).</returns>
    private async Task<GpuInstance?> ConfirmAsync(IGpuCloudProvider provider, string id, Search search)
    {
        try
        {
            var current = await provider.GetInstanceAsync(id, CancellationToken.None).ConfigureAwait(false);
            if (current.State is not InstanceState.Terminated) return current;
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
        catch (GpuCloudException ex)
        {
            // Not seen either way: the entry stays open for the next sweep, and this one says it could not look.
            search.Failures.Add(new ProviderFailure(provider.Name, null, ex));
            return null;
        }
        await BestEffortJournal.WriteAsync(options.Journal, j => j.RecordGoneAsync(provider.Name, id, search.Now, CancellationToken.None)).ConfigureAwait(false);
        return null;
    }

    /// <summary>Instances marked as this owner's whose token no open journal entry holds: made through another journal; shown, never proved.</summary>
    private void FromMarks(IGpuCloudProvider provider, GpuInstance[] live, JournalEntry[] entries, Search search)
    {
        if (provider is not ICreateSupport support) return;
        var tokens = entries.Select(e => e.Intent.Token).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in live)
        {
            // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
            // Stryker disable once Statement,Logical,Boolean,Equality : does not compile ('marks' unassigned)
            if (support.MarksOf(instance) is not { } marks || marks.Owner != options.Owner || tokens.Contains(marks.Token)) continue;
            var reason = marks.ExpiresAt <= search.Now ? OwnedReason.Expired : OwnedReason.NotInJournal;
            search.Found.Add(Owned(instance, reason, null, null, null, marks.ExpiresAt, search.Now) with { Proof = OwnershipProof.OwnerMark });
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

    /// <summary>
    /// Deletes a proved instance and waits until it is gone. In a shared journal its entry is claimed first, so that of
    /// two sweeps only one deletes it; a claim not used to the end (the delete failed, or must wait) is given back.
    /// </summary>
    public async Task<SweptInstance> DeleteAsync(IGpuCloudProvider provider, OwnedInstance owned, TimeSpan timeout, CancellationToken ct)
    {
        if (!owned.IsProved || owned.Create is not { } create)
            throw GpuCloudException.Invalid(nameof(owned), "only an instance the journal proves this client's is deleted by a sweep; delete any other by its id.");
        var shared = options.Journal as ISharedInstanceJournal;
        var claim = new JournalLease(options.Owner, JournalProcess.Current, time.GetUtcNow() + ClaimDuration);
        if (shared is not null && await shared.TryClaimAsync(create.Token, claim, time.GetUtcNow(), ct).ConfigureAwait(false) is { } holder)
            return new SweptInstance(owned, SweepOutcome.ClaimedByAnother) { ClaimedBy = holder };

        try
        {
            var swept = await DeleteClaimedAsync(provider, owned, timeout, ct).ConfigureAwait(false);
            if (swept.Outcome == SweepOutcome.StillProvisioning) await ReleaseAsync().ConfigureAwait(false);
            return swept;
        }
        catch
        {
            await ReleaseAsync().ConfigureAwait(false);
            throw;
        }

        Task ReleaseAsync() => BestEffortJournal.WriteAsync(shared, _ => shared!.ReleaseClaimAsync(create.Token, claim, CancellationToken.None));
    }

    private async Task<SweptInstance> DeleteClaimedAsync(IGpuCloudProvider provider, OwnedInstance owned, TimeSpan timeout, CancellationToken ct)
    {
        var id = owned.Instance.Id;
        var outcome = SweepOutcome.Deleted;
        if (await IsGoneAsync(provider, id, ct).ConfigureAwait(false))
        {
            outcome = SweepOutcome.AlreadyGone;
        }
        else
        {
            try
            {
                await provider.DeleteInstanceAsync(id, ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.Conflict)
            {
                // Refused because another delete is under way, or because it does not run yet.
                if (!await IsGoneAsync(provider, id, ct).ConfigureAwait(false)) return new SweptInstance(owned, SweepOutcome.StillProvisioning) { Refusal = ex };
                outcome = SweepOutcome.AlreadyGone;
            }
        }
        await waiter.WaitAsync(provider, id, InstanceState.Terminated, timeout, null, deleteOutOfStock: false, ct).ConfigureAwait(false);
        return new SweptInstance(owned, outcome);
    }

    /// <summary>Whether the instance is already deleted or on its way; a failure to ask is "not known to be gone" (the delete then says why).</summary>
    private static async Task<bool> IsGoneAsync(IGpuCloudProvider provider, string id, CancellationToken ct)
    {
        try
        {
            var current = await provider.GetInstanceAsync(id, ct).ConfigureAwait(false);
            return current.State is InstanceState.Terminated or InstanceState.Terminating;
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
            return true;
        }
        catch (GpuCloudException)
        {
            return false;
        }
    }

    private Task CloseAsync(string token) =>
        BestEffortJournal.WriteAsync(options.Journal,
            j => j.RecordOutcomeAsync(token, new JournalOutcome(JournalOutcomeKind.Closed, null, null, time.GetUtcNow()), CancellationToken.None));
}
