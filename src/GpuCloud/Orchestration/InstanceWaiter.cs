using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Polls one instance until it reaches a state. Ready (<see cref="InstanceState.Running"/>) means the provider says
/// running with an SSH endpoint and, unless <see cref="GpuCloudOptions.ReadinessProbe"/> is
/// <see cref="ReadinessProbe.None"/>, the endpoint answers the probe.
/// </summary>
/// <remarks>
/// The provider is polled at once, then after <see cref="GpuCloudOptions.MinPollInterval"/>, doubling up to
/// <see cref="GpuCloudOptions.PollInterval"/> (2, 4, 5, 5, ... seconds by default): a fresh instance is often ready
/// within seconds, and a slow one costs about one poll more than a fixed interval would (a pause shorter than
/// PollInterval adds most of a poll to a long wait whatever comes after it; the benchmarks' RESULTS.md has figures).
/// A transient failure of a poll (after the HTTP pipeline's own retries) does not end the wait: the next poll comes
/// no sooner than its <c>Retry-After</c>.
/// </remarks>
internal sealed class InstanceWaiter(GpuCloudOptions options, TimeProvider time, CreateRecovery creates)
{
    /// <summary>How often the readiness probe retries while the provider says running; it costs the provider nothing.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    private SshEndpointProbe? _probe;

    /// <summary>The readiness probe (<see cref="GpuCloudOptions.ReadinessProbe"/>); tests swap in one with short attempt timeouts.</summary>
    internal SshEndpointProbe Probe
    {
        get => _probe ??= new SshEndpointProbe(options.ReadinessProbe);
        set => _probe = value;
    }

    /// <summary>
    /// Waits for <paramref name="target"/>. An instance that fails ends the wait with an exception; with
    /// <paramref name="deleteOutOfStock"/> one that ran out of capacity is deleted first (a caller that cleans up
    /// what it created itself passes <see langword="false"/>).
    /// </summary>
    public async Task<GpuInstance> WaitAsync(IGpuCloudProvider p, string instanceId, InstanceState target, TimeSpan timeout,
        IProgress<GpuInstance>? progress, bool deleteOutOfStock, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var schedule = new PollSchedule(Min(options.MinPollInterval, options.PollInterval), options.PollInterval);
        GpuInstance? last = null;
        // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
        // 'while (false)' leaves no return, and an emptied try or catch (or a removed 'continue') leaves 'current' unassigned.
        // Stryker disable once Boolean : does not compile (not all code paths return a value)
        while (true)
        {
            GpuInstance current;
            // Stryker disable once Block,Statement : does not compile ('current' unassigned)
            try
            {
                current = await p.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound && target == InstanceState.Terminated)
            {
                current = (last ?? Gone(p.Name, instanceId)) with { State = InstanceState.Terminated, ProviderState = "not-found" };
            }
            catch (GpuCloudException ex) when (ex.IsTransient)
            {
                await PauseAfterFailedPollAsync(p, instanceId, target, timeout, deadline, schedule, ex, cancellationToken).ConfigureAwait(false);
                continue;
            }
            last = current;
            progress?.Report(current);

            if (target == InstanceState.Running && current.IsReady && Probe.Kind != ReadinessProbe.None)
            {
                var probed = await ProbeUntilNextPollAsync(p, current, deadline, timeout, cancellationToken).ConfigureAwait(false);
                if (probed is not null) return probed;
                continue;
            }
            if (target == InstanceState.Running ? current.IsReady : current.State == target)
            {
                if (target == InstanceState.Terminated) await RecordGoneAsync(p, current).ConfigureAwait(false);
                return current;
            }
            await ThrowIfUnreachableAsync(p, current, target, deleteOutOfStock).ConfigureAwait(false);

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var detail = current.State == InstanceState.Running && target == InstanceState.Running ? "running but not reachable yet" : $"state {current.State} ({current.ProviderState})";
                throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                    $"instance {instanceId} did not reach {target} within {timeout}; last seen {detail}.", p.Name);
            }
            await Task.Delay(Min(remaining, schedule.Next()), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A poll failed transiently. The HTTP pipeline has already retried this GET; the wait's own deadline is far longer,
    /// and ending it here would make a caller delete an instance that is coming up fine. So the failure is waited out:
    /// the next poll comes after the schedule's pause or the provider's Retry-After, whichever is longer.
    /// </summary>
    private async Task PauseAfterFailedPollAsync(IGpuCloudProvider p, string instanceId, InstanceState target, TimeSpan timeout,
        DateTimeOffset deadline, PollSchedule schedule, GpuCloudException ex, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var retryAfter = ex.RetryAfter is { } asked && asked > TimeSpan.Zero ? asked : TimeSpan.Zero;
        var pause = Max(schedule.Next(), retryAfter);
        if (retryAfter >= deadline - now)
        {
            throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                $"instance {instanceId} did not reach {target} within {timeout}; the last poll failed: {ex.Detail}", p.Name, ex);
        }
        await Task.Delay(Min(pause, deadline - now), time, ct).ConfigureAwait(false);
    }

    /// <summary>The pauses between polls: each twice the one before, from the first up to the cap.</summary>
    private sealed class PollSchedule(TimeSpan first, TimeSpan cap)
    {
        private TimeSpan _next = first;

        public TimeSpan Next()
        {
            var pause = _next;
            _next = _next >= cap / 2 ? cap : _next * 2;
            return pause;
        }
    }

    /// <summary>
    /// The provider says running with an endpoint: probe it on the probe's own cadence (it costs the provider nothing)
    /// until the next provider poll is due, which still notices an instance that fails or ends meanwhile.
    /// </summary>
    private async Task<GpuInstance?> ProbeUntilNextPollAsync(IGpuCloudProvider p, GpuInstance running, DateTimeOffset deadline, TimeSpan timeout, CancellationToken ct)
    {
        var ssh = running.Ssh!;
        var nextPoll = time.GetUtcNow() + options.PollInterval;
        while (true)
        {
            var attempt = await Probe.ProbeAsync(ssh, ct).ConfigureAwait(false);
            if (attempt.Answered || attempt.Skipped)
            {
                return running with
                {
                    Reachability = new SshProbeResult
                    {
                        Probe = Probe.Kind, Answered = attempt.Answered, Banner = attempt.Banner, NotProbedReason = attempt.Skipped ? attempt.Detail : null,
                    },
                };
            }
            var now = time.GetUtcNow();
            if (now >= deadline)
            {
                throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                    $"instance {running.Id} did not become ready within {timeout}: running but SSH did not answer at {ssh.Host}:{ssh.Port} ({attempt.Detail}).", p.Name);
            }
            if (now >= nextPoll) return null;
            await Task.Delay(Min(ProbeInterval, Min(deadline - now, nextPoll - now)), time, ct).ConfigureAwait(false);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Closes the journal's entry for an instance seen gone; a journal failure does not fail the wait that saw it.</summary>
    private Task RecordGoneAsync(IGpuCloudProvider provider, GpuInstance gone) =>
        BestEffortJournal.WriteAsync(options.Journal, j => j.RecordGoneAsync(provider.Name, gone.Id, time.GetUtcNow(), CancellationToken.None));

    private static GpuInstance Gone(string provider, string id) => new()
    {
        Provider = provider, Id = id, Name = id, State = InstanceState.Terminated, ProviderState = "not-found", Workload = WorkloadType.VirtualMachine,
    };

    private async Task ThrowIfUnreachableAsync(IGpuCloudProvider provider, GpuInstance current, InstanceState target, bool deleteOutOfStock)
    {
        if (current.State == InstanceState.Failed && target != InstanceState.Failed)
        {
            if (current.FailureReason == GpuCloudErrorCode.CapacityUnavailable)
            {
                // The provider leaves an out-of-stock husk behind; remove it before reporting (unless the caller does).
                var cleanup = deleteOutOfStock ? " " + (await creates.DeleteCreatedAsync(provider, current.Id).ConfigureAwait(false)).Message : "";
                throw new GpuCloudException(GpuCloudErrorCode.CapacityUnavailable,
                    $"no capacity for instance {current.Id} ({current.ProviderState});{cleanup}".TrimEnd(';'), provider.Name);
            }
            throw new GpuCloudException(current.FailureReason ?? GpuCloudErrorCode.ProviderUnavailable,
                $"instance {current.Id} failed ({current.ProviderState}) while waiting for {target}.", provider.Name);
        }
        if (current.State is InstanceState.Terminated or InstanceState.Terminating && target is not (InstanceState.Terminated or InstanceState.Terminating))
        {
            throw new GpuCloudException(GpuCloudErrorCode.Conflict,
                $"instance {current.Id} is {current.State} ({current.ProviderState}) and will not reach {target}.", provider.Name);
        }
    }
}
