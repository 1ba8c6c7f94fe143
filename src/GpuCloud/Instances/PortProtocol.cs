namespace GpuCloud;

/// <summary>The protocol of an exposed container port.</summary>
public enum PortProtocol
{
    /// <summary>TCP.</summary>
    Tcp,

    /// <summary>UDP.</summary>
    Udp,

    /// <summary>HTTP through the provider's ingress (port 80 only).</summary>
    Http,
}
