using System.Text.Json;

namespace GpuCloud.Cli.Tests;

/// <summary>Issue 25, item 2, end to end: `plans --gpu H200` finds Fluidstack's H200 (GH100_H200_SXM5_141GB), `--gpu H100` does not.</summary>
public sealed class GpuFilterCliTests
{
    private static async Task<string[]> PlanIdsAsync(string gpu)
    {
        var result = await Cli.RunAsync("plans", "--sandbox", "--provider", "fluidstack", "--gpu", gpu, "--limit", "0", "-o", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return JsonDocument.Parse(result.Out).RootElement.GetProperty("plans").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();
    }

    [Test]
    public async Task H200_IsFoundAsH200_AndNotAsH100()
    {
        var h200 = await PlanIdsAsync("H200");
        var h100 = await PlanIdsAsync("H100");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(h200, Does.Contain("us-east-2/h200-hgx-141gb.8x"));
            Assert.That(h100, Does.Not.Contain("us-east-2/h200-hgx-141gb.8x"));
            Assert.That(h100, Does.Contain("us-east-2/h100-hgx-80gb.8x"));
        }
    }
}
