using System.Net.Sockets;

namespace GpuCloud.Tests.Readiness;

/// <summary>
/// The readiness probe (issue 19) against loopback servers this test scripts: one attempt at a time, then inside
/// <see cref="GpuCloudClient.WaitForStateAsync"/> on a fake clock. The SSH identification line format and the lines a
/// server may send before it come from RFC 4253 section 4.2.
/// </summary>
public sealed class ReadinessProbeTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    // Short real-time attempt timeouts so that the "never answers" case ends quickly; no assertion depends on them.
    private static SshEndpointProbe Probe(ReadinessProbe kind = ReadinessProbe.SshBanner) =>
        new(kind, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));

    private static SshEndpoint Loopback(ScriptedTcpServer server) => new("127.0.0.1", server.Port, "root");

    [Test]
    public async Task Banner_AnswersAtOnce_IsReadWithTheLine()
    {
        await using var server = new ScriptedTcpServer(_ => ServerReply.Banner("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13"));

        var attempt = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        Assert.That(attempt, Is.EqualTo(ProbeAttempt.Reached("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13")));
    }

    [Test]
    public async Task Banner_AfterOtherLines_IsStillRead()
    {
        // RFC 4253 4.2: "The server MAY send other lines of data before sending the version string."
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send("Welcome\r\nauthorized use only\r\nSSH-2.0-dropbear_2022.83\r\n"));

        var attempt = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        Assert.That(attempt.Banner, Is.EqualTo("SSH-2.0-dropbear_2022.83"));
    }

    [Test]
    public async Task Banner_NeverSent_DoesNotAnswer()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Silent());

        var attempt = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempt.Answered, Is.False);
            Assert.That(attempt.Skipped, Is.False);
            Assert.That(attempt.Detail, Does.Contain("no SSH identification line"));
            Assert.That(server.Connections, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task NonSshLine_DoesNotAnswer()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send("HTTP/1.1 400 Bad Request\r\n\r\n"));

        var attempt = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        Assert.That(attempt.Answered, Is.False);
    }

    [Test]
    public async Task ClosedMidLine_DoesNotAnswer()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send("SSH-2.0-Open"));

        var attempt = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempt.Answered, Is.False);
            Assert.That(attempt.Detail, Does.Contain("closed before"));
        }
    }

    [Test]
    public async Task NothingListening_DoesNotAnswer()
    {
        using var reserved = BoundNotListening();
        var port = ((IPEndPoint)reserved.LocalEndPoint!).Port;

        var attempt = await Probe().ProbeAsync(new SshEndpoint("127.0.0.1", port, "root"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempt.Answered, Is.False);
            Assert.That(attempt.Detail, Does.Contain("connect failed"));
        }
    }

    [Test]
    public async Task Tcp_CountsAConnectionAsAnswer_EvenWithoutBanner()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Silent());

        var tcp = await Probe(ReadinessProbe.Tcp).ProbeAsync(Loopback(server), CancellationToken.None);
        var banner = await Probe().ProbeAsync(Loopback(server), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tcp.Answered, Is.True);
            Assert.That(tcp.Banner, Is.Null);
            Assert.That(banner.Answered, Is.False, "the same silent port is not an SSH server");
        }
    }

    [TestCase("10.0.0.2")]
    [TestCase("172.16.4.1")]
    [TestCase("192.168.1.10")]
    [TestCase("100.64.0.1")]
    [TestCase("169.254.169.254")]
    [TestCase("203.0.113.254")]
    [TestCase("fd00::1")]
    [TestCase("fe80::1")]
    public async Task PrivateAddress_IsReported_NotProbed(string host)
    {
        var attempt = await Probe().ProbeAsync(new SshEndpoint(host, 22, "ubuntu"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempt.Skipped, Is.True);
            Assert.That(attempt.Detail, Does.Contain("not a loopback or public address"));
        }
    }

    [TestCase("127.0.0.1", true)]
    [TestCase("::1", true)]
    [TestCase("216.81.248.90", true)]
    [TestCase("2606:4700::1111", true)]
    [TestCase("172.32.0.1", true)]
    [TestCase("10.1.2.3", false)]
    [TestCase("0.0.0.0", false)]
    [TestCase("224.0.0.1", false)]
    [TestCase("::ffff:192.168.0.1", false)]
    public void AddressClasses(string address, bool probed) =>
        Assert.That(SshEndpointProbe.IsLoopbackOrPublic(IPAddress.Parse(address)), Is.EqualTo(probed));

    [Test]
    public async Task Wait_AnswersLate_ReturnsOnceTheBannerComes_WithoutExtraProviderPolls()
    {
        // The first three connections are accepted and closed without a word (the machine runs; sshd is not up yet).
        await using var server = new ScriptedTcpServer(n => n <= 3 ? new ServerReply.Send("") : ServerReply.Banner());
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        using var client = Client(alpha, time);

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(5)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Reachability, Is.EqualTo(new SshProbeResult { Probe = ReadinessProbe.SshBanner, Answered = true, Banner = "SSH-2.0-OpenSSH_9.6" }));
            Assert.That(server.Connections, Is.EqualTo(4));
            Assert.That(time.GetUtcNow() - start, Is.EqualTo(3 * InstanceWaiter.ProbeInterval), "the probe retries on its own cadence");
            Assert.That(alpha.GetCalls, Is.EqualTo(1), "probe retries cost the provider nothing");
        }
    }

    [Test]
    public async Task Wait_NeverAnswers_TimesOutNamingTheEndpoint_AndKeepsPollingTheProvider()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send("HTTP/1.1 400 Bad Request\r\n"));
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        var time = new TrackedClock();
        using var client = Client(alpha, time);

        var ex = await ExpectTimeoutAsync(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromSeconds(30))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain($"running but SSH did not answer at 127.0.0.1:{server.Port}"));
            Assert.That(alpha.GetCalls, Is.EqualTo(6), "the provider is still polled every PollInterval (30 s / 5 s, plus the first)");
            Assert.That(server.Connections, Is.GreaterThan(alpha.GetCalls));
        }
    }

    [Test]
    public async Task Wait_ClosedMidLineThenBanner_Answers()
    {
        await using var server = new ScriptedTcpServer(n => n == 1 ? new ServerReply.Send("SSH-2.0-Op") : ServerReply.Banner());
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        var time = new TrackedClock();
        using var client = Client(alpha, time);

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1)));

        Assert.That(ready.Reachability?.Banner, Is.EqualTo("SSH-2.0-OpenSSH_9.6"));
    }

    [Test]
    public async Task Wait_PrivateEndpoint_ReturnsReported_WithoutConnecting()
    {
        var alpha = RunningAt(new SshEndpoint("10.0.0.2", 22, "ubuntu"));
        var time = new TrackedClock();
        using var client = Client(alpha, time);

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Reachability?.Answered, Is.False);
            Assert.That(ready.Reachability?.NotProbedReason, Does.Contain("10.0.0.2"));
            Assert.That(alpha.GetCalls, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Wait_ProbeNone_TrustsTheProvider()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Silent());
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        var time = new TrackedClock();
        using var client = new GpuCloudClient([alpha], new GpuCloudOptions { PollInterval = Poll, ReadinessProbe = ReadinessProbe.None }, time);

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Reachability, Is.Null);
            Assert.That(server.Connections, Is.Zero);
        }
    }

    [Test]
    public async Task Cheapest_SshNeverAnswers_TimesOut_AndTheInstanceIsDeleted()
    {
        await using var server = new ScriptedTcpServer(_ => new ServerReply.Send(""));
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        alpha.Plans.Add(Build.Plan("alpha", "a-1", 1m));
        var time = new TrackedClock();
        using var client = new GpuCloudClient([alpha], new GpuCloudOptions { PollInterval = Poll, ReadyTimeout = TimeSpan.FromSeconds(20), MaxCreateAttempts = 1 }, time) { Probe = Probe() };

        var ex = await ExpectTimeoutAsync(time.DriveAsync(client.CreateCheapestAsync(new GpuCloud.PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ToString(), Does.Contain($"running but SSH did not answer at 127.0.0.1:{server.Port}"));
            Assert.That(alpha.Deleted, Is.Not.Empty, "an instance that never became reachable is not left running");
        }
    }

    [Test]
    public async Task Cheapest_ReturnsTheProbedInstance()
    {
        await using var server = new ScriptedTcpServer(_ => ServerReply.Banner());
        var alpha = RunningAt(new SshEndpoint("127.0.0.1", server.Port, "root"));
        alpha.Plans.Add(Build.Plan("alpha", "a-1", 1m));
        var time = new TrackedClock();
        using var client = Client(alpha, time);

        var instance = await time.DriveAsync(client.CreateCheapestAsync(new GpuCloud.PlanQuery(), Template()));

        Assert.That(instance.Reachability?.Banner, Is.EqualTo("SSH-2.0-OpenSSH_9.6"));
    }

    private static CreateInstanceRequest Template() => new()
    {
        Name = "trainer-1",
        SshPublicKeys = [TestKeys.Ed25519],
        Provider = "ignored",
        PlanId = "ignored",
    };

    [Test]
    public void Options_RejectAnUnknownProbe() =>
        Assert.That(() => new GpuCloudOptions { ReadinessProbe = (ReadinessProbe)42 }.Validate(), Throws.ArgumentException);

    private static FakeProvider RunningAt(SshEndpoint ssh) => new("alpha")
    {
        OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Running, reachable: true, providerState: "ACTIVE") with { Ssh = ssh },
    };

    private static GpuCloudClient Client(FakeProvider provider, TrackedClock time) =>
        new([provider], new GpuCloudOptions { PollInterval = Poll }, time) { Probe = Probe() };

    private static Socket BoundNotListening()
    {
        // Bound but never listening: a connect is refused, and no other test can take the port meanwhile.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static async Task<GpuCloudException> ExpectTimeoutAsync(Task task)
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
