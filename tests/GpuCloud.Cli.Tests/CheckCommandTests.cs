using System.Text.Json;
using GpuCloud.Testing;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 6: <c>gpucloud check</c> says per provider whether it is configured (and from where), reachable,
/// accepting the credentials, and whether the local SSH key is registered (by fingerprint); exit 1 when a configured
/// provider fails.
/// </summary>
public sealed class CheckCommandTests
{
    [Test]
    public async Task OneProviderMisconfigured_IsNamedWithItsReason_AndTheCommandFails()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        using (var client = new GpuCloudClient(new GpuCloudOptions().ConnectTo(sandbox.Server)))
            await client.AddSshKeyAsync("laptop", Cli.Ed25519, "fluence");
        var environment = sandbox.Environment();
        environment["FLUIDSTACK_CLIENT_SECRET"] = "not-the-secret";
        var key = Cli.KeyFile(Cli.Ed25519);
        var fingerprint = SshPublicKey.Parse(Cli.Ed25519).Fingerprint;

        var table = await Cli.RunAsync(["check", "--ssh-key", key], environment: environment);
        var json = await Cli.RunAsync(["check", "--ssh-key", key, "-o", "json"], environment: environment);

        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fluence = lines.Single(l => l.StartsWith("fluence", StringComparison.Ordinal));
        var fluidstack = lines.Single(l => l.StartsWith("fluidstack", StringComparison.Ordinal));
        var rows = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("provider").GetString()!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(table.ExitCode, Is.EqualTo(1), table.Error);
            Assert.That(json.ExitCode, Is.EqualTo(1), json.Error);
            Assert.That(lines, Has.Length.EqualTo(2), table.Out);
            Assert.That(fluence, Does.Contain("configured (environment: FLUENCE_API_KEY)").And.Contain("reachable; credentials accepted")
                .And.Contain($"SSH key {fingerprint} registered as 'laptop'"));
            Assert.That(fluidstack, Does.Contain("configured (environment: FLUIDSTACK_CLIENT_ID, FLUIDSTACK_CLIENT_SECRET)")
                .And.Contain("reachable; credentials REFUSED; Unauthorized: the token endpoint refused the token request (HTTP 401)"));
            Assert.That(table.Out + json.Out, Does.Not.Contain("not-the-secret"));
            Assert.That(rows["fluence"].GetProperty("credentialsAccepted").GetBoolean(), Is.True);
            Assert.That(rows["fluence"].GetProperty("keyRegistered").GetBoolean(), Is.True);
            Assert.That(rows["fluidstack"].GetProperty("credentialsAccepted").GetBoolean(), Is.False);
            Assert.That(rows["fluidstack"].GetProperty("code").GetString(), Is.EqualTo("unauthorized"));
        }
    }

    [Test]
    public async Task UnreachableAndUnconfigured_AreToldApart()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var environment = new Dictionary<string, string> { ["FLUENCE_API_KEY"] = "k-123", ["FLUENCE_BASE_URL"] = $"http://127.0.0.1:{port}" };

        var result = await Cli.RunAsync(["check"], environment: environment);

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Error);
            Assert.That(lines.Single(l => l.StartsWith("fluence", StringComparison.Ordinal)), Does.Contain("NOT reachable").And.Contain("Connection refused"));
            Assert.That(lines.Single(l => l.StartsWith("fluidstack", StringComparison.Ordinal)), Does.Contain("not configured: no token or client credentials"));
        }
    }

    [Test]
    public async Task AllGood_ExitsZero()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();

        var result = await sandbox.RunAsync("check");

        Assert.That(result.ExitCode, Is.Zero, result.Error + result.Out);
        Assert.That(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.All.Contain("credentials accepted"));
    }
}
