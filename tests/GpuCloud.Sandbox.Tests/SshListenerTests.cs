using System.Net;
using System.Net.Sockets;
using System.Text;
using GpuCloud.Sandbox.Tests.Support;

namespace GpuCloud.Sandbox.Tests;

/// <summary>
/// Issue 19: a running sandbox instance with SSH answers an SSH identification line on a loopback port, after
/// <see cref="SandboxOptions.SshAnswerDelay"/> on the sandbox clock, and stops answering when it ends.
/// </summary>
public sealed class SshListenerTests : SandboxTestBase
{
    [Test]
    public async Task Container_SshPort_RefusesUntilTheDelay_ThenAnswers_ThenClosesWithTheInstance()
    {
        var id = await DeployContainerAsync();
        Advance(2);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        var host = (string)detail["network"]!["domain"]!;
        var port = int.Parse((string)detail["network"]!["forwarded_ports"]!.Single(p => (string)p["port"]! == "22")["external_port"]!);
        Assert.That(host, Is.EqualTo("127.0.0.1"));

        // ACTIVE at 2 s; the listener answers from 3 s (the default 1 s delay).
        var early = await TryBannerAsync(port);
        Advance(1);
        var banner = await TryBannerAsync(port);
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.NoContent);
        var afterEnd = await TryBannerAsync(port);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(early, Is.EqualTo("refused"));
            Assert.That(banner, Does.StartWith("SSH-2.0-"));
            Assert.That(afterEnd, Is.EqualTo("refused"));
        }
    }

    [Test]
    public async Task Vm_SshConnection_PointsAtAnAnsweringListener()
    {
        var id = await DeployVmAsync();
        Advance(5);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/vms/{id}"), HttpStatusCode.OK);
        var command = (string)detail["ssh_connection"]!;
        var port = int.Parse(command.Split(' ')[2]);

        Assert.That(await TryBannerAsync(port), Does.StartWith("SSH-2.0-"));
    }

    [Test]
    public async Task Container_WithoutSsh_GetsNoListener()
    {
        var plan = await ContainerPlanAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/",
            ContainerBody((string)plan["plan"]!["id"]!, expose: new[] { new { port = "8888", protocol = "tcp" } })), HttpStatusCode.OK);
        Advance(5);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{(string)body["instance_id"]!}"), HttpStatusCode.OK);

        Assert.That((string)detail["network"]!["domain"]!, Is.Not.EqualTo("127.0.0.1"));
    }

    /// <summary>The first line the port sends, or "refused".</summary>
    private static async Task<string> TryBannerAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "refused";
        }
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "";
    }
}
