using System.Text;

namespace GpuCloud;

/// <summary>Credentials for a private container registry. <see cref="ToString"/> never shows the password.</summary>
/// <param name="Host">The registry: <c>docker.io</c> or <c>ghcr.io</c>.</param>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password or token.</param>
public sealed record RegistryCredentials(string Host, string Username, string Password)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Host = ").Append(Host).Append(", Username = ").Append(Username).Append(", Password = (redacted)");
        return true;
    }
}
