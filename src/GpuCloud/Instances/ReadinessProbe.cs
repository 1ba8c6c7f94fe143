namespace GpuCloud;

/// <summary>
/// How a wait for <see cref="InstanceState.Running"/> checks, after the provider says running, that the instance's
/// SSH endpoint really answers (see <see cref="GpuCloudOptions.ReadinessProbe"/>).
/// </summary>
public enum ReadinessProbe
{
    /// <summary>Connect over TCP and read the server's SSH identification line (<c>SSH-2.0-...</c>). The default.</summary>
    SshBanner = 0,

    /// <summary>Only connect over TCP: a port that accepts counts as answering, even when no SSH server speaks yet.</summary>
    Tcp,

    /// <summary>No probe: ready means running with a known SSH endpoint, as the provider reports it.</summary>
    None,
}

/// <summary>What the readiness probe found at an instance's SSH endpoint when a wait for running returned it.</summary>
public sealed record SshProbeResult
{
    /// <summary>The probe that ran.</summary>
    public required ReadinessProbe Probe { get; init; }

    /// <summary>True when the endpoint answered (accepted the connection and, for <see cref="ReadinessProbe.SshBanner"/>, sent an SSH identification line).</summary>
    public required bool Answered { get; init; }

    /// <summary>The server's SSH identification line (e.g. <c>SSH-2.0-OpenSSH_9.6</c>), when the banner probe read it.</summary>
    public string? Banner { get; init; }

    /// <summary>
    /// Why the endpoint was not probed, when it was not: its address is neither loopback nor public (a private,
    /// link-local or documentation address), so it can only be reached from a network this client may not be on.
    /// </summary>
    public string? NotProbedReason { get; init; }
}
