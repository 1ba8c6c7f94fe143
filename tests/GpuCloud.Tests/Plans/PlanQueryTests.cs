namespace GpuCloud.Tests;

/// <summary>Every PlanQuery filter, its validation, and the search's sort order.</summary>
public class PlanQueryTests
{
    private static GpuPlan Sample(Func<GpuPlan, GpuPlan>? change = null)
    {
        var plan = new GpuPlan
        {
            Provider = "fluence",
            Id = "vm:1",
            Name = "1x H100",
            Workload = WorkloadType.VirtualMachine,
            Gpu = new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 2) { IsKnownModel = true },
            VCpus = 32,
            MemoryGiB = 256,
            StorageGiB = 1000,
            PricePerHour = 4.5m,
            Currency = "USDC",
            Locations = ["dulles-usa-1"],
            Availability = PlanAvailability.Available,
        };
        return change is null ? plan : change(plan);
    }

    [Test]
    public void EmptyQuery_MatchesEverything()
    {
        var bare = new GpuPlan
        {
            Provider = "x", Id = "1", Name = "1", Workload = WorkloadType.Container, Gpu = GpuSpec.None,
        };
        Assert.That(new PlanQuery().Matches(bare), Is.True);
    }

    [Test]
    public void Providers_CaseInsensitive()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PlanQuery { Providers = ["FLUENCE"] }.Matches(Sample()), Is.True);
            Assert.That(new PlanQuery { Providers = [" fluence "] }.Matches(Sample()), Is.True);
            Assert.That(new PlanQuery { Providers = ["fluidstack"] }.Matches(Sample()), Is.False);
            Assert.That(new PlanQuery { Providers = ["fluidstack", "fluence"] }.Matches(Sample()), Is.True);
            Assert.That(new PlanQuery { Providers = ["fluidstack"] }.AllowsProvider("fluence"), Is.False);
            Assert.That(new PlanQuery().AllowsProvider("anything"), Is.True);
        }
    }

    [TestCase("H100", true)]
    [TestCase("h100", true)]
    [TestCase("H100-SXM", true)]
    [TestCase("H100 PCIe", false)]
    [TestCase("H100 80GB", true)]
    [TestCase("gh100", true)]
    [TestCase("A100", false)]
    [TestCase("H200", false)]
    public void GpuModels_Aliases(string filter, bool expected)
    {
        Assert.That(new PlanQuery { GpuModels = [filter] }.Matches(Sample()), Is.EqualTo(expected));
    }

    [Test]
    public void GpuModels_AnyOfSeveral()
    {
        Assert.That(new PlanQuery { GpuModels = ["a100", "h100"] }.Matches(Sample()), Is.True);
    }

    [Test]
    public void GpuModels_CpuOnlyPlanNeverMatches()
    {
        Assert.That(new PlanQuery { GpuModels = ["h100"] }.Matches(Sample(p => p with { Gpu = GpuSpec.None })), Is.False);
    }

    [TestCase(2, true)]
    [TestCase(1, true)]
    [TestCase(3, false)]
    public void MinGpuCount(int min, bool expected)
    {
        Assert.That(new PlanQuery { MinGpuCount = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [TestCase(80d, true)]
    [TestCase(79.5d, true)]
    [TestCase(80.5d, false)]
    public void MinGpuMemory_PerGpu(double min, bool expected)
    {
        Assert.That(new PlanQuery { MinGpuMemoryGiB = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [Test]
    public void MinGpuMemory_UnknownMemoryIsExcluded()
    {
        var plan = Sample(p => p with { Gpu = p.Gpu with { MemoryGiB = null } });
        Assert.That(new PlanQuery { MinGpuMemoryGiB = 1 }.Matches(plan), Is.False);
    }

    [TestCase(160d, true)]
    [TestCase(161d, false)]
    public void MinTotalGpuMemory_AllGpus(double min, bool expected)
    {
        Assert.That(new PlanQuery { MinTotalGpuMemoryGiB = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [TestCase(32, true)]
    [TestCase(33, false)]
    public void MinVCpus(int min, bool expected)
    {
        Assert.That(new PlanQuery { MinVCpus = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [TestCase(256d, true)]
    [TestCase(257d, false)]
    public void MinMemory(double min, bool expected)
    {
        Assert.That(new PlanQuery { MinMemoryGiB = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [TestCase(1000d, true)]
    [TestCase(1001d, false)]
    public void MinStorage(double min, bool expected)
    {
        Assert.That(new PlanQuery { MinStorageGiB = min }.Matches(Sample()), Is.EqualTo(expected));
    }

    [Test]
    public void MinimumsExcludePlansThatDoNotSay()
    {
        var unknown = Sample(p => p with { VCpus = null, MemoryGiB = null, StorageGiB = null });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PlanQuery { MinVCpus = 1 }.Matches(unknown), Is.False);
            Assert.That(new PlanQuery { MinMemoryGiB = 1 }.Matches(unknown), Is.False);
            Assert.That(new PlanQuery { MinStorageGiB = 1 }.Matches(unknown), Is.False);
            Assert.That(new PlanQuery { MinVCpus = 0, MinMemoryGiB = 0, MinStorageGiB = 0 }.Matches(unknown), Is.False);
        }
    }

    [TestCase("4.5", true)]
    [TestCase("10", true)]
    [TestCase("4.49", false)]
    public void MaxPrice(string max, bool expected)
    {
        Assert.That(new PlanQuery { MaxPricePerHour = decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture) }.Matches(Sample()), Is.EqualTo(expected));
    }

    [Test]
    public void MaxPrice_ExcludesPlansWithoutAPrice()
    {
        var unpriced = Sample(p => p with { PricePerHour = null });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PlanQuery { MaxPricePerHour = 1000 }.Matches(unpriced), Is.False);
            Assert.That(new PlanQuery().Matches(unpriced), Is.True, "without a price limit an unpriced plan is fine");
        }
    }

    [TestCase("US", "dulles-usa-1", true)]
    [TestCase("us", "dulles-usa-1", true)]
    [TestCase("US", "us-central-3", true)]
    [TestCase("US", "US", true)]
    [TestCase("us-central-3", "us-central-3", true)]
    [TestCase("US-CENTRAL-3", "us-central-3", true)]
    [TestCase("central", "us-central-3", true)]
    [TestCase("US", "kristiansand-norway-2", false)]
    [TestCase("NO", "kristiansand-nor-2", true)]
    [TestCase("GB", "london-uk-1", true)]
    [TestCase("DE", "US", false)]
    [TestCase("US", "Texas", false)]
    [TestCase("US", "russia-1", false)]
    public void Location_MatchesCountryCodesAndParts(string query, string location, bool expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PlanQuery.LocationMatches(location, query), Is.EqualTo(expected));
            Assert.That(new PlanQuery { Location = query }.Matches(Sample(p => p with { Locations = [location] })), Is.EqualTo(expected));
        }
    }

    [Test]
    public void Location_AlsoMatchesTheRegion()
    {
        var regional = Sample(p => p with { Locations = [], Region = "eu-1" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PlanQuery { Location = "eu-1" }.Matches(regional), Is.True);
            Assert.That(new PlanQuery { Location = "us" }.Matches(regional), Is.False);
        }
    }

    [Test]
    public void Location_PlanWithoutLocations_IsExcludedWhenAsked()
    {
        Assert.That(new PlanQuery { Location = "US" }.Matches(Sample(p => p with { Locations = [] })), Is.False);
    }

    [Test]
    public void Location_AnyOfThePlansLocations()
    {
        Assert.That(new PlanQuery { Location = "JP" }.Matches(Sample(p => p with { Locations = ["US", "JP"] })), Is.True);
    }

    [TestCase(WorkloadType.VirtualMachine, true)]
    [TestCase(WorkloadType.Container, false)]
    [TestCase(WorkloadType.BareMetal, false)]
    public void Workload(WorkloadType workload, bool expected)
    {
        Assert.That(new PlanQuery { Workload = workload }.Matches(Sample()), Is.EqualTo(expected));
    }

    [TestCase(GpuInterconnect.SXM, GpuInterconnect.SXM, true)]
    [TestCase(GpuInterconnect.SXM, GpuInterconnect.NVLink, true)]
    [TestCase(GpuInterconnect.NVLink, GpuInterconnect.NVLink, true)]
    [TestCase(GpuInterconnect.PCIe, GpuInterconnect.NVLink, false)]
    [TestCase(GpuInterconnect.PCIe, GpuInterconnect.SXM, false)]
    [TestCase(GpuInterconnect.SXM, GpuInterconnect.PCIe, false)]
    [TestCase(GpuInterconnect.Unknown, GpuInterconnect.PCIe, false)]
    [TestCase(GpuInterconnect.PCIe, GpuInterconnect.PCIe, true)]
    public void Interconnect_NVLinkAcceptsSxm(GpuInterconnect planLink, GpuInterconnect wanted, bool expected)
    {
        var plan = Sample(p => p with { Gpu = p.Gpu with { Interconnect = planLink } });
        Assert.That(new PlanQuery { Interconnect = wanted }.Matches(plan), Is.EqualTo(expected));
    }

    [TestCase(PlanAvailability.Available, true)]
    [TestCase(PlanAvailability.Unknown, true)]
    [TestCase(PlanAvailability.Unavailable, false)]
    public void OnlyAvailable(PlanAvailability availability, bool expected)
    {
        var plan = Sample(p => p with { Availability = availability });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PlanQuery { OnlyAvailable = true }.Matches(plan), Is.EqualTo(expected));
            Assert.That(new PlanQuery { OnlyAvailable = false }.Matches(plan), Is.True);
        }
    }

    [Test]
    public void AllFiltersTogether()
    {
        var query = new PlanQuery
        {
            Providers = ["fluence"], GpuModels = ["H100-SXM"], MinGpuCount = 2, MinGpuMemoryGiB = 80, MinTotalGpuMemoryGiB = 160,
            MinVCpus = 32, MinMemoryGiB = 256, MinStorageGiB = 1000, MaxPricePerHour = 4.5m, Location = "US",
            Workload = WorkloadType.VirtualMachine, Interconnect = GpuInterconnect.NVLink, OnlyAvailable = true,
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(query.Matches(Sample()), Is.True);
            Assert.That(query.Matches(Sample(p => p with { PricePerHour = 4.51m })), Is.False);
        }
    }

    private static IEnumerable<TestCaseData> InvalidQueries()
    {
        yield return new TestCaseData(new PlanQuery { MinGpuCount = -1 }, "MinGpuCount");
        yield return new TestCaseData(new PlanQuery { MinGpuMemoryGiB = -0.5 }, "MinGpuMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinGpuMemoryGiB = double.NaN }, "MinGpuMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinTotalGpuMemoryGiB = double.PositiveInfinity }, "MinTotalGpuMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinTotalGpuMemoryGiB = -1 }, "MinTotalGpuMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinVCpus = -2 }, "MinVCpus");
        yield return new TestCaseData(new PlanQuery { MinMemoryGiB = double.NaN }, "MinMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinMemoryGiB = -8 }, "MinMemoryGiB");
        yield return new TestCaseData(new PlanQuery { MinStorageGiB = double.NegativeInfinity }, "MinStorageGiB");
        yield return new TestCaseData(new PlanQuery { MaxPricePerHour = -0.01m }, "MaxPricePerHour");
        yield return new TestCaseData(new PlanQuery { GpuModels = ["h100", " "] }, "GpuModels");
        yield return new TestCaseData(new PlanQuery { Providers = [""] }, "Providers");
    }

    [TestCaseSource(nameof(InvalidQueries))]
    public void Validate_RejectsBadValues_NamingTheField(PlanQuery query, string field)
    {
        var ex = Assert.Throws<GpuCloudException>(query.Validate);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo(field));
            Assert.That(ex.Message, Does.StartWith(field));
        }
    }

    [Test]
    public void Validate_AcceptsZeroes()
    {
        var query = new PlanQuery
        {
            MinGpuCount = 0, MinGpuMemoryGiB = 0, MinTotalGpuMemoryGiB = 0, MinVCpus = 0, MinMemoryGiB = 0, MinStorageGiB = 0, MaxPricePerHour = 0,
        };
        Assert.DoesNotThrow(query.Validate);
    }

    [TestCaseSource(nameof(InvalidQueries))]
    public void InvalidQuery_IsRejectedBeforeAnyProviderIsAsked(PlanQuery query, string field)
    {
        var provider = new FakeProvider("alpha");
        using var client = new GpuCloudClient([provider]);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.ListPlansAsync(query));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo(field));
            Assert.That(provider.ListPlansCalls, Is.Zero);
        }
    }

    [Test]
    public async Task Search_SortsByPrice_UnpricedLast_TiesInProviderOrder()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.AddRange([
            Build.Plan("alpha", "a-none", null),
            Build.Plan("alpha", "a-3", 3m),
            Build.Plan("alpha", "a-1", 1m),
            Build.Plan("alpha", "a-2-first", 2m),
            Build.Plan("alpha", "a-2-second", 2m),
        ]);
        var beta = new FakeProvider("beta");
        beta.Plans.AddRange([
            Build.Plan("beta", "b-2", 2m),
            Build.Plan("beta", "b-none", null),
            Build.Plan("beta", "b-0.5", 0.5m),
        ]);
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync();

        Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[]
        {
            "b-0.5", "a-1", "a-2-first", "a-2-second", "b-2", "a-3", "a-none", "b-none",
        }));
    }

    [Test]
    public async Task Search_ThousandsOfPlans_SameOrderAsAStableSortByExactPrice()
    {
        // Few distinct prices (many ties), unpriced plans, and prices that differ only beyond a double's precision.
        decimal?[] prices = [null, 0.5m, 1.22m, 2m, 1.0000000000000000000000000002m, 1.0000000000000000000000000001m, 3.1m, 1m];
        var random = new Random(7);
        var provider = new FakeProvider("alpha");
        for (var i = 0; i < 3000; i++) provider.Plans.Add(Build.Plan("alpha", "p" + i, prices[random.Next(prices.Length)]));
        using var client = new GpuCloudClient([provider]);

        var result = await client.ListPlansAsync();

        var expected = provider.Plans.OrderBy(p => p.PricePerHour is null).ThenBy(p => p.PricePerHour).Select(p => p.Id);
        Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(expected));
    }

    [Test]
    public async Task Search_TiesFollowTheOrderProvidersWereGiven()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.Add(Build.Plan("alpha", "a", 2m));
        var beta = new FakeProvider("beta");
        beta.Plans.Add(Build.Plan("beta", "b", 2m));

        using var betaFirst = new GpuCloudClient([beta, alpha]);
        using var alphaFirst = new GpuCloudClient([alpha, beta]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await betaFirst.ListPlansAsync()).Plans.Select(p => p.Id), Is.EqualTo(new[] { "b", "a" }));
            Assert.That((await alphaFirst.ListPlansAsync()).Plans.Select(p => p.Id), Is.EqualTo(new[] { "a", "b" }));
        }
    }

    [Test]
    public async Task Search_FiltersOnTheClient_WhateverTheProviderReturns()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.AddRange([
            Build.Plan("alpha", "h100", 2m, Build.Gpu("H100")),
            Build.Plan("alpha", "a100", 1m, Build.Gpu("A100")),
            Build.Plan("alpha", "h100-pricey", 9m, Build.Gpu("H100")),
        ]);
        using var client = new GpuCloudClient([alpha]);

        var result = await client.ListPlansAsync(new PlanQuery { GpuModels = ["h100"], MaxPricePerHour = 5 });

        Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "h100" }));
    }

    [Test]
    public async Task Search_ProviderFilter_DoesNotAskOtherProviders()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.Add(Build.Plan("alpha", "a", 1m));
        var beta = new FakeProvider("beta");
        beta.Plans.Add(Build.Plan("beta", "b", 1m));
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync(new PlanQuery { Providers = ["BETA"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "b" }));
            Assert.That(alpha.ListPlansCalls, Is.Zero);
            Assert.That(beta.ListPlansCalls, Is.EqualTo(1));
        }
    }
}
