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
