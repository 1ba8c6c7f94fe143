using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// <c>instances create</c> takes the defaults <c>run</c> takes (container image, name, key file) and both say which ones they
/// used; <c>--plan</c> takes the short id the plan table shows.
/// </summary>
public sealed class DefaultsTests
{
    private static JsonElement Created(Cli.Result result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    [Test]
    public async Task Create_OnAContainerPlan_WithoutImageOrName_UsesRunsDefaults_AndSaysSo()
    {
        var result = await Cli.RunAsync(["instances", "create", "--sandbox", "-o", "json", "--provider", "fluence", "--plan", "77e779be", "--ssh-key", Cli.KeyFile(Cli.Ed25519)],
            (server, options) => options.PollInterval = TimeSpan.FromMilliseconds(50));
        var json = Created(result);

        Assert.That(json.GetProperty("id").GetString(), Does.StartWith("container:"), "the short plan id named the container plan");
        Assert.That(json.GetProperty("name").GetString(), Does.Match("^gpucloud-[a-z0-9]{6}$"));
        Assert.That(result.Error, Does.Contain($"--name {json.GetProperty("name").GetString()}").And.Contain("--image " + CliDefaults.ContainerImage),
            "the defaults used are said (on stderr with JSON)");
    }

    [Test]
    public async Task Create_AndRun_ShareTheDefaultImage()
    {
        var run = await Cli.RunAsync(["run", "--sandbox", "--gpu", "A100", "--workload", "Container"], (server, options) => options.PollInterval = TimeSpan.FromMilliseconds(50));
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Out, Does.Contain("--image " + CliDefaults.ContainerImage).And.Contain("--release yes (sandbox)").And.Contain("--name gpucloud-"));
    }

    [Test]
    public async Task Create_WithTheKeyInTheHomeDirectory_UsesIt_AndSaysSo()
    {
        var home = Directory.CreateTempSubdirectory("gpucloud-cli-home-key").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        await File.WriteAllTextAsync(Path.Combine(home, ".ssh", "id_ed25519.pub"), Cli.Ed25519 + "\n");

        var result = await Cli.RunAsync(["instances", "create", "--sandbox", "--provider", "fluidstack", "--plan", "eu-north-1/h100-pcie-80gb.1x", "--name", "keyed"], home: home);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out, Does.StartWith("defaults: --ssh-key ~/.ssh/id_ed25519.pub"));
        Assert.That(result.Out, Does.Not.Contain("--image"), "a VM plan takes no container image");
    }

    [Test]
    public async Task Create_APlanOfferedInTwoRegions_NeedsTheRegion_AndCreatesNothingWithout()
    {
        SandboxServer? sandbox = null;
        var ambiguous = await Cli.RunAsync(["instances", "create", "--sandbox", "--provider", "fluidstack", "--plan", "h100-hgx-80gb.8x", "--name", "two-regions",
            "--ssh-key", Cli.KeyFile(Cli.Ed25519)], (server, _) => sandbox = server);
        Assert.That(ambiguous.ExitCode, Is.EqualTo(2));
        Assert.That(ambiguous.Error, Does.Contain("'h100-hgx-80gb.8x' matches 2 plans on fluidstack: eu-north-1/h100-hgx-80gb.8x, us-east-2/h100-hgx-80gb.8x; give more of the id or add --location."));
        Assert.That(sandbox!.Inventory.CreateRequestCounts(SandboxProvider.Fluidstack), Is.Empty, "nothing was sent");

        var json = Created(await Cli.RunAsync(["instances", "create", "--sandbox", "-o", "json", "--provider", "fluidstack", "--plan", "h100-hgx-80gb.8x",
            "--location", "us-east-2", "--name", "two-regions", "--ssh-key", Cli.KeyFile(Cli.Ed25519)]));
        Assert.That(json.GetProperty("id").GetString(), Does.StartWith("us-east-2/"));
    }
}
