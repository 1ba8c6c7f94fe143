using System.Security.Cryptography;
using System.Text;

namespace GpuCloud.Sandbox.Internal;

internal sealed record GpuModelInfo(string Vendor, string Model, string Vram, string Interface);

internal sealed record ContainerPlan(
    string Id,
    string Name,
    int Vcpu,
    int MemoryGi,
    int StorageGi,
    int GpuCount,
    GpuModelInfo Gpu,
    decimal PricePerHour,
    IReadOnlyList<string> Locations);

internal sealed record VmOption(
    string Id,
    string DeploymentType,
    GpuModelInfo Gpu,
    int GpuCount,
    string Location,
    string Provider,
    int Vcpu,
    int MemoryGi,
    int StorageGi,
    decimal PricePerHour,
    bool NvLink,
    IReadOnlyList<string> OsOptions);

internal sealed record DefaultImage(
    string Slug,
    string Name,
    string? Description,
    string Image,
    IReadOnlyList<(string Port, string Protocol)> Expose,
    IReadOnlyList<(string Name, string Value)> Environment,
    string? StartupCommand,
    bool? RequiresSsh);

internal sealed record FluidstackInstanceType(string Name, int Cpu, string Memory, string? GpuModel, int? GpuCount, int Capacity);

internal sealed record FluidstackRegion(string Name, bool SnakeCaseGpuFields, IReadOnlyList<FluidstackInstanceType> InstanceTypes);

/// <summary>
/// The seeded, deterministic catalog: Fluence container plans, VM and bare-metal options, default images, and the
/// Fluidstack regions with their instance types and initial capacity. The same seed always gives the same ids and prices.
/// </summary>
internal sealed class Catalog
{
    public const int UpfrontHours = 3;

    private static readonly string[] ContainerCountries = ["US", "DE", "FI", "NL", "CA", "GB", "NO", "FR"];

    private sealed record ProviderInfo(string Name, string[] Locations, string[] OsOptions);

    private static readonly ProviderInfo[] VmProviders =
    [
        new("sesterce", ["dulles-usa-1", "sanjose-usa-2", "helsinki-finland-1"], ["ubuntu22.04_cuda12.4_shade_os", "ubuntu24.04_cuda12.6_shade_os"]),
        new("massed-compute", ["us-central-2", "us-central-3", "kristiansand-norway-2"], ["Ubuntu Server 22.04"]),
        new("hyperstack", ["frankfurt-germany-1", "montreal-canada-2", "newyork-usa-1"], ["Ubuntu Server 22.04 LTS R550 CUDA 12.4", "Ubuntu Server 24.04 LTS R570 CUDA 12.8"]),
        new("datacrunch", ["helsinki-finland-2", "tokyo-japan-2"], ["ubuntu22.04", "ubuntu24.04"]),
    ];

    public int Seed { get; }
    public IReadOnlyList<ContainerPlan> ContainerPlans { get; }
    public IReadOnlyList<VmOption> VmOptions { get; }
    public IReadOnlyList<VmOption> BareMetalOptions { get; }
    public IReadOnlyList<DefaultImage> DefaultImages { get; }
    public IReadOnlyList<FluidstackRegion> Regions { get; }

    public Catalog(int seed)
    {
        Seed = seed;
        var random = new Random(seed);
        ContainerPlans = BuildContainerPlans(random);
        VmOptions = BuildVmOptions(random, "VM");
        BareMetalOptions = BuildVmOptions(random, "BAREMETAL");
        DefaultImages = BuildDefaultImages();
        Regions = BuildRegions();
    }

    public ContainerPlan? FindContainerPlan(string id) => ContainerPlans.FirstOrDefault(p => p.Id == id);

    public VmOption? FindVmOption(string id, bool bareMetal) =>
        (bareMetal ? BareMetalOptions : VmOptions).FirstOrDefault(o => o.Id == id);

    public FluidstackRegion? FindRegion(string name) => Regions.FirstOrDefault(r => r.Name == name);

    /// <summary>A stable UUID (version 4 layout) derived from the seed and a key.</summary>
    public string StableId(string key) => StableGuid(Seed, key).ToString();

    public static Guid StableGuid(int seed, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{key}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private List<ContainerPlan> BuildContainerPlans(Random random)
    {
        // model, vram, interface (container plans spell it upper case), $/GPU/h, GPU counts, vCPU, RAM, disk per GPU.
        (string Model, string Vram, string Iface, decimal Price, int[] Counts, int Cpu, int Ram, int Disk)[] gpus =
        [
            ("h200", "141Gi", "SXM", 2.96m, [1, 2, 4, 8], 16, 128, 120),
            ("h100", "80Gi", "SXM", 2.29m, [1, 2, 4, 8], 16, 96, 100),
            ("h100", "80Gi", "PCIE", 1.99m, [1, 2, 4], 12, 80, 100),
            ("a100", "80Gi", "SXM", 1.22m, [1, 2, 4, 8], 12, 64, 80),
            ("a100", "40Gi", "PCIE", 0.89m, [1, 2, 4], 8, 48, 60),
            ("l40s", "48Gi", "PCIE", 0.95m, [1, 2, 4], 8, 48, 60),
            ("rtx4090", "24Gi", "PCIE", 0.39m, [1, 2], 6, 32, 40),
            ("a10", "24Gi", "PCIE", 0.49m, [1, 2], 6, 30, 40),
        ];

        var plans = new List<ContainerPlan>();
        foreach (var g in gpus)
        {
            var gpu = new GpuModelInfo("nvidia", g.Model, g.Vram, g.Iface);
            foreach (var count in g.Counts)
            {
                // A full-size plan for every count, plus a small (quarter CPU/RAM) single-GPU plan.
                var sizes = count == 1 ? new[] { 1.0, 0.25 } : new[] { 1.0 };
                foreach (var size in sizes)
                {
                    var vcpu = Math.Max(1, (int)(g.Cpu * count * size));
                    var ram = Math.Max(1, (int)(g.Ram * count * size));
                    var disk = Math.Max(1, (int)(g.Disk * count * size));
                    var factor = 1m + random.Next(-6, 7) / 100m - (size < 1 ? 0.05m : 0m);
                    var price = Math.Round(g.Price * count * factor, 2);
                    var name = $"{g.Model}-{g.Vram.ToLowerInvariant()}-{g.Iface.ToLowerInvariant()}-{count}gpu-{vcpu}cpu-{ram}gi-{disk}gi";
                    var locations = PickLocations(random, mustIncludeUs: plans.All(p => p.Gpu != gpu));
                    plans.Add(new ContainerPlan(StableId("container-plan:" + name), name, vcpu, ram, disk, count, gpu, price, locations));
                }
            }
        }

        return plans;
    }

    private static List<string> PickLocations(Random random, bool mustIncludeUs)
    {
        var count = random.Next(1, 4);
        var picked = new List<string>();
        if (mustIncludeUs) picked.Add("US");
        while (picked.Count < count)
        {
            var c = ContainerCountries[random.Next(ContainerCountries.Length)];
            if (!picked.Contains(c)) picked.Add(c);
        }

        return picked;
    }

    private List<VmOption> BuildVmOptions(Random random, string deploymentType)
    {
        var bareMetal = deploymentType == "BAREMETAL";
        (string Model, string Vram, string Iface, decimal Price, int[] Counts, int Cpu, int Ram, int Disk)[] gpus = bareMetal
            ?
            [
                ("h100", "80Gi", "sxm", 2.49m, [8], 28, 250, 3800),
                ("h200", "141Gi", "sxm", 3.29m, [8], 28, 250, 3800),
                ("a100", "80Gi", "sxm", 1.49m, [8], 16, 240, 3500),
            ]
            :
            [
                ("h100", "80Gi", "sxm", 2.39m, [1, 2, 4, 8], 26, 225, 750),
                ("h200", "141Gi", "sxm", 3.19m, [8], 28, 250, 3000),
                ("a100", "80Gi", "pcie", 1.07m, [1, 2, 4], 14, 93, 582),
                ("a100", "40Gi", "pcie", 0.85m, [1], 12, 85, 512),
                ("l40s", "48Gi", "pcie", 0.99m, [1, 2, 4], 16, 120, 600),
                ("l40", "48Gi", "pcie", 0.76m, [1], 14, 119, 582),
                ("a10", "24Gi", "pcie", 0.99m, [1], 30, 186, 1303),
                ("rtx4090", "24Gi", "pcie", 0.45m, [1, 2], 8, 48, 400),
            ];

        var options = new List<VmOption>();
        foreach (var g in gpus)
        {
            var gpu = new GpuModelInfo("nvidia", g.Model, g.Vram, g.Iface);
            foreach (var count in g.Counts)
            {
                var optionCount = random.Next(1, bareMetal ? 3 : 4);
                var used = new HashSet<string>();
                for (var i = 0; i < optionCount; i++)
                {
                    var provider = VmProviders[random.Next(bareMetal ? 2 : VmProviders.Length)];
                    if (bareMetal && provider.Name == "massed-compute") provider = VmProviders[3];
                    var location = provider.Locations[random.Next(provider.Locations.Length)];
                    if (!used.Add(provider.Name + "/" + location)) continue;
                    var factor = 1m + random.Next(-8, 12) / 100m;
                    var price = Math.Round(g.Price * count * factor, 2);
                    var key = $"{deploymentType}:{g.Model}-{g.Vram}-{g.Iface}:{count}:{provider.Name}:{location}";
                    options.Add(new VmOption(
                        StableId(key), deploymentType, gpu, count, location, provider.Name,
                        g.Cpu * count, g.Ram * count, g.Disk * count, price,
                        NvLink: g.Iface == "sxm" && count >= 2,
                        provider.OsOptions));
                }
            }
        }

        return options;
    }

    private static List<DefaultImage> BuildDefaultImages() =>
    [
        new("debian-ssh-11", "Debian SSH 11", null, "docker.io/fluencelabs/debian-ssh-root:11", [("22", "tcp")], [], null, true),
        new("ubuntu-ssh-22-04", "Ubuntu SSH 22.04", "Ubuntu 22.04 with an SSH server for root.", "docker.io/fluencelabs/ubuntu-ssh-root:22.04", [("22", "tcp")], [], null, true),
        new("pytorch-2-4", "PyTorch 2.4 (CUDA 12.4)", "PyTorch runtime with CUDA and cuDNN.", "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime", [("22", "tcp"), ("8888", "tcp")], [("JUPYTER_PORT", "8888")], null, false),
        new("vllm-openai", "vLLM OpenAI server", "OpenAI-compatible inference server.", "docker.io/vllm/vllm-openai:latest", [("8000", "tcp")], [("HF_HOME", "/root/.cache/huggingface")], "--model facebook/opt-125m", null),
    ];

    private static List<FluidstackRegion> BuildRegions() =>
    [
        // The published spec's spelling: gpuModel/gpuCount, Kubernetes-quantity memory.
        new("eu-north-1", SnakeCaseGpuFields: false,
        [
            new("h100-hgx-80gb.8x", 96, "960Gi", "GH100_H100_SXM5_80GB", 8, 2),
            new("h100-pcie-80gb.1x", 24, "240Gi", "GH100_H100_PCIE_80GB", 1, 4),
            new("a100-sxm4-80gb.8x", 96, "960Gi", "GA100_A100_SXM4_80GB", 8, 2),
            new("a100-pcie-40gb.1x", 12, "120Gi", "GA100_A100_PCIE_40GB", 1, 6),
            new("l40s-48gb.4x", 48, "384Gi", "AD102_L40S_48GB", 4, 3),
            new("cpu.2x", 2, "8Gi", null, null, 20),
            new("cpu.8x", 8, "32Gi", null, null, 20),
        ]),

        // The June 2025 Atlas spelling: gpu_model/gpu_count, and memory written "432GB". The official Go client sends
        // gpu_model/gpu_count with omitempty, so one type here has a model and no count (the name's ".8x" is the count);
        // memory comes in every unit seen in the sources (GB, Ti, Mi).
        new("us-east-2", SnakeCaseGpuFields: true,
        [
            new("h100-hgx-80gb.8x", 192, "1800GB", "GH100_H100_SXM5_80GB", 8, 1),
            new("h200-hgx-141gb.8x", 192, "1.5Ti", "GH100_H200_SXM5_141GB", null, 1),
            new("a100-sxm4-80gb.8x", 128, "983040Mi", "GA100_A100_SXM4_80GB", 8, 3),
            new("l40s-48gb.1x", 12, "96GB", "AD102_L40S_48GB", 1, 8),
            new("l40s-48gb.4x", 48, "432GB", "AD102_L40S_48GB", 4, 4),
            new("cpu.2x", 2, "8GB", null, null, 20),
            new("cpu.8x", 8, "32GB", null, null, 20),
        ]),
    ];
}
