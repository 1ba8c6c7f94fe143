using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Sends a create once and, when its outcome is unknown, finds what it made, under one rule: an instance that existed
/// before the call is never returned by it, waited on as its result, or deleted by its cleanup. A name is not an
/// identity (neither provider keeps names unique), so "what this call made" is proved one of two ways:
/// <list type="bullet">
/// <item>the provider keeps a mark the call put on the instance (<see cref="ICreateSupport.MarkCreate"/>: Fluidstack
/// tags carry a token unique to the call); or</item>
/// <item>otherwise the instances with the same name are listed before the create is sent, and afterwards exactly one
/// same-named instance that was not on that list counts as this call's; two newcomers prove nothing. Without that
/// list the create is not sent.</item>
/// </list>
/// When nothing is proved, the caller hears that the instance may exist, and nothing is deleted on a guess.
/// </summary>
internal sealed class CreateRecovery(GpuCloudOptions options, TimeProvider time)
{
    private static readonly TimeSpan LongestMaxDuration = TimeSpan.FromDays(366);

    /// <summary>Creates the instance; see the class remarks for what happens when the answer is lost.</summary>
    public async Task<GpuInstance> CreateAsync(IGpuCloudProvider provider, CreateInstanceRequest request, CancellationToken ct)
    {
        if (request.MaxDuration is { } duration && (duration <= TimeSpan.Zero || duration > LongestMaxDuration))
            throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.MaxDuration), "a maximum duration is positive and at most 366 days.");
        var now = time.GetUtcNow();
        var marks = new CreateMarks(Guid.NewGuid().ToString("N"), options.Owner, now + request.MaxDuration);
        var claim = await ClaimAsync(provider, request, marks, ct).ConfigureAwait(false);
        var journal = new JournalWriter(options.Journal, marks.Token, time);
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
        await journal.OutcomeAsync(JournalOutcomeKind.Unknown, null, ex.Code).ConfigureAwait(false);
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
        else await journal.OutcomeAsync(JournalOutcomeKind.Unknown, null, null).ConfigureAwait(false);
    }

    /// <summary>What a create call carries so that its instance can be recognized later.</summary>
    /// <param name="Request">The request to send (with the provider's marks, when it keeps them).</param>
    /// <param name="Token">The call's token, when the provider keeps it on the instance.</param>
    /// <param name="Before">Ids of same-named instances that existed before the call; <see langword="null"/> when the request is marked.</param>
    /// <param name="Support">The provider's create support, when it has one.</param>
    private sealed record Claim(CreateInstanceRequest Request, string? Token, HashSet<string>? Before, ICreateSupport? Support);

    private async Task<Claim> ClaimAsync(IGpuCloudProvider provider, CreateInstanceRequest request, CreateMarks marks, CancellationToken ct)
    {
        var support = provider as ICreateSupport;
        if (support?.MarkCreate(request, marks) is { } marked) return new Claim(marked, marks.Token, null, support);

        // A request the provider would refuse fails here, before even this list leaves.
        support?.ValidateCreate(request);
        try
        {
            var listed = await provider.ListInstancesAsync(ct).ConfigureAwait(false);
            var before = listed.Where(i => i.Name == request.Name).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
            return new Claim(request, null, before, support);
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

    private readonly record struct Lookup(GpuInstance? Mine, string Why);

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
        var sameName = listed.Where(i => i.Name == name && i.State is not (InstanceState.Terminated or InstanceState.Terminating)).ToArray();
        if (claim.Token is { } token)
        {
            var marked = sameName.FirstOrDefault(i => claim.Support!.MarksOf(i)?.Token == token);
            return marked is not null ? new Lookup(marked, "") : new Lookup(null, $"no instance carries this call's token{Others(sameName.Length)}");
        }
        var newcomers = Newcomers(sameName, name, claim.Before!, claim.Support).ToArray();
        return newcomers.Length switch
        {
            1 => new Lookup(newcomers[0], ""),
            0 => new Lookup(null, $"no instance with that name appeared{Others(sameName.Length)}"),
            _ => new Lookup(null, $"{newcomers.Length} instances with that name appeared while it ran"),
        };
    }

    /// <summary>
    /// The rule where the provider keeps no marks: live instances named <paramref name="name"/> that were not among
    /// <paramref name="before"/> (the same-named ids listed before the create) and carry no other create's mark. Exactly one
    /// of them is the create's; more prove nothing. Shared by the create lookup and the sweep.
    /// </summary>
    internal static IEnumerable<GpuInstance> Newcomers(IEnumerable<GpuInstance> listed, string name, IReadOnlyCollection<string> before, ICreateSupport? support) =>
        listed.Where(i => i.Name == name && i.State is not (InstanceState.Terminated or InstanceState.Terminating)
                          && !before.Contains(i.Id) && support?.MarksOf(i) is null);

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
