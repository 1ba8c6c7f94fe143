using System.Text.RegularExpressions;

namespace GpuCloud.Providers;

/// <summary>Fluence's documented deploy rules, checked before anything is sent.</summary>
internal static partial class FluenceValidation
{
    private const string Provider = FluenceErrors.Provider;
    private static readonly string[] RegistryHosts = ["docker.io", "ghcr.io"];

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,23}[a-z0-9])?$")]
    public static partial Regex Name();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*$")]
    private static partial Regex EnvName();

    public static void RequireName(string? name, string field)
    {
        if (name is null || !Name().IsMatch(name))
            throw GpuCloudException.Invalid(field,
                $"'{InputRules.Printable(name ?? "")}' is not a valid Fluence name: use 1-25 lower-case letters, digits and hyphens, not starting or ending with a hyphen.",
                Provider);
    }

    /// <summary>Checks a deploy request; returns the one SSH key to send, if any.</summary>
    public static SshPublicKey? Validate(CreateInstanceRequest request, WorkloadType workload, GpuPlan? plan)
    {
        RequireName(request.Name, nameof(request.Name));
        if (request.SshPublicKeys.Count > 1)
            throw GpuCloudException.Invalid(nameof(request.SshPublicKeys), "Fluence takes one SSH key per instance.", Provider);
        var key = request.SshPublicKeys.Count == 1 ? SshPublicKey.Parse(request.SshPublicKeys[0], $"{nameof(request.SshPublicKeys)}[0]") : null;
        if (request.UserData is not null)
            throw GpuCloudException.Invalid(nameof(request.UserData), "Fluence does not take cloud-init user data.", Provider);
        if (request.Tags.Count > 0)
            throw GpuCloudException.Invalid(nameof(request.Tags), "Fluence instances have no tags.", Provider);

        if (workload == WorkloadType.Container)
        {
            var container = request.Container
                ?? throw GpuCloudException.Invalid(nameof(request.Container), "a container plan needs container settings (at least an image).", Provider);
            ValidateContainer(container, key is not null);
            if (request.OsImage is not null)
                throw GpuCloudException.Invalid(nameof(request.OsImage), "containers take an image in Container.Image, not an OS image.", Provider);
            if (request.Location is { } location)
            {
                if (location.Length != 2 || !location.All(char.IsAsciiLetter))
                    throw GpuCloudException.Invalid(nameof(request.Location), $"'{InputRules.Printable(location)}' is not a two-letter country code.", Provider);
                if (plan is not null && plan.Locations.Count > 0 && !plan.Locations.Contains(location, StringComparer.OrdinalIgnoreCase))
                    throw GpuCloudException.Invalid(nameof(request.Location), $"the plan runs in {string.Join(", ", plan.Locations)}, not {location}.", Provider);
            }
            return key;
        }

        if (request.Container is not null)
            throw GpuCloudException.Invalid(nameof(request.Container), "container settings apply to container plans only.", Provider);
        if (key is null)
            throw GpuCloudException.Invalid(nameof(request.SshPublicKeys), "Fluence VMs and bare metal need an SSH key.", Provider);
        if (string.IsNullOrWhiteSpace(request.OsImage))
            throw GpuCloudException.Invalid(nameof(request.OsImage),
                plan is { OsImages.Count: > 0 } ? $"choose one of the plan's images: {string.Join(", ", plan.OsImages)}." : "an OS image is required.", Provider);
        if (plan is { OsImages.Count: > 0 } && !plan.OsImages.Contains(request.OsImage, StringComparer.Ordinal))
            throw GpuCloudException.Invalid(nameof(request.OsImage),
                $"'{InputRules.Printable(request.OsImage)}' is not offered by this plan; choose one of: {string.Join(", ", plan.OsImages)}.", Provider);
        if (request.Location is { } l && plan is not null && plan.Locations.Count > 0 && !plan.Locations.Contains(l, StringComparer.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Location), $"the plan runs in {string.Join(", ", plan.Locations)}, not {l}.", Provider);
        return key;
    }

    private static void ValidateContainer(ContainerSettings c, bool hasSshKey)
    {
        const string p = "Container.";
        if (string.IsNullOrWhiteSpace(c.Image) || c.Image.Length > 255 || c.Image != c.Image.ToLowerInvariant() || c.Image.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch)))
            throw GpuCloudException.Invalid(p + nameof(c.Image), "the image must be lower case, at most 255 characters, without spaces.", Provider);
        if (c.Ports.Count is < 1 or > 10)
            throw GpuCloudException.Invalid(p + nameof(c.Ports), "expose 1 to 10 ports.", Provider);
        for (var i = 0; i < c.Ports.Count; i++)
        {
            var port = c.Ports[i];
            if (port.Port is < 1 or > 65535)
                throw GpuCloudException.Invalid($"{p}Ports[{i}]", $"port {port.Port} is not between 1 and 65535.", Provider);
            if (!Enum.IsDefined(port.Protocol))
                throw GpuCloudException.Invalid($"{p}Ports[{i}]", "unknown protocol.", Provider);
            if (port.Protocol == PortProtocol.Http && port.Port != 80)
                throw GpuCloudException.Invalid($"{p}Ports[{i}]", "the http protocol is only allowed on port 80.", Provider);
        }
        if (c.Ports.GroupBy(x => (x.Port, x.Protocol == PortProtocol.Udp)).Any(g => g.Count() > 1))
            throw GpuCloudException.Invalid(p + nameof(c.Ports), "a port is exposed twice.", Provider);
        if (c.Environment.Count > 64)
            throw GpuCloudException.Invalid(p + nameof(c.Environment), "at most 64 environment variables.", Provider);
        foreach (var (name, value) in c.Environment)
        {
            if (name is null || !EnvName().IsMatch(name))
                throw GpuCloudException.Invalid($"{p}Environment[{InputRules.Printable(name ?? "")}]",
                    "names are upper-case letters, digits and underscores, starting with a letter.", Provider);
            if (hasSshKey && name == "SSH_PUBKEY")
                throw GpuCloudException.Invalid($"{p}Environment[SSH_PUBKEY]", "SSH_PUBKEY is reserved: Fluence sets it from the SSH key.", Provider);
            if (value is null)
                throw GpuCloudException.Invalid($"{p}Environment[{name}]", "a value is required (use an empty string).", Provider);
        }
        if (c.StartupCommand is { Length: > 2048 })
            throw GpuCloudException.Invalid(p + nameof(c.StartupCommand), "at most 2048 characters.", Provider);
        if (c.Registry is { } r)
        {
            if (!RegistryHosts.Contains(r.Host, StringComparer.Ordinal))
                throw GpuCloudException.Invalid(p + "Registry.Host", $"Fluence pulls private images from {string.Join(" or ", RegistryHosts)} only.", Provider);
            if (string.IsNullOrWhiteSpace(r.Username) || string.IsNullOrEmpty(r.Password))
                throw GpuCloudException.Invalid(p + "Registry", "a user name and a password are required.", Provider);
        }
    }
}
