namespace GpuCloud.Tests;

/// <summary>GPU canonicalization: provider names, filter aliases, memory and interconnect, unknown models.</summary>
public class GpuModelsTests
{
    // Fluence gpu_model objects: {vendor, model, vram, interface}.
    [TestCase("h200", "141Gi", "SXM", "H200", 141d, GpuInterconnect.SXM)]
    [TestCase("a100", "80Gi", "sxm", "A100", 80d, GpuInterconnect.SXM)]
    [TestCase("a10", "24Gi", "pcie", "A10", 24d, GpuInterconnect.PCIe)]
    [TestCase("a100", "80Gi", "PCIE", "A100", 80d, GpuInterconnect.PCIe)]
    [TestCase("l40", "48Gi", "pcie", "L40", 48d, GpuInterconnect.PCIe)]
    [TestCase("v100", "32Gi", "sxm", "V100", 32d, GpuInterconnect.SXM)]
    [TestCase("h100", "80Gi", "nvlink", "H100", 80d, GpuInterconnect.NVLink)]
    [TestCase("rtx4090", "24Gi", "pcie", "RTX 4090", 24d, GpuInterconnect.PCIe)]
    public void Parse_FluenceGpuModel(string model, string vram, string iface, string expectedModel, double expectedMemory, GpuInterconnect expectedLink)
    {
        var gpu = GpuModelCatalog.Parse(model, 2, "nvidia", vram, iface);

        Assert.That(gpu, Is.EqualTo(new GpuSpec("nvidia", expectedModel, expectedMemory, expectedLink, 2) { IsKnownModel = true }));
        Assert.That(gpu.TotalMemoryGiB, Is.EqualTo(expectedMemory * 2));
    }

    // Fluidstack gpuModel strings carry the interconnect and memory in the name.
    [TestCase("GH100_H100_SXM5_80GB", "H100", 80d, GpuInterconnect.SXM)]
    [TestCase("A100_SXM4_80GB", "A100", 80d, GpuInterconnect.SXM)]
    [TestCase("A100_PCIE_40GB", "A100", 40d, GpuInterconnect.PCIe)]
    [TestCase("H100_PCIE_80GB", "H100", 80d, GpuInterconnect.PCIe)]
    [TestCase("H100_NVLINK_80GB", "H100", 80d, GpuInterconnect.NVLink)]
    [TestCase("L40S_48GB", "L40S", 48d, GpuInterconnect.Unknown)]
    [TestCase("L40_48GB", "L40", 48d, GpuInterconnect.Unknown)]
    [TestCase("RTX_A6000_48GB", "RTX A6000", 48d, GpuInterconnect.Unknown)]
    [TestCase("Tesla_V100_SXM2_16GB", "V100", 16d, GpuInterconnect.SXM)]
    [TestCase("RTX_4090_24GB", "RTX 4090", 24d, GpuInterconnect.Unknown)]
    public void Parse_FluidstackGpuModel(string raw, string expectedModel, double expectedMemory, GpuInterconnect expectedLink)
    {
        var gpu = GpuModelCatalog.Parse(raw, 8);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gpu.Model, Is.EqualTo(expectedModel));
            Assert.That(gpu.IsKnownModel, Is.True);
            Assert.That(gpu.Vendor, Is.EqualTo("nvidia"), "the table's vendor when the provider states none");
            Assert.That(gpu.MemoryGiB, Is.EqualTo(expectedMemory));
            Assert.That(gpu.Interconnect, Is.EqualTo(expectedLink));
            Assert.That(gpu.Count, Is.EqualTo(8));
        }
    }

    [Test]
    public void Parse_ExplicitArgumentsWinOverTheName()
    {
        var gpu = GpuModelCatalog.Parse("A100_SXM4_80GB", 1, vendor: "NVIDIA", memory: "40GB", interconnect: "pcie");

        Assert.That(gpu, Is.EqualTo(new GpuSpec("nvidia", "A100", 40, GpuInterconnect.PCIe, 1) { IsKnownModel = true }));
    }

    // Fluidstack instance type names, read when gpuModel is absent (FluidstackMapping.Gpu).
    [TestCase("h100-hgx-80gb.8x", "H100", 80d, GpuInterconnect.SXM, 8)]
    [TestCase("a100-pcie-40gb.1x", "A100", 40d, GpuInterconnect.PCIe, 1)]
    [TestCase("l40s-48gb.4x", "L40S", 48d, GpuInterconnect.Unknown, 4)]
    [TestCase("h200-sxm-141gb", "H200", 141d, GpuInterconnect.SXM, 1)]
    public void FluidstackTypeName_GivesModelMemoryInterconnectAndCount(string type, string model, double memory, GpuInterconnect link, int count)
    {
        var gpu = FluidstackMapping.Gpu(type, null, null);

        Assert.That(gpu, Is.EqualTo(new GpuSpec("nvidia", model, memory, link, count) { IsKnownModel = true }));
    }

    [TestCase("cpu.2x")]
    [TestCase("cpu.8x")]
    [TestCase("zz9000-48gb.4x")]
    public void FluidstackTypeName_WithoutAKnownGpu_IsCpuOnly(string type)
    {
        Assert.That(FluidstackMapping.Gpu(type, null, null), Is.EqualTo(GpuSpec.None));
    }

    [Test]
    public void FluidstackGpu_ZeroCount_IsCpuOnly()
    {
        Assert.That(FluidstackMapping.Gpu("h100-hgx-80gb.8x", null, 0), Is.EqualTo(GpuSpec.None));
    }

    [Test]
    public void FluidstackGpu_ModelFieldWins_AndTheTypeNameFillsTheInterconnect()
    {
        // The model string names no interconnect; the type name ("hgx") does.
        var gpu = FluidstackMapping.Gpu("h100-hgx-80gb.8x", "NVIDIA H100 80GB HBM3", 8);

        Assert.That(gpu, Is.EqualTo(new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8) { IsKnownModel = true }));
    }

    [Test]
    public void FluidstackGpu_ModelFieldWithoutCount_IsOneGpu()
    {
        Assert.That(FluidstackMapping.Gpu("custom", "L40S_48GB", null).Count, Is.EqualTo(1));
    }

    // Filters as users write them.
    [TestCase("h100", "H100", 80d, GpuInterconnect.Unknown)]
    [TestCase("H100", "H100", 80d, GpuInterconnect.Unknown)]
    [TestCase("H100-SXM", "H100", 80d, GpuInterconnect.SXM)]
    [TestCase("h100 pcie", "H100", 80d, GpuInterconnect.PCIe)]
    [TestCase("a100-80gb", "A100", 80d, GpuInterconnect.Unknown)]
    [TestCase("A100 40GB", "A100", 40d, GpuInterconnect.Unknown)]
    [TestCase("RTX 4090", "RTX 4090", 24d, GpuInterconnect.Unknown)]
    [TestCase("4090", "RTX 4090", 24d, GpuInterconnect.Unknown)]
    [TestCase("rtx6000ada", "RTX 6000 Ada", 48d, GpuInterconnect.Unknown)]
    [TestCase("RTX 6000 Ada Generation", "RTX 6000 Ada", 48d, GpuInterconnect.Unknown)]
    [TestCase("L40", "L40", 48d, GpuInterconnect.Unknown)]
    [TestCase("L40S", "L40S", 48d, GpuInterconnect.Unknown)]
    [TestCase("l4", "L4", 24d, GpuInterconnect.Unknown)]
    [TestCase("H100 NVL", "H100 NVL", 94d, GpuInterconnect.NVLink)]
    [TestCase("mi300x", "MI300X", 192d, GpuInterconnect.Unknown)]
    public void ParseFilter_Aliases(string text, string model, double? memory, GpuInterconnect link)
    {
        var filter = GpuModelCatalog.ParseFilter(text);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(filter.Model, Is.EqualTo(model));
            Assert.That(filter.IsKnownModel, Is.True);
            Assert.That(filter.MemoryGiB, Is.EqualTo(memory));
            Assert.That(filter.Interconnect, Is.EqualTo(link));
        }
    }

    [Test]
    public void ParseFilter_ModelWithSeveralSizes_LeavesMemoryOpen()
    {
        Assert.That(GpuModelCatalog.ParseFilter("A100").MemoryGiB, Is.Null);
    }

    [Test]
    public void L40_IsNotL40S()
    {
        var l40 = GpuModelCatalog.ParseFilter("L40");
        var l40s = GpuModelCatalog.ParseFilter("L40S");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("L40S_48GB", 1), l40), Is.False);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("L40_48GB", 1), l40s), Is.False);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("L40S_48GB", 1), l40s), Is.True);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("l40", 1, memory: "48Gi"), l40), Is.True);
        }
    }

    [Test]
    public void UnknownModel_KeepsTheRawName_AndIsNotKnown()
    {
        var gpu = GpuModelCatalog.Parse(" zz9000 ", 4, "AcmeGPU", "64Gi", "pcie");

        Assert.That(gpu, Is.EqualTo(new GpuSpec("acmegpu", "zz9000", 64, GpuInterconnect.PCIe, 4) { IsKnownModel = false }));
    }

    [Test]
    public void UnknownFilter_KeepsTheRawName_AndMatchesOnlyThatName()
    {
        var filter = GpuModelCatalog.ParseFilter("zz9000");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(filter.Model, Is.EqualTo("zz9000"));
            Assert.That(filter.IsKnownModel, Is.False);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("ZZ-9000", 1), filter), Is.True, "compared without case and separators");
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("h100", 1), filter), Is.False);
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void NoName_IsCpuOnly(string? raw)
    {
        var gpu = GpuModelCatalog.Parse(raw, 0);

        Assert.That(gpu, Is.EqualTo(GpuSpec.None));
    }

    [Test]
    public void MemorySnapsToTheShippedSize()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(GpuModelCatalog.Parse("a100", 1, memory: "79.6").MemoryGiB, Is.EqualTo(80));
            Assert.That(GpuModelCatalog.Parse("a100", 1, memory: "39.4GB").MemoryGiB, Is.EqualTo(40));
            Assert.That(GpuModelCatalog.Parse("h100", 1, memory: "81559Mi").MemoryGiB, Is.EqualTo(80));
            Assert.That(GpuModelCatalog.Parse("h200", 1, memory: "140").MemoryGiB, Is.EqualTo(141));
        }
    }

    [Test]
    public void MemorySnapping_L4ReportedAs22_Is24()
    {
        Assert.That(GpuModelCatalog.Parse("l4", 1, memory: "22").MemoryGiB, Is.EqualTo(24));
    }

    [Test]
    public void MemoryFarFromAnyShippedSize_IsKept()
    {
        Assert.That(GpuModelCatalog.Parse("a100", 1, memory: "60").MemoryGiB, Is.EqualTo(60));
    }

    [TestCase("141Gi", 141d)]
    [TestCase("80GB", 80d)]
    [TestCase("24", 24d)]
    [TestCase("2Ti", 2048d)]
    [TestCase("1TB", 1024d)]
    [TestCase("512Mi", 0.5d)]
    [TestCase(" 48 GiB ", 48d)]
    [TestCase("960Gi", 960d)]
    [TestCase("79.6GB", 79.6d)]
    [TestCase("1.5ti", 1536d)]
    [TestCase("80 gi", 80d)]
    public void ParseMemory(string text, double expected)
    {
        Assert.That(GpuModelCatalog.ParseMemoryGiB(text), Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("lots")]
    [TestCase("80 parsecs")]
    [TestCase("-5Gi")]
    [TestCase("80.Gi")]
    [TestCase(".5Gi")]
    [TestCase("80Gi2")]
    [TestCase("80 G i")]
    [TestCase("٨٠Gi")]
    [TestCase("1,024Gi")]
    public void ParseMemory_Unreadable_IsNull(string? text)
    {
        Assert.That(GpuModelCatalog.ParseMemoryGiB(text), Is.Null);
    }

    [Test]
    public void Matches_InterconnectAndMemoryOnlyWhenTheFilterNamesThem()
    {
        var h100Sxm = GpuModelCatalog.Parse("GH100_H100_SXM5_80GB", 8);
        var h100Pcie = GpuModelCatalog.Parse("H100_PCIE_80GB", 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GpuModelCatalog.Matches(h100Sxm, GpuModelCatalog.ParseFilter("h100")), Is.True);
            Assert.That(GpuModelCatalog.Matches(h100Pcie, GpuModelCatalog.ParseFilter("h100")), Is.True);
            Assert.That(GpuModelCatalog.Matches(h100Sxm, GpuModelCatalog.ParseFilter("H100-SXM")), Is.True);
            Assert.That(GpuModelCatalog.Matches(h100Pcie, GpuModelCatalog.ParseFilter("H100-SXM")), Is.False);
            Assert.That(GpuModelCatalog.Matches(h100Sxm, GpuModelCatalog.ParseFilter("H100 NVLink")), Is.True, "SXM is NVLink-connected");
            Assert.That(GpuModelCatalog.Matches(h100Pcie, GpuModelCatalog.ParseFilter("H100 NVLink")), Is.False);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("A100_SXM4_40GB", 1), GpuModelCatalog.ParseFilter("a100-80gb")), Is.False);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("A100_SXM4_80GB", 1), GpuModelCatalog.ParseFilter("a100-80gb")), Is.True);
            Assert.That(GpuModelCatalog.Matches(GpuModelCatalog.Parse("a100", 1), GpuModelCatalog.ParseFilter("a100-80gb")), Is.True, "unknown memory does not exclude");
        }
    }

    [Test]
    public void RtxA6000Ada_IsRtx6000Ada()
    {
        Assert.That(GpuModelCatalog.Parse("RTX_A6000_ADA_48GB", 1).Model, Is.EqualTo("RTX 6000 Ada"));
    }

    [Test]
    public void Names_AreTheCanonicalTable()
    {
        Assert.That(GpuModelCatalog.Names, Does.Contain("H100").And.Contain("RTX 6000 Ada").And.Contain("MI300X").And.Not.Contain("h100"));
    }
}
