using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuCloud.Sandbox;

namespace GpuCloud.Consumer.Tests;

/// <summary>
/// Day one as a user lives it: pack the repository into a local feed, reference only the GpuCloud package from a fresh
/// console project, run it against the sandbox, and install the gpucloud tool from the same feed. Offline: the
/// only other source is this machine's global packages folder, which the repository's own restore filled.
/// </summary>
[NonParallelizable]
public sealed class ConsumerTests
{
    private static readonly string Root = FindRoot();
    private static string _work = null!;
    private static string _feed = null!;
    private static string _packages = null!;
    private static string _globalPackages = null!;

    private static string GeneratedVersion => Regex.Match(File.ReadAllText(Path.Combine(Root, "build", "GeneratedVersion.props")),
        "<GpuCloudGeneratedVersion>([^<]+)<").Groups[1].Value;

    private static string FacadeVersion => Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<Version>([^<]+)<").Groups[1].Value;

    [OneTimeSetUp]
    public static async Task PackIntoALocalFeed()
    {
        _work = Directory.CreateTempSubdirectory("gpucloud-consumer").FullName;
        _feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        _globalPackages = (await Dotnet(Root, "nuget", "locals", "global-packages", "--list")).Out.Split(':', 2)[1].Trim();
        // Packed with the repository's own package folder: a pack restores the repository's projects in place, and with a
        // folder of its own it would point their obj/project.assets.json at a folder this fixture deletes, under the feet
        // of the solution build that `dotnet test` runs beside it (NETSDK1064 on a CI run).
        foreach (var project in new[] { "src/GpuCloud.Generated", "src/GpuCloud", "src/GpuCloud.Cli" })
            await Dotnet(Root, "pack", project, "-c", "Release", "-o", _feed, "-nologo");
        // From here on (the consumer's own restores) nothing stale is reused from the machine's cache.
        _packages = Directory.CreateDirectory(Path.Combine(_work, "packages")).FullName;
        await File.WriteAllTextAsync(Path.Combine(_work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{_feed}" />
                <add key="machine" value="{_globalPackages}" />
              </packageSources>
            </configuration>
            """);
    }

    [OneTimeTearDown]
    public static void Cleanup()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    [Test]
    public void ThePackagesExist_AndTheFacadePinsGeneratedExactly()
    {
        var nuspec = ReadNuspec(Path.Combine(_feed, $"GpuCloud.{FacadeVersion}.nupkg"), "GpuCloud.nuspec");
        Assert.That(nuspec, Does.Contain($"<dependency id=\"GpuCloud.Generated\" version=\"[{GeneratedVersion}]\""));
        Assert.That(nuspec, Does.Contain("<readme>README.md</readme>").And.Contain("<license type=\"expression\">MIT</license>"));
        Assert.That(File.Exists(Path.Combine(_feed, $"GpuCloud.Generated.{GeneratedVersion}.nupkg")), Is.True);
        Assert.That(File.Exists(Path.Combine(_feed, $"GpuCloud.{FacadeVersion}.snupkg")), Is.True, "symbols");
    }

    [Test]
    public async Task AFreshConsoleProject_ReferencingOnlyGpuCloud_RunsTheLifecycleAgainstTheSandbox()
    {
        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GpuCloud" Version="{FacadeVersion}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using GpuCloud;

            using var cloud = new GpuCloudClient(GpuCloudOptions.FromEnvironment());
            var plans = await cloud.ListPlansAsync(new PlanQuery { Providers = ["fluence"], GpuModels = ["A100"], Workload = WorkloadType.Container });
            var created = await cloud.CreateInstanceAsync(new CreateInstanceRequest
            {
                Plan = plans.Plans[0],
                Name = "consumer-test",
                Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
            });
            var ready = await cloud.WaitForStateAsync(created.Provider, created.Id, InstanceState.Running, TimeSpan.FromMinutes(1));
            await cloud.DeleteInstanceAsync(ready.Provider, ready.Id);
            var gone = await cloud.WaitForStateAsync(ready.Provider, ready.Id, InstanceState.Terminated, TimeSpan.FromMinutes(1));
            Console.WriteLine($"plans={plans.Plans.Count} ready={ready.IsReady} gone={gone.State}");
            """);

        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero });
        var run = await Dotnet(app, ["run", "-nologo"], new Dictionary<string, string?>
        {
            ["FLUENCE_API_KEY"] = sandbox.FluenceApiKey,
            ["FLUENCE_BASE_URL"] = sandbox.FluenceBaseUrl.ToString(),
        });

        Assert.That(run.Out, Does.Match(@"plans=[1-9]\d* ready=True gone=Terminated"));
        Assert.That(sandbox.Inventory.CreateRequests(SandboxProvider.Fluence, "consumer-test"), Is.EqualTo(1));
        Assert.That(sandbox.Inventory.LiveInstances(), Is.Empty);

        using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app, "obj", "project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.That(libraries, Does.Contain($"GpuCloud.Generated/{GeneratedVersion}"), "the pinned raw-client version");
        Assert.That(libraries.Count(l => l.StartsWith("GpuCloud.Generated/", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task TheTool_InstallsFromTheFeed_AndListsPlansFromTheSandbox()
    {
        var tools = Path.Combine(_work, "tools");
        await Dotnet(_work, "tool", "install", "GpuCloud.Cli", "--tool-path", tools, "--version", FacadeVersion, "--configfile", Path.Combine(_work, "nuget.config"));

        var result = await Run(Path.Combine(tools, "gpucloud"), _work, ["plans", "--sandbox", "--output", "json", "--gpu", "H100"], null);

        using var json = JsonDocument.Parse(result.Out);
        var plans = json.RootElement.GetProperty("plans").EnumerateArray().ToArray();
        Assert.That(plans, Is.Not.Empty);
        Assert.That(plans.Select(p => p.GetProperty("gpu").GetProperty("model").GetString()), Is.All.EqualTo("H100"));
    }

    private sealed record Output(string Out, string Error);

    private static Task<Output> Dotnet(string directory, params string[] args) => Dotnet(directory, args, null);

    private static Task<Output> Dotnet(string directory, string[] args, IReadOnlyDictionary<string, string?>? environment) =>
        Run("dotnet", directory, args, environment);

    /// <summary>Runs a process with its own package cache (so nothing stale is reused) and fails the test on a non-zero exit.</summary>
    private static async Task<Output> Run(string file, string directory, string[] args, IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (_packages is not null) start.Environment["NUGET_PACKAGES"] = _packages;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var output = new Output(await stdout, await stderr);
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)} failed:\n{output.Out}\n{output.Error}");
        return output;
    }

    private static string ReadNuspec(string package, string entry)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found");
    }
}
