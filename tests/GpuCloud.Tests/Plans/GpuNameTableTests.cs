using System.Text.RegularExpressions;

namespace GpuCloud.Tests;

/// <summary>
/// Issue 25, item 2: every GPU name the providers' specs, the sandbox's catalog and the provider notes use, as a table
/// (raw name → vendor, model, memory per GPU, interconnect), with the H200/GH200/H100 variants that share a die code
/// (<c>GH100_H200_SXM5_141GB</c> is an H200 on the GH100 die, not an H100). A name that appears in <c>specs/</c> or the
/// sandbox's catalog without a row here fails <see cref="EveryNameInTheSpecsAndTheSandbox_HasARow"/>.
/// </summary>
public class GpuNameTableTests
{
    private static readonly object[][] Rows =
    [
        // Fluidstack gpu_model / gpuModel strings (specs/fluidstack-infrastructure.openapi.yaml, the sandbox's catalog).
        ["GH100_H100_SXM5_80GB", "nvidia", "H100", 80d, GpuInterconnect.SXM],
        ["GH100_H100_PCIE_80GB", "nvidia", "H100", 80d, GpuInterconnect.PCIe],
        ["GH100_H200_SXM5_141GB", "nvidia", "H200", 141d, GpuInterconnect.SXM],
        ["GH100_H100_NVL_94GB", "nvidia", "H100 NVL", 94d, GpuInterconnect.NVLink],
        ["GH100_H200_NVL_141GB", "nvidia", "H200 NVL", 141d, GpuInterconnect.NVLink],
        ["GH200_96GB", "nvidia", "GH200", 96d, GpuInterconnect.Unknown],
        ["GH200_144GB", "nvidia", "GH200", 144d, GpuInterconnect.Unknown],
        ["GA100_A100_SXM4_80GB", "nvidia", "A100", 80d, GpuInterconnect.SXM],
        ["GA100_A100_PCIE_40GB", "nvidia", "A100", 40d, GpuInterconnect.PCIe],
        ["AD102_L40S_48GB", "nvidia", "L40S", 48d, GpuInterconnect.Unknown],
        // Fluidstack instance type names: the count suffix says nothing about the model.
        ["h100-hgx-80gb.8x", "nvidia", "H100", 80d, GpuInterconnect.SXM],
        ["h200-hgx-141gb.8x", "nvidia", "H200", 141d, GpuInterconnect.SXM],
        ["h100-pcie-80gb.1x", "nvidia", "H100", 80d, GpuInterconnect.PCIe],
        ["a100-sxm4-80gb.8x", "nvidia", "A100", 80d, GpuInterconnect.SXM],
        ["a100-pcie-40gb.1x", "nvidia", "A100", 40d, GpuInterconnect.PCIe],
        ["l40s-48gb.1x", "nvidia", "L40S", 48d, GpuInterconnect.Unknown],
        ["l40s-48gb.4x", "nvidia", "L40S", 48d, GpuInterconnect.Unknown],
        ["h100.8x", "nvidia", "H100", 80d, GpuInterconnect.Unknown],
        ["gh200-144gb.1x", "nvidia", "GH200", 144d, GpuInterconnect.Unknown],
        // What nvidia-smi and consoles print.
        ["NVIDIA H100 80GB HBM3", "nvidia", "H100", 80d, GpuInterconnect.Unknown],
        ["NVIDIA H200", "nvidia", "H200", 141d, GpuInterconnect.Unknown],
        ["NVIDIA H100 NVL", "nvidia", "H100 NVL", 94d, GpuInterconnect.NVLink],
    ];

    // Fluence gpu_model objects {model, vram, interface} (specs/fluence.openapi.yaml, the docs, the sandbox's catalog).
    private static readonly object[][] FluenceRows =
    [
        ["h200", "141Gi", "SXM", "H200", 141d, GpuInterconnect.SXM],
        ["h200", "141Gi", "sxm", "H200", 141d, GpuInterconnect.SXM],
        ["h100", "80Gi", "SXM", "H100", 80d, GpuInterconnect.SXM],
        ["h100", "80Gi", "PCIE", "H100", 80d, GpuInterconnect.PCIe],
        ["a100", "80Gi", "SXM", "A100", 80d, GpuInterconnect.SXM],
        ["a100", "80Gi", "pcie", "A100", 80d, GpuInterconnect.PCIe],
        ["a100", "40Gi", "PCIE", "A100", 40d, GpuInterconnect.PCIe],
        ["l40s", "48Gi", "PCIE", "L40S", 48d, GpuInterconnect.PCIe],
        ["l40", "48Gi", "pcie", "L40", 48d, GpuInterconnect.PCIe],
        ["rtx4090", "24Gi", "PCIE", "RTX 4090", 24d, GpuInterconnect.PCIe],
        ["a10", "24Gi", "pcie", "A10", 24d, GpuInterconnect.PCIe],
        ["v100", "32Gi", "sxm", "V100", 32d, GpuInterconnect.SXM],
    ];

    [TestCaseSource(nameof(Rows))]
    public void RawName_IsVendorModelMemoryAndInterconnect(string raw, string vendor, string model, double memory, GpuInterconnect link)
    {
        var gpu = GpuModelCatalog.Parse(raw, 8);

        Assert.That(gpu, Is.EqualTo(new GpuSpec(vendor, model, memory, link, 8) { IsKnownModel = true }), raw);
    }

    [TestCaseSource(nameof(FluenceRows))]
    public void FluenceGpuModel_IsVendorModelMemoryAndInterconnect(string raw, string vram, string iface, string model, double memory, GpuInterconnect link)
    {
        var gpu = GpuModelCatalog.Parse(raw, 1, "nvidia", vram, iface);

        Assert.That(gpu, Is.EqualTo(new GpuSpec("nvidia", model, memory, link, 1) { IsKnownModel = true }), raw);
    }

    [TestCase("GH100_H200_SXM5_141GB", "h200-hgx-141gb.8x")]
    public void FluidstackH200_IsFoundByH200_AndNotByH100(string gpuModel, string typeName)
    {
        var gpu = GpuModelCatalog.Parse(gpuModel, 8);
        var fromType = GpuModelCatalog.Parse(typeName, 8);

        using (Assert.EnterMultipleScope())
        {
            foreach (var g in new[] { gpu, fromType })
            {
                Assert.That(GpuModelCatalog.Matches(g, GpuModelCatalog.ParseFilter("H200")), Is.True, $"{g.Model}: --gpu H200");
                Assert.That(GpuModelCatalog.Matches(g, GpuModelCatalog.ParseFilter("H100")), Is.False, $"{g.Model}: --gpu H100");
                Assert.That(GpuModelCatalog.Matches(g, GpuModelCatalog.ParseFilter("GH200")), Is.False, $"{g.Model}: --gpu GH200");
            }
        }
    }

    [Test]
    public void GH200_IsNeitherAnH200NorAnH100()
    {
        var gpu = GpuModelCatalog.Parse("GH200_96GB", 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GpuModelCatalog.Matches(gpu, GpuModelCatalog.ParseFilter("GH200")), Is.True);
            Assert.That(GpuModelCatalog.Matches(gpu, GpuModelCatalog.ParseFilter("H200")), Is.False);
            Assert.That(GpuModelCatalog.Matches(gpu, GpuModelCatalog.ParseFilter("H100")), Is.False);
        }
    }

    [Test]
    public void EveryNameInTheSpecsAndTheSandbox_HasARow()
    {
        var sources = Directory.GetFiles(RepositoryFiles.Path("specs"), "*.yaml")
            .Append(RepositoryFiles.Path("src", "GpuCloud.Sandbox", "Internal", "Catalog.cs"))
            .Select(File.ReadAllText);
        var names = sources.SelectMany(text => Regex.Matches(text, @"\b(?:G[ABH]\d{3}|AD\d{3})_[A-Z0-9_]+\b|\b[a-z0-9]+(?:-[a-z0-9]+)*\.\d+x\b").Select(m => m.Value))
            .Where(n => !n.StartsWith("cpu.", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var rows = Rows.Select(r => (string)r[0]).ToHashSet(StringComparer.Ordinal);

        Assert.That(names, Is.Not.Empty);
        Assert.That(names.Where(n => !rows.Contains(n)), Is.Empty, "GPU names in specs/ or the sandbox's catalog without a row in this table");
    }
}
