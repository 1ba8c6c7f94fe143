using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>
/// Issue 25, item 4: Atlas publishes no prices, so a user gives them: <c>FLUIDSTACK_PRICES=type=price,...</c> (and
/// <c>FLUIDSTACK_CURRENCY</c>) in the environment, <c>GpuCloud:Fluidstack:PricePerHour:&lt;type&gt;</c> in configuration;
/// plans priced that way say so (<see cref="GpuPlan.IsPriceConfigured"/>).
/// </summary>
public class FluidstackPricesTests
{
    [Test]
    public void Environment_PricesPerInstanceType_AndCurrency()
    {
        var options = GpuCloudOptions.FromEnvironment(name => name switch
        {
            "FLUIDSTACK_TOKEN" => "t",
            "FLUIDSTACK_PRICES" => "h100-hgx-80gb.8x=23.92, a100-sxm4-80gb.8x = 14.32",
            "FLUIDSTACK_CURRENCY" => "EUR",
            _ => null,
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluidstack.PricePerHour, Is.EquivalentTo(new Dictionary<string, decimal> { ["h100-hgx-80gb.8x"] = 23.92m, ["a100-sxm4-80gb.8x"] = 14.32m }));
            Assert.That(options.Fluidstack.PricePerHour["H100-HGX-80GB.8X"], Is.EqualTo(23.92m), "type names compare as Atlas's do, case aside");
            Assert.That(options.Fluidstack.Currency, Is.EqualTo("EUR"));
        }
    }

    [TestCase("h100-hgx-80gb.8x")]
    [TestCase("h100-hgx-80gb.8x=cheap")]
    [TestCase("=23.92")]
    [TestCase("h100-hgx-80gb.8x=-1")]
    public void Environment_MalformedPrices_NameTheVariable(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => GpuCloudOptions.FromEnvironment(name => name == "FLUIDSTACK_PRICES" ? value : null));

        Assert.That(ex!.Message, Does.Contain("FLUIDSTACK_PRICES").And.Contain("type=price"));
    }

    [Test]
    public async Task ConfiguredPrice_IsMarkedConfigured_AndAnUnpricedTypeIsNot()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        using var fluidstack = Build.Fluidstack(http);

        var plans = (await fluidstack.ListPlansAsync(new PlanQuery())).Plans.ToDictionary(p => p.Name);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans["h100-hgx-80gb.8x"].PricePerHour, Is.EqualTo(23.92m));
            Assert.That(plans["h100-hgx-80gb.8x"].IsPriceConfigured, Is.True);
            Assert.That(plans.Values.Where(p => p.PricePerHour is null), Is.Not.Empty);
            Assert.That(plans.Values.Where(p => p.PricePerHour is null).Select(p => p.IsPriceConfigured), Has.All.False);
        }
    }
}
