namespace GpuCloud;

/// <summary>A port published from the instance's public address.</summary>
/// <param name="Port">The port inside the instance.</param>
/// <param name="ExternalPort">The port on the public address.</param>
/// <param name="Protocol">The protocol (<c>tcp</c>, <c>udp</c>, <c>http</c>).</param>
public sealed record ForwardedPort(int Port, int ExternalPort, string Protocol);
