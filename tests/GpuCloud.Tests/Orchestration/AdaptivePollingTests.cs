namespace GpuCloud.Tests.Readiness;

/// <summary>
/// When a wait polls the provider (issue 19 item 3): at once, then after <see cref="GpuCloudOptions.MinPollInterval"/>,
/// doubling up to <see cref="GpuCloudOptions.PollInterval"/>; a transient failure is waited out, no sooner than its
/// <c>Retry-After</c> (RFC 9110 section 10.2.3: how long the client ought to wait before a follow-up request). Every
/// time here is read off a fake clock at the moment the provider is asked.
/// </summary>
public sealed class AdaptivePollingTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    [Test]
    public async Task PollsAtOnce_ThenBacksOffFromMinPollIntervalToPollInterval()
    {
        var time = new TrackedClock();
        var (alpha, times) = ReadyOnGet(time, 7);
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        var ready = await time.DriveAsync(Wait(client));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.IsReady, Is.True);
            Assert.That(times, Is.EqualTo(Seconds(0, 2, 6, 11, 16, 21, 26)), "2, 4 s (MinPollInterval doubling), then PollInterval (5 s) from there on");
        }
    }

    [Test]
    public async Task NeverPollsFasterThanMinPollInterval()
    {
        var time = new TrackedClock();
        var (alpha, times) = ReadyOnGet(time, 5);
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = TimeSpan.FromSeconds(60), MinPollInterval = TimeSpan.FromSeconds(3) });

        await time.DriveAsync(Wait(client));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(times, Is.EqualTo(Seconds(0, 3, 9, 21, 45)));
            Assert.That(Gaps(times).Min(), Is.EqualTo(TimeSpan.FromSeconds(3)));
        }
    }

    [Test]
    public async Task BackOffStopsAtPollInterval_EvenBetweenDoublings()
    {
        var time = new TrackedClock();
        var (alpha, times) = ReadyOnGet(time, 6);
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = TimeSpan.FromSeconds(3) });

        await time.DriveAsync(Wait(client));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(times, Is.EqualTo(Seconds(0, 2, 5, 8, 11, 14)), "2, then 3 s: the doubling to 4 s is capped");
            Assert.That(Gaps(times).Max(), Is.EqualTo(TimeSpan.FromSeconds(3)));
        }
    }

    [Test]
    public async Task HugeIntervals_AreCutToTheDeadline_WithoutOverflowing()
    {
        var time = new TrackedClock();
        var (alpha, times) = ReadyOnGet(time, int.MaxValue);
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = TimeSpan.MaxValue, MinPollInterval = TimeSpan.MaxValue });

        var ex = await ExpectAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(times, Is.EqualTo(Seconds(0, 60)));
        }
    }

    [Test]
    public async Task RateLimitedPoll_IsRetriedNoSoonerThanItsRetryAfter()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var times = new List<TimeSpan>();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) =>
            {
                times.Add(time.GetUtcNow() - start);
                return n switch
                {
                    1 => Build.Instance("alpha", id, InstanceState.Provisioning),
                    2 => throw RateLimited(TimeSpan.FromSeconds(30)),
                    _ => Build.Instance("alpha", id, InstanceState.Running, reachable: true),
                };
            },
        };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(5)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.IsReady, Is.True, "a rate-limited poll does not end the wait");
            Assert.That(times, Is.EqualTo(Seconds(0, 2, 32)), "30 s after the 429, not the 4 s the back-off had reached");
        }
    }

    [Test]
    public async Task UnavailablePoll_WithAShortRetryAfter_KeepsTheBackOff()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var times = new List<TimeSpan>();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) =>
            {
                times.Add(time.GetUtcNow() - start);
                return n switch
                {
                    2 => throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, "alpha: 503", "alpha")
                        { StatusCode = HttpStatusCode.ServiceUnavailable, RetryAfter = TimeSpan.FromMilliseconds(100) },
                    < 4 => Build.Instance("alpha", id, InstanceState.Provisioning),
                    _ => Build.Instance("alpha", id, InstanceState.Running, reachable: true),
                };
            },
        };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(5)));

        Assert.That(times, Is.EqualTo(Seconds(0, 2, 6, 11)), "Retry-After is a lower bound: the 4 s pause is longer, so it stands");
    }

    [Test]
    public async Task RetryAfterBeyondTheDeadline_EndsTheWaitAtOnce_AsATimeout()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var alpha = new FakeProvider("alpha") { OnGet = (_, _) => throw RateLimited(TimeSpan.FromMinutes(2)) };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        var ex = await ExpectAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("did not reach Running within 00:01:00").And.Contain("the last poll failed"));
            Assert.That(ex.InnerException, Is.InstanceOf<GpuCloudException>().With.Property("Code").EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(alpha.GetCalls, Is.EqualTo(1), "the provider asked for 2 minutes; the wait had 1");
            Assert.That(time.GetUtcNow() - start, Is.EqualTo(TimeSpan.Zero), "no point sleeping out a wait that cannot poll again");
        }
    }

    [Test]
    public async Task TransientFailuresUntilTheDeadline_EndAsATimeout_NamingTheLastFailure()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var alpha = new FakeProvider("alpha") { OnGet = (_, _) => throw Build.Error(GpuCloudErrorCode.ProviderUnavailable) };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        var ex = await ExpectAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromSeconds(10))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Is.EqualTo("alpha: instance i-1 did not reach Running within 00:00:10; the last poll failed: ProviderUnavailable"));
            Assert.That(alpha.GetCalls, Is.EqualTo(4), "polls at 0, 2, 6 and 10 s (the last pause cut to the deadline)");
            Assert.That(time.GetUtcNow() - start, Is.EqualTo(TimeSpan.FromSeconds(10)));
        }
    }

    [TestCase(GpuCloudErrorCode.Unauthorized)]
    [TestCase(GpuCloudErrorCode.InvalidResponse)]
    [TestCase(GpuCloudErrorCode.Forbidden)]
    public async Task NonTransientPollFailure_StillEndsTheWait_AsItself(GpuCloudErrorCode code)
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (_, _) => throw Build.Error(code) };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = Poll });

        var ex = await ExpectAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(alpha.GetCalls, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task OnceRunning_TheProviderIsPolledEveryPollInterval_WhileTheProbeRunsOnItsOwnCadence()
    {
        // Accepts and closes without a word: the machine runs, sshd is not up, and never will be within this wait.
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send(""));
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var times = new List<TimeSpan>();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) =>
            {
                times.Add(time.GetUtcNow() - start);
                return n < 3
                    ? Build.Instance("alpha", id, InstanceState.Provisioning)
                    : Build.Instance("alpha", id, InstanceState.Running, reachable: true) with { Ssh = new SshEndpoint("127.0.0.1", server.Port, "root") };
            },
        };
        using var client = Client(alpha, time, new GpuCloudOptions { PollInterval = TimeSpan.FromSeconds(10) });
        client.Probe = new SshEndpointProbe(ReadinessProbe.SshBanner, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));

        var ex = await ExpectAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromSeconds(20))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(times, Is.EqualTo(Seconds(0, 2, 6, 16)), "running at 6 s: PollInterval (10 s) from there on, not the back-off's next 8 s");
            // One attempt (one connection) per ProbeInterval from 6 s to the 20 s deadline, at least.
            Assert.That(server.Connections, Is.GreaterThanOrEqualTo((int)(TimeSpan.FromSeconds(14) / InstanceWaiter.ProbeInterval)));
        }
    }

    [Test]
    public void Options_RejectANonPositiveMinPollInterval()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new GpuCloudOptions { MinPollInterval = TimeSpan.Zero }.Validate(),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("MinPollInterval"));
            Assert.That(() => new GpuCloudOptions { MinPollInterval = TimeSpan.FromSeconds(-1) }.Validate(),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("MinPollInterval"));
        }
    }

    /// <summary>Provisioning until the <paramref name="readyOn"/>-th GET, then ready; records when each GET came.</summary>
    private static (FakeProvider Alpha, List<TimeSpan> Times) ReadyOnGet(TrackedClock time, int readyOn)
    {
        var start = time.GetUtcNow();
        var times = new List<TimeSpan>();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) =>
            {
                times.Add(time.GetUtcNow() - start);
                return n < readyOn
                    ? Build.Instance("alpha", id, InstanceState.Provisioning)
                    : Build.Instance("alpha", id, InstanceState.Running, reachable: true);
            },
        };
        return (alpha, times);
    }

    private static GpuCloudClient Client(FakeProvider alpha, TrackedClock time, GpuCloudOptions options) => new([alpha], options, time);

    private static Task<GpuInstance> Wait(GpuCloudClient client) =>
        client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(5));

    private static TimeSpan[] Seconds(params double[] seconds) => seconds.Select(TimeSpan.FromSeconds).ToArray();

    private static IEnumerable<TimeSpan> Gaps(List<TimeSpan> times) => times.Zip(times.Skip(1), (a, b) => b - a);

    private static GpuCloudException RateLimited(TimeSpan retryAfter) =>
        new(GpuCloudErrorCode.RateLimited, "alpha: too many requests", "alpha") { StatusCode = HttpStatusCode.TooManyRequests, RetryAfter = retryAfter };

    private static async Task<GpuCloudException> ExpectAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (GpuCloudException ex)
        {
            return ex;
        }
        Assert.Fail("Expected a GpuCloudException.");
        return null!;
    }
}
