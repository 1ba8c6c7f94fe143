using System.Text;

namespace GpuCloud;

/// <summary>The container to run on a Fluence container plan.</summary>
public sealed record ContainerSettings
{
    /// <summary>The image, e.g. <c>docker.io/fluencelabs/debian-ssh-root:11</c> (lower case, at most 255 characters).</summary>
    public required string Image { get; init; }

    /// <summary>Ports to expose (1 to 10). Defaults to SSH on 22/tcp.</summary>
    public IReadOnlyList<ContainerPort> Ports { get; init; } = [new ContainerPort(22)];

    /// <summary>Environment variables (at most 64; names are upper-case letters, digits and underscores, starting with a letter).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command to run instead of the image's entrypoint (at most 2048 characters).</summary>
    public string? StartupCommand { get; init; }

    /// <summary>Credentials for a private registry (<c>docker.io</c> or <c>ghcr.io</c>).</summary>
    public RegistryCredentials? Registry { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        // Environment values are left out: they often hold tokens.
        builder.Append("Image = ").Append(Image)
            .Append(", Ports = [").AppendJoin(", ", Ports.Select(p => $"{p.Port}/{p.Protocol}")).Append(']')
            .Append(", Environment = [").AppendJoin(", ", Environment.Keys).Append(']')
            .Append(", StartupCommand = ").Append(StartupCommand)
            .Append(", Registry = ").Append(Registry);
        return true;
    }
}
