using System.Text;
using System.Text.RegularExpressions;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Providers;

/// <summary>Maps Fluidstack JSON (through the generated DTOs) to the normalized records.</summary>
internal static partial class FluidstackMapping
{
    private const string Provider = FluidstackErrors.Provider;

    /// <summary>Plans and instances live in a region, so their ids are <c>region/name</c> and <c>region/uuid</c>.</summary>
    public static string Id(string region, string local) => string.Concat(region, "/", local);

    public static (string Region, string Local)? SplitId(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == id.Length - 1 || id.IndexOf('/', slash + 1) >= 0 ? null : (id[..slash], id[(slash + 1)..]);
    }

    public static (InstanceState State, GpuCloudErrorCode? Failure) MapState(string? state) => state?.Trim().ToLowerInvariant() switch
    {
        "creating" or "starting" => (InstanceState.Provisioning, null),
        "running" => (InstanceState.Running, null),
        "stopping" => (InstanceState.Stopping, null),
        "stopped" => (InstanceState.Stopped, null),
        "deleting" => (InstanceState.Terminating, null),
        "out-of-stock" => (InstanceState.Failed, GpuCloudErrorCode.CapacityUnavailable),
        "error" => (InstanceState.Failed, null),
        _ => (InstanceState.Unknown, null),
    };

    [GeneratedRegex(@"\.(\d+)x$")]
    private static partial Regex CountSuffix();

    /// <summary>
    /// The GPUs of an instance type, from <c>gpuModel</c>/<c>gpuCount</c> (or their snake_case spellings), or
    /// else from the type name (<c>h100-hgx-80gb.8x</c>: eight H100 SXM 80 GB).
    /// </summary>
    public static GpuSpec Gpu(string typeName, string? gpuModel, int? gpuCount)
    {
        // The official Go client sends gpu_model and gpu_count with omitempty, so either may be missing; the type name
        // encodes the count (h100-hgx-80gb.8x, h100.8x), and that is the count when the field is absent.
        var m = CountSuffix().Match(typeName);
        int? fromSuffix = m.Success && int.TryParse(m.Groups[1].ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        if (!string.IsNullOrWhiteSpace(gpuModel))
        {
            var fromModel = GpuModelCatalog.Parse(gpuModel, gpuCount ?? fromSuffix ?? 1);
            // The model string rarely names the interconnect; the type name often does ("hgx").
            var fromName = GpuModelCatalog.Parse(typeName, 0);
            return fromModel.Interconnect == GpuInterconnect.Unknown && fromName.Model == fromModel.Model
                ? fromModel with { Interconnect = fromName.Interconnect, MemoryGiB = fromModel.MemoryGiB ?? fromName.MemoryGiB }
                : fromModel;
        }
        if (gpuCount is 0) return GpuSpec.None;
        var parsed = GpuModelCatalog.Parse(typeName, 0);
        if (!parsed.IsKnownModel) return GpuSpec.None;
        return parsed with { Count = gpuCount ?? fromSuffix ?? 1 };
    }

    public static GpuPlan Plan(string region, Infra.InstanceType type, FluidstackOptions options, IReadOnlyDictionary<string, int>? capacity)
    {
        var gpu = Gpu(type.Name, type.GpuModel ?? type.Gpu_model, type.GpuCount ?? type.Gpu_count);
        decimal? price = options.PricePerHour.TryGetValue(type.Name, out var p) ? p : null;
        int? available = capacity is null ? null : capacity.TryGetValue(type.Name, out var c) ? c : 0;
        return new GpuPlan
        {
            Provider = Provider,
            Id = Id(region, type.Name),
            Name = type.Name,
            Workload = WorkloadType.VirtualMachine,
            Gpu = gpu,
            VCpus = type.Cpu,
            MemoryGiB = GpuModelCatalog.ParseMemoryGiB(type.Memory),
            PricePerHour = price,
            Currency = price is null ? null : options.Currency,
            IsPriceConfigured = price is not null,
            Locations = [region],
            Region = region,
            Availability = available switch { null => PlanAvailability.Unknown, > 0 => PlanAvailability.Available, _ => PlanAvailability.Unavailable },
            AvailableCount = available,
            // Atlas lists no images; the default is the one known to exist, so a create template written for
            // another provider's image names falls back to it instead of sending a name Atlas does not know.
            OsImages = [options.DefaultImage],
            ProviderPlanName = type.Name,
            ProviderGpuName = type.GpuModel ?? type.Gpu_model,
        };
    }

    public static GpuInstance Instance(string region, Infra.Instance i, FluidstackOptions options) =>
        Instance(region, i.Id, i.Name, i.Type, i.State, i.Ip, i.Tags, null, options);

    public static GpuInstance Instance(Mgmt.Instance i, FluidstackOptions options) =>
        Instance(i.Region, i.Id, i.Name, i.Type, i.State, i.Ip, i.Tags, null, options);

    private static GpuInstance Instance(string region, Guid id, string? name, string? type, string? state, string? ip,
        IDictionary<string, string>? tags, DateTimeOffset? created, FluidstackOptions options)
    {
        var (normalized, failure) = MapState(state);
        decimal? price = type is not null && options.PricePerHour.TryGetValue(type, out var p) ? p : null;
        return new GpuInstance
        {
            Provider = Provider,
            Id = Id(region, id.ToString()),
            Name = name ?? id.ToString(),
            State = normalized,
            ProviderState = state ?? "",
            FailureReason = failure,
            Workload = WorkloadType.VirtualMachine,
            Gpu = type is null ? null : Gpu(type, null, null),
            PlanName = type,
            Location = region,
            Region = region,
            PrivateIp = ip,
            // Atlas reports only a private address; it is what SSH reaches from inside the project's network.
            Ssh = normalized == InstanceState.Running && !string.IsNullOrEmpty(ip) ? new SshEndpoint(ip, 22, options.SshUser) : null,
            PricePerHour = price,
            Currency = price is null ? null : options.Currency,
            CreatedAt = created,
            Tags = tags is null ? new Dictionary<string, string>() : new Dictionary<string, string>(tags),
        };
    }

    public static SshKey Key(Mgmt.SSHKey k)
    {
        var parsed = SshPublicKey.TryParse(k.Key, out var key, out _) ? key : null;
        return new SshKey
        {
            Provider = Provider,
            Id = k.Name,
            Name = k.Name,
            PublicKey = k.Key,
            Algorithm = parsed?.Algorithm ?? k.Key?.Split(' ', 2)[0] ?? "",
            Fingerprint = parsed?.Fingerprint ?? "",
        };
    }

    /// <summary>
    /// Puts SSH keys into cloud-init user data the way Fluidstack's own CLI does (<c>#cloud-config</c> with
    /// <c>ssh_authorized_keys</c>), merged into the caller's cloud-config when there is one.
    /// </summary>
    public static string? UserData(string? userData, IReadOnlyList<SshPublicKey> keys)
    {
        if (keys.Count == 0) return userData;
        // Key material only, quoted: a comment such as "work: laptop" would otherwise turn the item into a YAML mapping.
        var items = string.Concat(keys.Select(k => $"  - \"{k.KeyMaterial}\"\n"));
        if (string.IsNullOrWhiteSpace(userData)) return $"#cloud-config\nssh_authorized_keys:\n{items}";

        var text = userData.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!text.StartsWith("#cloud-config", StringComparison.Ordinal))
            throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.UserData),
                "SSH keys can be merged only into #cloud-config user data; add them to your script yourself, or pass no SshPublicKeys.", Provider);
        var lines = text.Split('\n').ToList();
        var at = lines.FindIndex(l => l.StartsWith("ssh_authorized_keys:", StringComparison.Ordinal));
        if (at < 0) return text.TrimEnd('\n') + $"\nssh_authorized_keys:\n{items}";
        if (lines[at].Trim() != "ssh_authorized_keys:")
            throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.UserData),
                "write ssh_authorized_keys as a block list ('- key' lines) so SSH keys can be merged into it.", Provider);
        var indent = at + 1 < lines.Count && lines[at + 1].TrimStart().StartsWith('-')
            ? lines[at + 1][..(lines[at + 1].Length - lines[at + 1].TrimStart().Length)]
            : "  ";
        lines.InsertRange(at + 1, keys.Select(k => $"{indent}- \"{k.KeyMaterial}\""));
        return string.Join('\n', lines);
    }

    public static byte[]? Utf8(string? s) => s is null ? null : Encoding.UTF8.GetBytes(s);
}
