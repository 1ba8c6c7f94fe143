using System.Globalization;
using System.Text;

namespace GpuCloud.Benchmarks;

/// <summary>Provider-shaped JSON bodies of a given size, built once per benchmark run.</summary>
internal static class Payloads
{
    private static readonly (string Model, string Vram, string Interface)[] Gpus =
    [
        ("h100", "80Gi", "sxm"), ("h200", "141Gi", "sxm"), ("a100", "80Gi", "sxm"), ("a100", "40Gi", "pcie"), ("l40s", "48Gi", "pcie"),
        ("rtx4090", "24Gi", "pcie"), ("a10", "24Gi", "pcie"), ("l4", "24Gi", "pcie"), ("v100", "32Gi", "sxm"), ("a6000", "48Gi", "pcie"),
    ];

    /// <summary>Fluence <c>GET /gpu/plans/vms</c> with <paramref name="options"/> options spread over 10 GPU models and 5 counts.</summary>
    public static byte[] FluenceVmPlans(int options)
    {
        var sb = new StringBuilder("{\"data\":[");
        var perGroup = options / (Gpus.Length * 5);
        var n = 0;
        for (var g = 0; g < Gpus.Length; g++)
        {
            var (model, vram, iface) = Gpus[g];
            if (g > 0) sb.Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{{\"gpu_model\":{{\"vendor\":\"nvidia\",\"model\":\"{model}\",\"vram\":\"{vram}\",\"interface\":\"{iface}\"}},\"minimum_price\":0.99,\"availability_by_number\":[");
            for (var c = 0; c < 5; c++)
            {
                var count = 1 << c;
                if (c > 0) sb.Append(',');
                sb.Append(CultureInfo.InvariantCulture, $"{{\"gpu_count\":{count},\"minimum_price\":1.5,\"options_available_total\":{perGroup},\"providers_available_total\":2,\"data_center_available_total\":3,\"locations\":[\"dulles-usa-1\",\"sanjose-usa-2\"],\"providers\":[\"sesterce\",\"massed-compute\"],\"options\":[");
                for (var o = 0; o < perGroup; o++, n++)
                {
                    if (o > 0) sb.Append(',');
                    sb.Append(CultureInfo.InvariantCulture,
                        $"{{\"id\":\"{Guid(n)}\",\"location\":\"{(o % 2 == 0 ? "dulles-usa-1" : "sanjose-usa-2")}\",\"provider\":\"{(o % 3 == 0 ? "sesterce" : "massed-compute")}\",\"vcpu\":{{\"count\":{8 * count}}},\"memory\":{{\"count\":{64 * count},\"units\":\"Gi\"}},\"storage\":{{\"count\":{200 * count},\"units\":\"Gi\"}},\"deployment_type\":\"VM\",\"pricing\":{{\"hour\":{(0.5 + n % 97 * 0.13).ToString("0.00", CultureInfo.InvariantCulture)},\"upfront_hours\":3,\"currency\":\"USDC\"}},\"nvlink\":{(o % 4 == 0 ? "true" : "false")},\"os_options\":[\"Ubuntu Server 22.04\",\"ubuntu22.04_cuda12.4_shade_os\"]}}");
                }
                sb.Append("]}");
            }
            sb.Append("]}");
        }
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static string ContainerInstance(int i) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\"id\":\"{Guid(i)}\",\"name\":\"worker-{i}\",\"instance_status\":\"{(i % 5 == 0 ? "ENDED" : "ACTIVE")}\",\"resources\":{{\"supply\":{{\"vcpu\":{{\"count\":16}},\"memory\":{{\"count\":128,\"units\":\"Gi\"}},\"storage\":{{\"count\":120,\"units\":\"Gi\"}},\"gpu_count\":1}},\"gpu_model\":{{\"vendor\":\"nvidia\",\"model\":\"h200\",\"vram\":\"141Gi\",\"interface\":\"SXM\"}}}},\"domain\":\"provider.h200.pub\",\"location\":\"US\",\"created_at\":\"2026-02-07T14:42:29.472381Z\",\"updated_at\":\"2026-02-07T14:43:41.901135Z\"}}");

    /// <summary>Fluence <c>GET /gpu/instances/</c> with <paramref name="count"/> container instances.</summary>
    public static byte[] FluenceInstances(int count) =>
        Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, count).Select(ContainerInstance)) + "]");

    /// <summary>Fluence <c>GET /gpu/instances/{id}</c>: the documented active container.</summary>
    public static byte[] FluenceInstanceDetail(string id) => Encoding.UTF8.GetBytes(
        $"{{\"id\":\"{id}\",\"name\":\"fuchsia-hawk-4706\",\"instance_status\":\"ACTIVE\",\"container_status\":\"STARTED\",\"resources\":{{\"supply\":{{\"vcpu\":{{\"count\":1}},\"memory\":{{\"count\":1,\"units\":\"Gi\"}},\"storage\":{{\"count\":1,\"units\":\"Gi\"}},\"gpu_count\":1}},\"gpu_model\":{{\"vendor\":\"nvidia\",\"model\":\"a100\",\"vram\":\"80Gi\",\"interface\":\"sxm\"}}}},\"location\":\"US\",\"container_info\":{{\"image\":\"docker.io/fluencelabs/debian-ssh-root:11\",\"expose\":[{{\"port\":\"22\",\"protocol\":\"tcp\"}}],\"environment\":[{{\"name\":\"SSH_PUBKEY\",\"value\":\"ssh-ed25519 AAAAC3...\"}}],\"startup_command\":null}},\"billing\":{{\"hourly_usage\":1.22,\"total_spendings\":1.22,\"reserved_amount\":2.44,\"next_billing_period\":\"2026-02-07T15:00:00Z\"}},\"network\":{{\"domain\":\"provider.a100.pub\",\"forwarded_ports\":[{{\"port\":\"22\",\"external_port\":\"32345\",\"protocol\":\"tcp\"}}],\"uri\":null}},\"created_at\":\"2026-02-07T14:42:29.472381Z\",\"updated_at\":\"2026-02-07T14:43:41.901135Z\"}}");

    /// <summary>Fluidstack <c>GET /instance-types</c> with <paramref name="count"/> types.</summary>
    public static byte[] FluidstackInstanceTypes(int count)
    {
        string[] models = ["GH100_H100_SXM5_80GB", "A100_SXM4_80GB", "L40S_48GB", "H100_PCIE_80GB"];
        string[] names = ["h100-hgx-80gb", "a100-hgx-80gb", "l40s-48gb", "h100-pcie-80gb"];
        var items = Enumerable.Range(0, count).Select(i =>
        {
            var gpus = 1 << (i % 4);
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"name\":\"{names[i % 4]}.{gpus}x-{i}\",\"cpu\":{12 * gpus},\"memory\":\"{120 * gpus}Gi\",\"gpuModel\":\"{models[i % 4]}\",\"gpuCount\":{gpus}}}");
        });
        return Encoding.UTF8.GetBytes("[" + string.Join(",", items) + "]");
    }

    public static byte[] FluidstackRegions(string url) => Encoding.UTF8.GetBytes($"[{{\"name\":\"eu-north-1\",\"url\":\"{url}\"}}]");

    public static string Guid(int n) => new System.Guid(n, 0x1246, 0x42d8, 0xb2, 0xd1, 0x94, 0x80, 0xca, 0x54, 0x65, 0x36).ToString();
}
