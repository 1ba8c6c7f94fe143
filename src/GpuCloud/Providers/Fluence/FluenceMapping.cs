using System.Globalization;
using System.Text.RegularExpressions;
using Api = GpuCloud.Generated.Fluence;

namespace GpuCloud.Providers;

/// <summary>Maps Fluence JSON (through the generated DTOs) to the normalized records.</summary>
internal static partial class FluenceMapping
{
    private const string Provider = FluenceErrors.Provider;

    // Instance and plan ids carry their workload, because Fluence has one endpoint family per workload.
    public const string ContainerPrefix = "container:";
    public const string VmPrefix = "vm:";
    public const string BareMetalPrefix = "baremetal:";

    public static string Prefix(WorkloadType workload) => workload switch
    {
        WorkloadType.VirtualMachine => VmPrefix,
        WorkloadType.BareMetal => BareMetalPrefix,
        _ => ContainerPrefix,
    };

    /// <summary>Splits <c>vm:uuid</c> into workload and raw id; an id without a prefix has no known workload.</summary>
    public static (WorkloadType? Workload, string RawId) SplitId(string id)
    {
        if (id.StartsWith(ContainerPrefix, StringComparison.Ordinal)) return (WorkloadType.Container, id[ContainerPrefix.Length..]);
        if (id.StartsWith(VmPrefix, StringComparison.Ordinal)) return (WorkloadType.VirtualMachine, id[VmPrefix.Length..]);
        if (id.StartsWith(BareMetalPrefix, StringComparison.Ordinal)) return (WorkloadType.BareMetal, id[BareMetalPrefix.Length..]);
        return (null, id);
    }

    public static InstanceState MapState(string? status) => status?.Trim().ToUpperInvariant() switch
    {
        "INITIALIZED" or "INITIATED" => InstanceState.Provisioning,
        "ACTIVE" => InstanceState.Running,
        "FAILED" => InstanceState.Failed,
        "ENDED" => InstanceState.Terminated,
        _ => InstanceState.Unknown,
    };

    public static GpuSpec Gpu(Api.GpuModel? model, int? count) =>
        model is null && count is null or 0
            ? GpuSpec.None
            : GpuModelCatalog.Parse(model?.Model, count ?? 0, model?.Vendor, model?.Vram, model?.Interface);

    /// <summary>A <c>{count, units}</c> quantity in GiB; units other than Gi/Ti/Mi (and their GB spellings) are taken as GiB.</summary>
    public static double? GiB(Api.ResourceQuantity? q)
    {
        if (q?.Count is not { } count) return null;
        var units = q.Units?.Trim() ?? "";
        if (units.StartsWith('T') || units.StartsWith('t')) return count * 1024.0;
        if (units.StartsWith('M') || units.StartsWith('m')) return count / 1024.0;
        return count;
    }

    public static GpuPlan ContainerPlan(Api.ContainerPlanItem item)
    {
        var plan = item.Plan ?? throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "a container plan without 'plan'.", Provider);
        return new GpuPlan
        {
            Provider = Provider,
            Id = ContainerPrefix + plan.Id,
            Name = plan.Name ?? plan.Id,
            Workload = WorkloadType.Container,
            Gpu = Gpu(plan.Gpu_model, plan.Supply?.Gpu_count),
            VCpus = plan.Supply?.Vcpu?.Count,
            MemoryGiB = GiB(plan.Supply?.Memory),
            StorageGiB = GiB(plan.Supply?.Storage),
            PricePerHour = plan.Pricing?.Hour,
            Currency = plan.Pricing?.Currency,
            Locations = item.Attributes?.Location?.ToArray() ?? [],
            ProviderPlanName = plan.Name,
            ProviderGpuName = plan.Gpu_model?.Model,
        };
    }

    /// <summary>
    /// VM and bare-metal plans come grouped by GPU model and count; each purchasable option becomes one plan. An option
    /// that cannot be mapped is left out and reported to <paramref name="skipped"/>.
    /// </summary>
    public static IEnumerable<GpuPlan> MachinePlans(Api.VmPlanList list, WorkloadType workload, Action<string?, Exception>? skipped = null) =>
        (list?.Data ?? []).Where(g => g is not null).SelectMany(g => GroupPlans(g, workload, skipped));

    private static IEnumerable<GpuPlan> GroupPlans(Api.VmPlanGroup group, WorkloadType workload, Action<string?, Exception>? skipped)
    {
        foreach (var byCount in group.Availability_by_number ?? [])
        {
            if (byCount is null) continue;
            // Parsed once per GPU group, not per option: a list holds thousands of options of a few GPUs.
            var groupGpu = Gpu(group.Gpu_model, byCount.Gpu_count);
            var bridged = groupGpu.Interconnect is GpuInterconnect.PCIe or GpuInterconnect.Unknown
                ? groupGpu with { Interconnect = GpuInterconnect.NVLink }
                : groupGpu;
            foreach (var option in byCount.Options ?? [])
            {
                if (string.IsNullOrEmpty(option?.Id)) continue;
                GpuPlan plan;
                // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
                // Stryker disable once Block,Statement : does not compile ('plan' unassigned)
                try
                {
                    plan = OptionPlan(option, group, groupGpu, bridged, workload);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    skipped?.Invoke(option.Id, ex);
                    continue;
                }
                yield return plan;
            }
        }
    }

    private static GpuPlan OptionPlan(Api.VmPlanOption option, Api.VmPlanGroup group, GpuSpec groupGpu, GpuSpec bridged, WorkloadType workload)
    {
        var gpu = option.Nvlink == true ? bridged : groupGpu;
        var location = option.Location;
        return new GpuPlan
        {
            Provider = Provider,
            Id = Prefix(workload) + option.Id,
            Name = $"{groupGpu.Count}x {groupGpu.Model} {option.Provider} {location}".Trim(),
            Workload = workload,
            Gpu = gpu,
            VCpus = option.Vcpu?.Count,
            MemoryGiB = GiB(option.Memory),
            StorageGiB = GiB(option.Storage),
            PricePerHour = option.Pricing?.Hour,
            Currency = option.Pricing?.Currency,
            Locations = location is null ? [] : [location],
            Availability = PlanAvailability.Available,
            OsImages = option.Os_options?.ToArray() ?? [],
            ProviderPlanName = option.Id,
            ProviderGpuName = group.Gpu_model?.Model,
            Host = option.Provider,
        };
    }

    public static GpuInstance Container(Api.ContainerInstance i) => new()
    {
        Provider = Provider,
        Id = ContainerPrefix + i.Id,
        Name = i.Name ?? i.Id,
        State = MapState(i.Instance_status),
        ProviderState = i.Instance_status ?? "",
        Workload = WorkloadType.Container,
        Gpu = Gpu(i.Resources?.Gpu_model, i.Resources?.Supply?.Gpu_count),
        Location = i.Location,
        PublicAddress = i.Domain,
        CreatedAt = i.Created_at,
    };

    public static GpuInstance Container(Api.ContainerInstanceDetail i)
    {
        var domain = i.Network?.Domain ?? i.Domain;
        var ports = Ports(i.Network);
        var ssh = ports.FirstOrDefault(p => p.Port == 22 && p.Protocol.Equals("tcp", StringComparison.OrdinalIgnoreCase));
        var state = MapState(i.Instance_status);
        return new GpuInstance
        {
            Provider = Provider,
            Id = ContainerPrefix + i.Id,
            Name = i.Name ?? i.Id,
            State = state,
            ProviderState = i.Instance_status ?? "",
            Workload = WorkloadType.Container,
            Gpu = Gpu(i.Resources?.Gpu_model, i.Resources?.Supply?.Gpu_count),
            Location = i.Location,
            PublicAddress = domain,
            ForwardedPorts = ports,
            // Fluence's SSH images log in as root; the key arrives as SSH_PUBKEY.
            Ssh = domain is not null && ssh is not null && state == InstanceState.Running ? new SshEndpoint(domain, ssh.ExternalPort, "root") : null,
            PricePerHour = i.Billing?.Hourly_usage,
            Currency = "USDC",
            CreatedAt = i.Created_at,
        };
    }

    public static GpuInstance Machine(Api.VmInstance i, WorkloadType workload) => new()
    {
        Provider = Provider,
        Id = Prefix(workload) + i.Id,
        Name = i.Name ?? i.Id,
        State = MapState(i.Status),
        ProviderState = i.Status ?? "",
        Workload = workload,
        Gpu = Gpu(i.Resources?.Gpu_model, i.Resources?.Supply?.Gpu_count),
        Location = i.Location,
        PublicAddress = i.Domain,
        CreatedAt = i.Created_at,
    };

    public static GpuInstance Machine(Api.VmInstanceDetail i, WorkloadType workload)
    {
        var state = MapState(i.Status);
        var domain = i.Network?.Domain ?? i.Domain;
        return new GpuInstance
        {
            Provider = Provider,
            Id = Prefix(workload) + i.Id,
            Name = i.Name ?? i.Id,
            State = state,
            ProviderState = i.Status ?? "",
            Workload = workload,
            Gpu = Gpu(i.Resources?.Gpu_model, i.Resources?.Supply?.Gpu_count),
            Location = i.Location,
            PublicAddress = domain,
            ForwardedPorts = Ports(i.Network),
            Ssh = state == InstanceState.Running ? ParseSshCommand(i.Ssh_connection) : null,
            PricePerHour = i.Billing?.Hourly_usage,
            Currency = "USDC",
            CreatedAt = i.Created_at,
        };
    }

    private static ForwardedPort[] Ports(Api.Network? network) =>
        (network?.Forwarded_ports ?? [])
            .Select(p => int.TryParse(p.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var inner)
                      && int.TryParse(p.External_port, NumberStyles.None, CultureInfo.InvariantCulture, out var outer)
                ? new ForwardedPort(inner, outer, p.Protocol ?? "tcp")
                : null)
            .OfType<ForwardedPort>()
            .ToArray();

    /// <summary>Reads <c>ssh ubuntu@216.81.248.90</c> or <c>ssh -p 2222 user@host</c>.</summary>
    internal static SshEndpoint? ParseSshCommand(string? command)
    {
        if (string.IsNullOrWhiteSpace(command)) return null;
        var m = SshCommand().Match(command.Trim());
        if (!m.Success) return null;
        var port = m.Groups["port"].Success ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture) : 22;
        return port is < 1 or > 65535 ? null : new SshEndpoint(m.Groups["host"].Value, port, m.Groups["user"].Value);
    }

    [GeneratedRegex(@"^ssh\s+(?:-p\s*(?<port>\d{1,5})\s+)?(?<user>[^@\s]+)@(?<host>[^\s:]+)(?:\s+-p\s*(?<port>\d{1,5}))?$")]
    private static partial Regex SshCommand();

    public static SshKey Key(Api.UserSshKey k)
    {
        var fingerprint = SshPublicKey.TryParse(k.PublicKey, out var parsed, out _) ? parsed.Fingerprint : k.Fingerprint;
        return new SshKey
        {
            Provider = Provider,
            Id = k.Id.ToString(),
            Name = k.Name,
            PublicKey = k.PublicKey,
            Algorithm = parsed?.Algorithm ?? k.Algorithm,
            Fingerprint = fingerprint,
        };
    }
}
