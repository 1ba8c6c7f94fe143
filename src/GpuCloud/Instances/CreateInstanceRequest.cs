using System.Text;

namespace GpuCloud;

/// <summary>
/// What to create. Name a plan by <see cref="Plan"/> (from a search) or by <see cref="Provider"/> and
/// <see cref="PlanId"/>. The request is validated against the provider's rules before anything is sent.
/// </summary>
public sealed record CreateInstanceRequest
{
    /// <summary>The plan to rent, as returned by a search. Takes precedence over <see cref="Provider"/>/<see cref="PlanId"/>.</summary>
    public GpuPlan? Plan { get; init; }

    /// <summary>The provider, when the plan is given by <see cref="PlanId"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>The plan's <see cref="GpuPlan.Id"/>, when <see cref="Plan"/> is not given.</summary>
    public string? PlanId { get; init; }

    /// <summary>
    /// The instance's name. Names need not be unique: an instance that already has this name is never returned, waited on
    /// or deleted by the create that uses it. Fluence: 1-25 lower-case letters, digits and hyphens, not starting or
    /// ending with a hyphen.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>OpenSSH public keys (<c>ssh-ed25519 AAAA... comment</c>) allowed to log in. Fluence takes one.</summary>
    public IReadOnlyList<string> SshPublicKeys { get; init; } = [];

    /// <summary>Where to run it: for Fluence containers one of the plan's locations (a country code); ignored elsewhere, where the plan fixes it.</summary>
    public string? Location { get; init; }

    /// <summary>The operating-system image (Fluence VMs and bare metal: one of <see cref="GpuPlan.OsImages"/>; Fluidstack: e.g. <c>image://ubuntu22.04</c>).</summary>
    public string? OsImage { get; init; }

    /// <summary>The container to run (Fluence container plans only).</summary>
    public ContainerSettings? Container { get; init; }

    /// <summary>Key-value tags (Fluidstack).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Cloud-init user data (Fluidstack). SSH keys are merged into it (<c>ssh_authorized_keys</c>).
    /// Never shown by <see cref="ToString"/>, since it often carries secrets.
    /// </summary>
    public string? UserData { get; init; }

    /// <summary>
    /// How long the instance may run. Recorded as an expiry in the journal (<see cref="GpuCloudOptions.Journal"/>) and, where
    /// the provider keeps marks, on the instance (Fluidstack tag <c>gpucloud-expires-at</c>); a sweep deletes it once expired.
    /// Nothing deletes it on its own: no daemon runs.
    /// </summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>The provider this request goes to: the plan's, or <see cref="Provider"/>.</summary>
    public string? TargetProvider => Plan?.Provider ?? Provider;

    /// <summary>The plan id this request names: the plan's, or <see cref="PlanId"/>.</summary>
    public string? TargetPlanId => Plan?.Id ?? PlanId;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Provider = ").Append(TargetProvider)
            .Append(", PlanId = ").Append(TargetPlanId)
            .Append(", Name = ").Append(Name)
            .Append(", SshPublicKeys = ").Append(SshPublicKeys.Count)
            .Append(", Location = ").Append(Location)
            .Append(", OsImage = ").Append(OsImage)
            .Append(", Container = ").Append(Container)
            .Append(", Tags = ").Append(Tags.Count)
            .Append(", MaxDuration = ").Append(MaxDuration)
            .Append(", UserData = ").Append(UserData is null ? "null" : "(redacted)");
        return true;
    }
}

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

/// <summary>A port to expose from a container.</summary>
/// <param name="Port">The port, 1 to 65535.</param>
/// <param name="Protocol">The protocol; <see cref="PortProtocol.Http"/> only on port 80.</param>
public sealed record ContainerPort(int Port, PortProtocol Protocol = PortProtocol.Tcp);

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
