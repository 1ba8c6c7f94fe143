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
