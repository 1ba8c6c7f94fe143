using System.Reflection;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// One timeout model (README, "Timeouts"): an attempt is bounded by <c>Resilience.AttemptTimeout</c>, a call with its
/// retries by <c>Resilience.TotalTimeout</c>, both on the pipeline's clock. No <see cref="HttpClient.Timeout"/> cuts
/// across them: it ran on the system clock at 100 s, before the 2-minute total could act.
/// </summary>
public class TimeoutModelTests : PlumbingTest
{
    private static FluenceOptions Fluence() => new() { ApiKey = FluenceKey, BaseUrl = new Uri(FluenceJson.Base) };

    private static FluidstackOptions ClientCredentials() => new()
    {
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        TokenUrl = new Uri(TokenUrl),
        ManagementUrl = new Uri(FluidstackJson.Management),
        ProjectId = FluidstackJson.ProjectId,
    };

    private const string TokenUrl = "https://auth.example.test/oauth/token";

    private static string OneKeyPage => FluenceJson.SshKeyPage(0, 1, FluenceJson.SshKey(FluenceJson.DocKeyId, "laptop", FluenceJson.DocKey));

    /// <summary>Every <see cref="HttpClient"/> an object holds, directly or in a GpuCloud object it holds (the token source).</summary>
    private static List<HttpClient> HttpClientsOf(object owner, int depth = 2)
    {
        var found = new List<HttpClient>();
        for (var type = owner.GetType(); type is not null; type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            {
                var value = field.GetValue(owner);
                if (value is HttpClient http) found.Add(http);
                else if (depth > 1 && value is not null && value.GetType().Assembly == typeof(GpuCloudClient).Assembly && !value.GetType().IsValueType)
                    found.AddRange(HttpClientsOf(value, depth - 1));
            }
        }
        return found;
    }

    [Test]
    public void TheProvidersOfAClient_SendThroughHttpClientsWithNoTimeoutOfTheirOwn()
    {
        var options = new GpuCloudOptions { Fluence = Fluence(), Fluidstack = ClientCredentials() };
        using var client = new GpuCloudClient(options);

        var clients = client.Providers.SelectMany(p => HttpClientsOf(p)).ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clients, Has.Length.EqualTo(3), "Fluence's, Fluidstack's and Fluidstack's token client");
            Assert.That(clients.Select(c => c.Timeout), Is.All.EqualTo(Timeout.InfiniteTimeSpan),
                "HttpClient.Timeout runs on the system clock over every retry: it would cut a call the total timeout allows");
        }
    }

    [Test]
    public void ProvidersBuiltWithoutAHandler_HaveNoHttpClientTimeoutEither()
    {
        using var fluence = new FluenceProvider(Fluence());
        using var fluidstack = new FluidstackProvider(ClientCredentials());

        var clients = HttpClientsOf(fluence).Concat(HttpClientsOf(fluidstack)).ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clients, Has.Length.EqualTo(3));
            Assert.That(clients.Select(c => c.Timeout), Is.All.EqualTo(Timeout.InfiniteTimeSpan));
        }
    }

    [Test]
    public async Task ACallAnsweredAfter101Seconds_WithinTheAttemptAndTotalTimeouts_Succeeds()
    {
        var clock = new TrackedClock();
        var inner = new ScriptedHandler().On(HttpMethod.Get, FluenceJson.SshKeysUrl, async (_, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(101), clock, ct).ConfigureAwait(false);
            return Response(HttpStatusCode.OK, OneKeyPage);
        });
        // The attempt may take 110 s; the total stays at its default of 2 minutes.
        var resilience = new GpuCloudResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(110) };
        using var handler = new GpuCloudResilienceHandler(FluenceProvider.ProviderName, resilience, clock) { InnerHandler = inner };
        using var fluence = new FluenceProvider(Fluence(), handler);

        var listing = fluence.ListSshKeysAsync();
        Assert.That(await clock.WaitForTimerWithinAsync(TimeSpan.FromSeconds(101)), Is.EqualTo(TimeSpan.FromSeconds(101)), "the slow answer is due");
        clock.Advance(TimeSpan.FromSeconds(101));
        var keys = await Guard(listing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "laptop" }));
            Assert.That(inner.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task EveryAttemptTimingOut_IsEndedByTheTotalTimeout_AfterTwoMinutes_WithTimeout()
    {
        var clock = new TrackedClock();
        var inner = new ScriptedHandler().OnAny(Hang);
        // Attempts of 45 s with short back-off: the third attempt is running when the default 2-minute total ends the call.
        var resilience = new GpuCloudResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(45), RetryBaseDelay = TimeSpan.FromMilliseconds(100) };
        using var handler = new GpuCloudResilienceHandler(FluenceProvider.ProviderName, resilience, clock) { InnerHandler = inner };
        using var fluence = new FluenceProvider(Fluence(), handler);

        var start = clock.GetUtcNow();
        var listing = fluence.ListSshKeysAsync();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await inner.WaitForCountAsync(attempt);
            clock.Advance(TimeSpan.FromSeconds(45));
            clock.Advance(await clock.WaitForTimerWithinAsync(TimeSpan.FromSeconds(5))); // the back-off
        }
        await inner.WaitForCountAsync(3);
        var left = start + TimeSpan.FromMinutes(2) - clock.GetUtcNow();
        Assert.That(left, Is.LessThan(TimeSpan.FromSeconds(45)), "the third attempt's own limit lies beyond the total");
        clock.Advance(left);
        var ex = await FailsWith<GpuCloudException>(listing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("120 s"), "the total limit is the one reported");
            Assert.That(inner.Count, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task AFluidstackTokenRequestThatNeverAnswers_IsEndedByTheAttemptTimeout_WithTimeout()
    {
        var clock = new TrackedClock();
        var inner = new ScriptedHandler().On(HttpMethod.Post, TokenUrl, Hang);
        using var handler = new GpuCloudResilienceHandler(FluidstackProvider.ProviderName, new GpuCloudResilienceOptions(), clock) { InnerHandler = inner };
        using var fluidstack = new FluidstackProvider(ClientCredentials(), handler, clock);

        var listing = fluidstack.ListSshKeysAsync();
        await inner.WaitForCountAsync(1);
        Assert.That(await clock.WaitForTimerWithinAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(30)), "the default attempt timeout");
        clock.Advance(TimeSpan.FromSeconds(30));
        // Asking for a token changes nothing at the server, so the token POST is retried like a GET (issue 25) until the
        // pipeline's total timeout (120 s) ends it.
        await clock.DriveAsync((Task)listing);
        var ex = await FailsWith<GpuCloudException>(listing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Provider, Is.EqualTo(FluidstackProvider.ProviderName));
            Assert.That(inner.Count, Is.GreaterThan(1), "the token request is resent after a timed-out attempt");
        }
    }

    [Test]
    public void TheReadmesTimeoutTable_MatchesTheDefaultsInTheCode()
    {
        var readme = File.ReadAllLines(RepositoryFiles.Path("README.md"));
        var table = readme.SkipWhile(l => l != "### Timeouts").Skip(1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Skip(2).Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToDictionary(c => c[1], c => (Setting: c[2], Default: c[3]));
        static TimeSpan Parse(string text) => text.Split(' ') switch
        {
            [var n, "s"] => TimeSpan.FromSeconds(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)),
            [var n, "min"] => TimeSpan.FromMinutes(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new FormatException(text),
        };
        var options = new GpuCloudOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table.Keys, Is.EqualTo(new[] { "per attempt", "whole call", "waits", "cleanup" }), "one row per timeout");
            Assert.That(table["per attempt"].Setting, Does.Contain("`Resilience:AttemptTimeout`"));
            Assert.That(Parse(table["per attempt"].Default), Is.EqualTo(options.Resilience.AttemptTimeout));
            Assert.That(table["whole call"].Setting, Does.Contain("`Resilience:TotalTimeout`"));
            Assert.That(Parse(table["whole call"].Default), Is.EqualTo(options.Resilience.TotalTimeout));
            Assert.That(table["waits"].Setting, Does.Contain("`ReadyTimeout`"));
            Assert.That(Parse(table["waits"].Default), Is.EqualTo(options.ReadyTimeout));
            Assert.That(table["cleanup"].Setting, Does.Contain("`CleanupTimeout`"));
            Assert.That(Parse(table["cleanup"].Default), Is.EqualTo(options.CleanupTimeout));
        }
    }
}
