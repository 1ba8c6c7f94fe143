using System.Text.RegularExpressions;

namespace GpuCloud.Providers;

/// <summary>Fluidstack's documented rules (tags) and conservative ones where Atlas documents none (names), checked before sending.</summary>
internal static partial class FluidstackValidation
{
    private const string Provider = FluidstackErrors.Provider;

    // Atlas documents no name rule; this is the DNS-label-like set its examples use ("instance-1").
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    public static partial Regex Name();

    // Tag keys: 1-63 characters, alphanumeric at both ends, '-', '_' and '.' inside (Infrastructure API spec).
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex TagKey();

    public static void RequireName(string? name, string field)
    {
        if (name is null || !Name().IsMatch(name))
            throw GpuCloudException.Invalid(field,
                $"'{InputRules.Printable(name ?? "")}' is not a valid Fluidstack name: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.", Provider);
    }

    public static IReadOnlyList<SshPublicKey> Validate(CreateInstanceRequest request, string region)
    {
        RequireName(request.Name, nameof(request.Name));
        if (request.Container is not null)
            throw GpuCloudException.Invalid(nameof(request.Container), "Fluidstack runs virtual machines; container settings do not apply.", Provider);
        if (request.Location is { } l && !string.Equals(l, region, StringComparison.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Location), $"the plan is in region {region}, not {InputRules.Printable(l)}.", Provider);
        if (request.OsImage is { } image && (image.Length > 255 || image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            throw GpuCloudException.Invalid(nameof(request.OsImage), "an image such as image://ubuntu22.04, without spaces, at most 255 characters.", Provider);
        foreach (var (key, value) in request.Tags)
        {
            if (key is null || !TagKey().IsMatch(key))
                throw GpuCloudException.Invalid($"Tags[{InputRules.Printable(key ?? "")}]",
                    "tag keys are 1-63 characters: letters and digits, with '-', '_' or '.' inside.", Provider);
            if (value is null || value.Length > 255 || value.Any(char.IsControl))
                throw GpuCloudException.Invalid($"Tags[{key}]", "tag values are at most 255 characters, without control characters.", Provider);
        }
        if (request.UserData is { Length: > 64 * 1024 })
            throw GpuCloudException.Invalid(nameof(request.UserData), "user data is limited to 64 KiB.", Provider);
        return request.SshPublicKeys.Select((k, i) => SshPublicKey.Parse(k, $"{nameof(request.SshPublicKeys)}[{i}]")).ToArray();
    }
}
