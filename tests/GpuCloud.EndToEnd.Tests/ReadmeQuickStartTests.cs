using System.Text.RegularExpressions;
using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.EndToEnd.Tests;

/// <summary>
/// The README's quick start, compiled here and run against the sandbox over loopback: the code between the markers
/// must be exactly the README's block, so the README cannot drift from code that builds and works.
/// </summary>
[NonParallelizable]
public sealed class ReadmeQuickStartTests
{
    private static async Task QuickStart()
    {
        // README:begin
        using var cloud = new GpuCloudClient(GpuCloudOptions.FromEnvironment()); // FLUENCE_API_KEY, FLUIDSTACK_TOKEN, ...
        var h100 = new PlanQuery { GpuModels = ["H100"] };
        foreach (var plan in (await cloud.ListPlansAsync(h100)).Plans.Take(5))
            Console.WriteLine($"{plan.Provider} {plan.Name}: {plan.Gpu.Count}x {plan.Gpu.Model} {plan.PricePerHour} {plan.Currency}/h");

        var instance = await cloud.CreateCheapestAsync(h100, new CreateInstanceRequest
        {
            Name = "readme-h100",
            SshPublicKeys = [File.ReadAllText(Environment.ExpandEnvironmentVariables("%HOME%/.ssh/id_ed25519.pub"))],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        Console.WriteLine($"ready on {instance.Provider}: {instance.Ssh?.Command}");
        await cloud.DeleteInstanceAsync(instance.Provider, instance.Id);
        await cloud.WaitForStateAsync(instance.Provider, instance.Id, InstanceState.Terminated, TimeSpan.FromMinutes(5));
        // README:end
    }

    [Test]
    public void TheReadmeBlock_IsThisCode()
    {
        var root = FindRepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var block = Regex.Match(readme, @"```csharp\n// README quick start[^\n]*\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, Is.True, "README.md has no quick start block");

        var source = File.ReadAllText(Path.Combine(root, "tests", "GpuCloud.EndToEnd.Tests", "ReadmeQuickStartTests.cs"));
        var code = Regex.Match(source, @"// README:begin\n(?<code>.*?)\s*// README:end", RegexOptions.Singleline).Groups["code"].Value;

        Assert.That(Normalize(block.Groups["code"].Value), Is.EqualTo(Normalize(code)));
    }

    [Test]
    public async Task TheQuickStart_RunsAgainstTheSandbox_AndLeavesNothingBehind()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero });
        var home = Directory.CreateTempSubdirectory("gpucloud-readme-home").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        await File.WriteAllTextAsync(Path.Combine(home, ".ssh", "id_ed25519.pub"), TestKeys.Ed25519 + "\n");
        var variables = SandboxConnection.Variables(sandbox).ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        variables["HOME"] = home;
        variables["FLUIDSTACK_TOKEN"] = null;
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        var console = Console.Out;
        var output = new StringWriter();
        try
        {
            foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
            Console.SetOut(output);
            await HangGuard.WithinAsync(QuickStart(), "the README's quick start");
        }
        finally
        {
            Console.SetOut(console);
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.ToString(), Does.Contain("H100").And.Contain("ready on fluence: ssh -p "));
            Assert.That(sandbox.Inventory.CreateRequests(SandboxProvider.Fluence, "readme-h100"), Is.EqualTo(1));
            Assert.That(sandbox.Inventory.LiveInstances(), Is.Empty);
        }
    }

    private static string Normalize(string code) =>
        string.Join("\n", code.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found above " + AppContext.BaseDirectory);
    }
}
