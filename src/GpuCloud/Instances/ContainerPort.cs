namespace GpuCloud;

/// <summary>A port to expose from a container.</summary>
/// <param name="Port">The port, 1 to 65535.</param>
/// <param name="Protocol">The protocol; <see cref="PortProtocol.Http"/> only on port 80.</param>
public sealed record ContainerPort(int Port, PortProtocol Protocol = PortProtocol.Tcp);
