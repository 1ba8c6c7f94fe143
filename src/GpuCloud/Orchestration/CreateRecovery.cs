using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Sends a create once and, when its outcome is unknown, finds what it made, under one rule: an instance that existed
/// before the call is never returned by it, waited on as its result, or deleted by its cleanup. A name is not an
/// identity (neither provider keeps names unique), so "what this call made" is proved one of two ways:
/// <list type="bullet">
/// <item>the provider keeps a mark the call put on the instance (<see cref="ICreateSupport.MarkCreate"/>: Fluidstack
/// tags carry a token unique to the call); then only that token counts, never a name; or</item>
/// <item>otherwise the instances with the same name are listed before the create is sent, and afterwards exactly one
/// same-named instance that was not on that list, made within <see cref="ClockSkew"/> of the create, counts as this
/// call's (within this call only: the sweep treats such a match as "may be yours", see <see cref="Match"/>); two
/// newcomers prove nothing. Without that list the create is not sent.</item>
/// </list>
/// When nothing is proved, the caller hears that the instance may exist, and nothing is deleted on a guess. A lookup that
/// listed successfully and found no instance proves the create made nothing: its journal entry closes at once
/// (<see cref="JournalOutcomeKind.Failed"/>).
/// </summary>
internal sealed class CreateRecovery(GpuCloudOptions options, TimeProvider time, CreatorLease lease)
{
    private static readonly TimeSpan LongestMaxDuration = TimeSpan.FromDays(366);

    /// <summary>
    /// How far a provider's creation time may lie from the client's time of the create, either way: clocks differ, and a
    /// create is answered (or given up on) well within this. A same-named instance made outside this window is never a
    /// create's newcomer, however long its journal entry stays open.
    /// </summary>
    internal static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>Creates the instance; see the class remarks for what happens when the answer is lost.</summary>
    public async Task<GpuInstance> CreateAsync(IGpuCloudProvider provider, CreateInstanceRequest request, CancellationToken ct)
    {
        if (request.MaxDuration is { } duration && (duration <= TimeSpan.Zero || duration > LongestMaxDuration))
            throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.MaxDuration), "a maximum duration is positive and at most 366 days.");
        var now = time.GetUtcNow();
        var marks = new CreateMarks(Guid.NewGuid().ToString("N"), options.Owner, now + request.MaxDuration);
        var claim = await ClaimAsync(provider, request, marks, now, ct).ConfigureAwait(false);
        var journal = new JournalWriter(options.Journal, marks.Token, time);
        await lease.HoldAsync(ct).ConfigureAwait(false);
        await journal.IntentAsync(Intent(provider, request, marks, claim, now), ct).ConfigureAwait(false);

        try
        {
            var created = await provider.CreateInstanceAsync(claim.Request, ct).ConfigureAwait(false);
            await journal.OutcomeAsync(JournalOutcomeKind.Created, created.Id, null).ConfigureAwait(false);
            return created;
        }
        catch (GpuCloudException ex) when (ex.Code is GpuCloudErrorCode.Timeout or GpuCloudErrorCode.ProviderUnavailable or GpuCloudErrorCode.InvalidResponse
                                           && !HttpFailure.WasNotSent(ex))
        {
            // (An open circuit rejects the request before it is sent: its outcome is known, nothing was created.)
            return await AfterLostAnswerAsync(provider, request, claim, journal, ex, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex)
        {
            await journal.OutcomeAsync(JournalOutcomeKind.Failed, null, ex.Code).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await AfterCancelAsync(provider, claim, journal).ConfigureAwait(false);
            throw;
        }
    }

    private static JournalIntent Intent(IGpuCloudProvider provider, CreateInstanceRequest request, CreateMarks marks, Claim claim, DateTimeOffset now) => new()
    {
        Token = marks.Token,
        Provider = provider.Name,
        PlanId = request.TargetPlanId ?? "",
        Name = request.Name,
        PricePerHour = request.Plan?.PricePerHour,
        Currency = request.Plan?.Currency,
        At = now,
        ExpiresAt = marks.ExpiresAt,
        Owner = marks.Owner,
        Process = JournalProcess.Current,
        ExistingIds = claim.Before?.Order(StringComparer.Ordinal).ToArray() ?? [],
    };

    /// <summary>The create was sent and its answer lost: returns the instance this call provably made, or says it may exist.</summary>
    private async Task<GpuInstance> AfterLostAnswerAsync(IGpuCloudProvider provider, CreateInstanceRequest request, Claim claim, JournalWriter journal,
        GpuCloudException ex, CancellationToken ct)
    {
        var lookup = await FindOwnAsync(provider, claim, ct).ConfigureAwait(false);
        if (lookup.Mine is { } mine)
        {
            await journal.OutcomeAsync(JournalOutcomeKind.Created, mine.Id, null).ConfigureAwait(false);
            return mine;
        }
        // A list that showed nothing of this call proves it made nothing: the entry closes, and can never claim a later instance.
        await journal.OutcomeAsync(lookup.NoneMade ? JournalOutcomeKind.Failed : JournalOutcomeKind.Unknown, null, ex.Code).ConfigureAwait(false);
        throw new GpuCloudException(ex.Code,
            $"{Sentence(ex.Detail)} The create's outcome is unknown: an instance named '{request.Name}' may exist on {provider.Name}, "
            + $"but none was found that this call provably made ({lookup.Why}); nothing was deleted.",
            provider.Name, ex) { StatusCode = ex.StatusCode, ProviderMessage = ex.ProviderMessage, RetryAfter = ex.RetryAfter };
    }

    /// <summary>
    /// The caller gave up while the create may already have been sent: what it made must not stay behind, and nothing it
    /// did not make may be touched.
    /// </summary>
    private async Task AfterCancelAsync(IGpuCloudProvider provider, Claim claim, JournalWriter journal)
    {
        var lookup = await FindOwnAsync(provider, claim, CancellationToken.None).ConfigureAwait(false);
        if (lookup.Mine is { } mine)
        {
            await journal.OutcomeAsync(JournalOutcomeKind.Created, mine.Id, null).ConfigureAwait(false);
            await DeleteCreatedAsync(provider, mine.Id).ConfigureAwait(false);
        }
        else await journal.OutcomeAsync(lookup.NoneMade ? JournalOutcomeKind.Failed : JournalOutcomeKind.Unknown, null, null).ConfigureAwait(false);
    }

    /// <summary>What a create call carries so that its instance can be recognized later.</summary>
    /// <param name="Request">The request to send (with the provider's marks, when it keeps them).</param>
    /// <param name="Token">The call's token, when the provider keeps it on the instance.</param>
    /// <param name="Before">Ids of same-named instances that existed before the call; <see langword="null"/> when the request is marked.</param>
    /// <param name="Support">The provider's create support, when it has one.</param>
    /// <param name="At">When the create was sent (the client's clock).</param>
    private sealed record Claim(CreateInstanceRequest Request, string? Token, HashSet<string>? Before, ICreateSupport? Support, DateTimeOffset At);

    private async Task<Claim> ClaimAsync(IGpuCloudProvider provider, CreateInstanceRequest request, CreateMarks marks, DateTimeOffset now, CancellationToken ct)
    {
        var support = provider as ICreateSupport;
        if (support?.MarkCreate(request, marks) is { } marked) return new Claim(marked, marks.Token, null, support, now);

        // A request the provider would refuse fails here, before even this list leaves.
        support?.ValidateCreate(request);
        try
        {
            var listed = await provider.ListInstancesAsync(ct).ConfigureAwait(false);
            var before = listed.Where(i => i.Name == request.Name).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            return new Claim(request, null, before, support, now);
        }
        catch (GpuCloudException ex)
        {
            // Without this list a lost answer could prove nothing, and the instance would bill unseen: better not to send.
            throw new GpuCloudException(ex.Code,
                $"{Sentence(ex.Detail)} Nothing was created: the instances named '{request.Name}' must be listed before a create, to tell the new one from older ones.",
                provider.Name, ex) { StatusCode = ex.StatusCode, ProviderMessage = ex.ProviderMessage, RetryAfter = ex.RetryAfter };
        }
    }

    /// <summary>Writes one create's records to the journal, if there is one.</summary>
    private sealed class JournalWriter(IInstanceJournal? journal, string token, TimeProvider time)
    {
        /// <summary>Records the intent; a failure stops the create before anything is sent.</summary>
        public Task IntentAsync(JournalIntent intent, CancellationToken ct) =>
            journal is null ? Task.CompletedTask : journal.RecordIntentAsync(intent, ct);

        /// <summary>
        /// Records the outcome. A failure here is swallowed: the instance may exist, and the caller must get it (or the
        /// create's own error); the intent already written is enough for a sweep to find it.
        /// </summary>
        public Task OutcomeAsync(JournalOutcomeKind kind, string? instanceId, GpuCloudErrorCode? error) =>
            BestEffortJournal.WriteAsync(journal, j => j.RecordOutcomeAsync(token, new JournalOutcome(kind, instanceId, error, time.GetUtcNow()), CancellationToken.None));
    }

    /// <param name="Mine">The instance this call provably made.</param>
    /// <param name="Why">Why none was found, for the error message.</param>
    /// <param name="NoneMade">The provider listed, and showed nothing this call could have made.</param>
    private readonly record struct Lookup(GpuInstance? Mine, string Why, bool NoneMade = false);

    /// <summary>
    /// Looks for the instance this call made, within <see cref="GpuCloudOptions.CleanupTimeout"/>. A transient failure (such
    /// as a circuit the lost answer itself opened) is waited out and the lookup tried again.
    /// </summary>
    private async Task<Lookup> FindOwnAsync(IGpuCloudProvider provider, Claim claim, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(options.CleanupTimeout, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        while (true)
        {
            try
            {
                var listed = await provider.ListInstancesAsync(cts.Token).ConfigureAwait(false);
                return Recognize(listed, claim);
            }
            catch (GpuCloudException ex) when (ex.IsTransient && !cts.IsCancellationRequested)
            {
                // Poll rather than sleep out a whole Retry-After: a circuit reopens for a probe before its break ends
                // for every caller, and the lookup must get its turn within CleanupTimeout.
                var wait = ex.RetryAfter is { } after && after > TimeSpan.Zero && after < options.PollInterval ? after : options.PollInterval;
                try
                {
                    await Task.Delay(wait, time, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return new Lookup(null, $"the lookup failed: {ex.Message}");
                }
            }
            catch (Exception ex) when (ex is GpuCloudException || ex is OperationCanceledException && !ct.IsCancellationRequested)
            {
                return new Lookup(null, $"the lookup failed: {ex.Message}");
            }
        }
    }

    private static Lookup Recognize(IReadOnlyList<GpuInstance> listed, Claim claim)
    {
        var name = claim.Request.Name;
        // Within the call the list taken before it bounds the newcomers in time: no creation window is needed.
        var match = Match(listed, name, claim.Token, claim.Before ?? [], null, claim.Support);
        var others = listed.Count(i => i.Name == name && IsLive(i)) - (match.Marked is null ? match.Newcomers.Count : 1);
        if (claim.Token is not null)
            return match.Marked is { } marked ? new Lookup(marked, "") : new Lookup(null, $"no instance carries this call's token{Others(others)}", NoneMade: true);
        return match.Newcomers.Count switch
        {
            1 => new Lookup(match.Newcomers[0], ""),
            0 => new Lookup(null, $"no instance with that name appeared{Others(others)}", NoneMade: true),
            _ => new Lookup(null, $"{match.Newcomers.Count} instances with that name appeared while it ran"),
        };
    }

    /// <summary>What a provider's list shows of one create, by the one rule the create lookup and the sweep share.</summary>
    /// <param name="Marked">The live instance that carries the create's token: proof, on a provider that keeps marks.</param>
    /// <param name="Newcomers">
    /// On a provider that keeps no marks: the live, unmarked instances with the create's name that were not listed before it
    /// and were made within <see cref="ClockSkew"/> of it. Evidence by name and time, not proof. Always empty on a provider
    /// that keeps marks: there the token is the only evidence.
    /// </param>
    internal sealed record CreateMatch(GpuInstance? Marked, IReadOnlyList<GpuInstance> Newcomers);

    /// <summary>
    /// The one rule for "what did this create make", shared by the create lookup and the sweep. Where the provider keeps
    /// marks (<see cref="KeepsMarks"/>), only the instance carrying <paramref name="token"/> is the create's, whatever its
    /// name; nothing falls back to the name. Elsewhere, the candidates are same-named live instances that carry no mark,
    /// were not among <paramref name="before"/> (the same-named ids listed before the create) and, when
    /// <paramref name="at"/> is given (a sweep, any time later), were made no earlier and no later than
    /// <see cref="ClockSkew"/> around it (an instance without a creation time cannot be placed, so time does not rule it out).
    /// </summary>
    internal static CreateMatch Match(IEnumerable<GpuInstance> listed, string name, string? token, IReadOnlyCollection<string> before,
        DateTimeOffset? at, ICreateSupport? support)
    {
        var live = listed.Where(IsLive).ToArray();
        if (KeepsMarks(support))
            return new CreateMatch(token is null ? null : live.FirstOrDefault(i => support!.MarksOf(i)?.Token == token), []);
        var newcomers = live.Where(i => i.Name == name && !before.Contains(i.Id) && support?.MarksOf(i) is null
                                        && (at is not { } sent || i.CreatedAt is not { } created || (created >= sent - ClockSkew && created <= sent + ClockSkew)))
            .ToArray();
        return new CreateMatch(null, newcomers);
    }

    /// <summary>Whether an instance can still be a create's result: not terminated and not being terminated.</summary>
    internal static bool IsLive(GpuInstance instance) => instance.State is not (InstanceState.Terminated or InstanceState.Terminating);

    /// <summary>
    /// Whether the provider keeps a create's marks on the instance (<see cref="ICreateSupport.MarkCreate"/> gives a marked
    /// request): then a token is the only evidence of a create, and a name never is.
    /// </summary>
    internal static bool KeepsMarks(ICreateSupport? support) =>
        support?.MarkCreate(new CreateInstanceRequest { Name = "probe" }, new CreateMarks("probe", "probe", null)) is not null;

    private static string Sentence(string message) => message.EndsWith('.') ? message : message + ".";

    private static string Others(int count) => count == 0 ? "" : $"; {count} older instance(s) with that name were left alone";

    /// <summary>
    /// Deletes what a failed or cancelled create left behind, within <see cref="GpuCloudOptions.CleanupTimeout"/>, whatever
    /// the caller's token says. A provider that cannot delete an instance yet (Fluence, until it is active) answers
    /// <see cref="GpuCloudErrorCode.Conflict"/>; then the delete is tried again every poll interval until the time is up.
    /// Only ever called with the id of an instance this client created.
    /// </summary>
    /// <returns>Whether it is gone, and a sentence saying what happened, for the error message.</returns>
    public async Task<(bool Deleted, string Message)> DeleteCreatedAsync(IGpuCloudProvider provider, string instanceId)
    {
        using var cts = new CancellationTokenSource(options.CleanupTimeout, time);
        while (true)
        {
            try
            {
                await provider.DeleteInstanceAsync(instanceId, cts.Token).ConfigureAwait(false);
                return (true, $"instance {instanceId} was deleted");
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.Conflict && !cts.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.PollInterval, time, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return (false, $"instance {instanceId} could NOT be deleted ({ex.Message}); delete it yourself");
                }
            }
            catch (Exception ex)
            {
                // Best effort, and never the reason the caller's real error is lost: every failure becomes a sentence.
                return (false, $"instance {instanceId} could NOT be deleted ({ex.Message}); delete it yourself");
            }
        }
    }
}
