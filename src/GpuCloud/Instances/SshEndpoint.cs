namespace GpuCloud;

/// <summary>Where to connect with SSH.</summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="User">Login user.</param>
public sealed record SshEndpoint(string Host, int Port, string User)
{
    /// <summary>The command line that connects, e.g. <c>ssh -p 32345 root@provider.a100.pub</c>.</summary>
    public string Command => Port == 22 ? $"ssh {User}@{Host}" : $"ssh -p {Port} {User}@{Host}";

    /// <inheritdoc />
    public override string ToString() => Command;
}
