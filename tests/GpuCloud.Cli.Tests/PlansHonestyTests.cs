namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 4: `plans` never hides a provider silently. Fluidstack's plans have no price unless the user gives
/// them; they sort last, and `--limit` used to cut them without a word. Now the footer names what each provider lost to
/// the limit, unpriced plans read "unpriced", and a price from FLUIDSTACK_PRICES reads "configured" in `--wide`.
/// </summary>
public sealed class PlansHonestyTests
{
    [Test]
    public async Task Limit_CuttingAProviderWhole_IsNamedInTheFooter()
    {
        var all = await Cli.RunAsync("plans", "--sandbox", "--limit", "0", "-o", "json");
        var limited = await Cli.RunAsync("plans", "--sandbox", "--limit", "5");

        Assert.That(all.ExitCode, Is.Zero, all.Error);
        var plans = System.Text.Json.JsonDocument.Parse(all.Out).RootElement.GetProperty("plans").EnumerateArray().ToArray();
        var fluidstack = plans.Count(p => p.GetProperty("provider").GetString() == "fluidstack");
        var fluence = plans.Count(p => p.GetProperty("provider").GetString() == "fluence");
        Assert.That(fluidstack, Is.GreaterThan(0));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(limited.ExitCode, Is.Zero, limited.Error);
            Assert.That(limited.Out, Does.Contain($"left out by --limit 5: fluence {fluence - 5} of {fluence}, fluidstack {fluidstack} of {fluidstack} (none shown; {fluidstack} unpriced)"));
        }
    }

    [Test]
    public async Task LimitCut_IsInTheJsonToo()
    {
        var limited = await Cli.RunAsync("plans", "--sandbox", "--limit", "5", "-o", "json");

        var leftOut = System.Text.Json.JsonDocument.Parse(limited.Out).RootElement.GetProperty("leftOut").EnumerateArray()
            .ToDictionary(c => c.GetProperty("provider").GetString()!, c => c.GetProperty("count").GetInt32());
        Assert.That(leftOut.Keys, Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
    }

    [Test]
    public async Task UnpricedPlans_SayUnpriced()
    {
        var result = await Cli.RunAsync("plans", "--sandbox", "--provider", "fluidstack");

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        var rows = result.Out.Split('\n').Where(l => l.StartsWith("fluidstack", StringComparison.Ordinal)).ToArray();
        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows, Has.All.Contain("unpriced"));
    }

    [Test]
    public async Task FluidstackPrices_FromTheEnvironment_ShowAsConfigured_AndSortWithTheOthers()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var environment = sandbox.Environment();
        environment["FLUIDSTACK_PRICES"] = "h100-pcie-80gb.1x=0.01";

        var wide = await Cli.RunAsync(["plans", "--wide", "--limit", "3"], environment: environment);

        Assert.That(wide.ExitCode, Is.Zero, wide.Error);
        var first = wide.Out.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.That(first, Does.Contain("h100-pcie-80gb.1x").And.Contain("0.01 USD (configured)"), wide.Out);
    }
}
