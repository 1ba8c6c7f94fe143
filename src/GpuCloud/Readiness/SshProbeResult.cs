namespace GpuCloud;

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
