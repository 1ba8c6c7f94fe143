using System.Diagnostics;
using System.Reflection;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// The build's own rules, run by MSBuild on a copy of the repository's generator inputs (build/*.targets,
/// build/SpecTool.cs, nswag.json, specs/): a changed spec without a version bump is refused with a message naming
/// the spec and the file to edit; a bump plus UpdateSpecLock is accepted; a spec NSwag cannot read is reported in
/// one line naming the spec. Nothing but the .NET SDK runs.
/// </summary>
public sealed class BuildPipelineTests
{
    private static readonly string Root = FindRoot();
    private string _copy = null!;

    [SetUp]
    public void CopyInputs()
    {
        _copy = Directory.CreateTempSubdirectory("gpucloud-build").FullName;
        Directory.CreateDirectory(Path.Combine(_copy, "build"));
        Directory.CreateDirectory(Path.Combine(_copy, "specs"));
        foreach (var file in new[] { "nswag.json", "build/SpecTool.cs", "build/SpecTool.targets", "build/NSwag.targets", "build/GeneratedVersion.props", "specs/specs.lock.json" })
            File.Copy(Path.Combine(Root, file), Path.Combine(_copy, file));
        foreach (var spec in Directory.GetFiles(Path.Combine(Root, "specs"), "*.openapi.yaml"))
            File.Copy(spec, Path.Combine(_copy, "specs", Path.GetFileName(spec)));
    }

    /// <summary>The version the checked-in lock records, and the bumps the verdict asks for from it.</summary>
    private static readonly Version Locked = Version.Parse(System.Text.RegularExpressions.Regex.Match(
        File.ReadAllText(Path.Combine(Root, "build", "GeneratedVersion.props")), "<GpuCloudGeneratedVersion>([^<]+)<").Groups[1].Value);

    private static string MinorBump => $"{Locked.Major}.{Locked.Minor + 1}.0";

    private static string PatchBump => $"{Locked.Major}.{Locked.Minor}.{Locked.Build + 1}";

    [TearDown]
    public void Remove() => Directory.Delete(_copy, recursive: true);

    [Test]
    public void TheCheckedInLock_MatchesTheCheckedInSpecs()
    {
        var (code, output) = MSBuild("CheckSpecLock");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void AChangedSpec_WithoutAVersionBump_FailsNamingTheSpecAndTheFileToEdit()
    {
        File.AppendAllText(Path.Combine(_copy, "specs", "fluence.openapi.yaml"), "\n# an edit\n");

        var (code, output) = MSBuild("CheckSpecLock");

        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("specs/fluence.openapi.yaml : error GCG001")
            .And.Contain("build/GeneratedVersion.props").And.Contain("dotnet msbuild src/GpuCloud.Generated -t:UpdateSpecLock"));
    }

    [Test]
    public void UpdateLock_RefusesAChangeUnderTheSameVersion_AndAcceptsItAfterABump()
    {
        File.AppendAllText(Path.Combine(_copy, "specs", "fluidstack-management.openapi.yaml"), "\n# an edit\n");
        Assert.That(MSBuild("UpdateSpecLock").Code, Is.Not.Zero, "the version was not bumped");

        var props = Path.Combine(_copy, "build", "GeneratedVersion.props");
        File.WriteAllText(props, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(props),
            "<GpuCloudGeneratedVersion>[^<]+<", "<GpuCloudGeneratedVersion>9.9.9<"));
        Assert.That(MSBuild("CheckSpecLock").Output, Does.Contain("GCG003"), "the lock still records the old version");

        Assert.That(MSBuild("UpdateSpecLock").Code, Is.Zero);
        var (code, output) = MSBuild("CheckSpecLock");
        Assert.That(code, Is.Zero, output);
        Assert.That(File.ReadAllText(Path.Combine(_copy, "specs", "specs.lock.json")), Does.Contain("\"generatedVersion\": \"9.9.9\""));
    }

    [Test]
    public void UpdateLock_WritesTheLockItReads_ByteForByte()
    {
        // The checked-in lock was written by the tool this replaced: same hashes (LF text) and the same layout.
        var props = Path.Combine(_copy, "build", "GeneratedVersion.props");
        var version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(props), "<GpuCloudGeneratedVersion>([^<]+)<").Groups[1].Value;
        var before = File.ReadAllText(Path.Combine(_copy, "specs", "specs.lock.json"));
        File.WriteAllText(Path.Combine(_copy, "specs", "specs.lock.json"), before.Replace($"\"{version}\"", "\"0.0.0-old\""));

        var (code, output) = MSBuild("UpdateSpecLock");

        Assert.That(code, Is.Zero, output);
        Assert.That(File.ReadAllText(Path.Combine(_copy, "specs", "specs.lock.json")), Is.EqualTo(before));
    }

    [Test]
    public void ASpecNSwagCannotRead_FailsInOneLineNamingTheSpec()
    {
        File.WriteAllText(Path.Combine(_copy, "specs", "broken.openapi.yaml"), "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n");

        var (code, output) = MSBuild("GenerateClients", "broken.openapi.yaml", checkLock: false);

        Assert.That(code, Is.Not.Zero);
        var errors = output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains(": error ")).Distinct().ToList();
        Assert.That(errors, Has.Count.EqualTo(1), output);
        Assert.That(errors[0], Does.Contain("specs/broken.openapi.yaml : error GCG002: NSwag could not generate BrokenClient"));
        Assert.That(errors[0], Does.Not.Contain(" at "), "no stack trace");
    }

    [Test]
    public void AChangedSpec_WhoseApiLosesAMember_IsBreaking_AndNamesTheMinorBump()
    {
        WriteApiFindings(added: ["Ns.T.B.get -> string?"], removed: ["Ns.T.A.get -> string!"]);

        var (code, output) = MSBuild("ApiVerdict");

        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("specs/fluence.openapi.yaml : error GCG001: specs/fluence.openapi.yaml changed since")
            .And.Contain("1 public members removed or changed (e.g. Ns.T.A.get -> string!) and 1 added")
            .And.Contain($"breaking: bump the minor (0.x): set <GpuCloudGeneratedVersion> to {MinorBump}"));
    }

    [Test]
    public void AChangedSpec_WhoseApiOnlyGains_IsAdditive_AndNamesThePatchBump()
    {
        WriteApiFindings(added: ["Ns.T.B.get -> string?", "Ns.T.B.set -> void"], removed: []);

        var (code, output) = MSBuild("ApiVerdict");

        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("error GCG001").And.Contain("2 public members added")
            .And.Contain($"additive: bump the patch: set <GpuCloudGeneratedVersion> to {PatchBump}"));
    }

    [Test]
    public void UpdateLock_RefusesAPatchBumpForABreakingApi_AndRewritesTheShippedApiAfterAMinorOne()
    {
        WriteApiFindings(added: ["Ns.T.B.get -> string?"], removed: ["Ns.T.A.get -> string!"]);
        File.AppendAllText(Path.Combine(_copy, "specs", "fluence.openapi.yaml"), "\n# an edit\n");
        SetVersion(PatchBump);

        var (refused, output) = MSBuild("UpdateSpecLock", trackApi: true);
        Assert.That(refused, Is.Not.Zero);
        Assert.That(output, Does.Contain("error GCG001").And.Contain($"which is breaking: bump <GpuCloudGeneratedVersion> from {Locked} to {MinorBump} (now {PatchBump})"));

        SetVersion(MinorBump);
        var (code, output2) = MSBuild("UpdateSpecLock", trackApi: true);
        Assert.That(code, Is.Zero, output2);
        Assert.That(File.ReadAllLines(Path.Combine(_copy, "PublicAPI.Shipped.txt")), Is.EqualTo(new[] { "#nullable enable", "Ns.T.B.get -> string?", "Ns.T.C.get -> int" }));
    }

    [Test]
    public void UpdateLock_WithTheLockCurrent_OnlyBringsTheShippedApiUpToDate()
    {
        // A lock already written for this version (by hand, or by the flow before the API baseline): nothing to bump.
        WriteApiFindings(added: ["Ns.T.B.get -> string?"], removed: ["Ns.T.A.get -> string!"]);

        var (code, output) = MSBuild("UpdateSpecLock", trackApi: true);

        Assert.That(code, Is.Zero, output);
        Assert.That(File.ReadAllLines(Path.Combine(_copy, "PublicAPI.Shipped.txt")), Is.EqualTo(new[] { "#nullable enable", "Ns.T.B.get -> string?", "Ns.T.C.get -> int" }));
    }

    private void SetVersion(string version)
    {
        var props = Path.Combine(_copy, "build", "GeneratedVersion.props");
        File.WriteAllText(props, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(props),
            "<GpuCloudGeneratedVersion>[^<]+<", $"<GpuCloudGeneratedVersion>{version}<"));
    }

    /// <summary>What the compiler's SARIF log holds after PublicApiAnalyzers ran (the two shapes the build reads), and the shipped API it compared with.</summary>
    private void WriteApiFindings(string[] added, string[] removed)
    {
        File.WriteAllLines(Path.Combine(_copy, "PublicAPI.Shipped.txt"), new[] { "#nullable enable", "Ns.T.C.get -> int" }.Concat(removed));
        var results = added.Select(a => $$"""
                { "ruleId": "RS0016", "level": "note", "message": { "text": "Symbol 'x' is not part of the declared public API" },
                  "properties": { "customProperties": { "APIName": "{{a}}", "MinimalName": "x" } } }
                """)
            .Concat(removed.Select(r => $$"""
                { "ruleId": "RS0017", "level": "note", "message": { "text": "Symbol '{{r}}' is part of the declared API, but is either not public or could not be found" } }
                """));
        File.WriteAllText(Path.Combine(_copy, "PublicApi.sarif"), $$"""{ "version": "2.1.0", "runs": [ { "results": [ {{string.Join(",", results)}} ] } ] }""");
    }

    /// <summary>Runs one target of build/NSwag.targets in the copy, through a project that imports it as GpuCloud.Generated does.</summary>
    private (int Code, string Output) MSBuild(string target, string spec = "fluence.openapi.yaml", bool checkLock = true, bool trackApi = false)
    {
        var nswagDir = typeof(BuildPipelineTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NSwagDir_Net100").Value!;
        var project = Path.Combine(_copy, "probe.proj");
        File.WriteAllText(project, $"""
            <Project>
              <Import Project="build/GeneratedVersion.props" />
              <PropertyGroup>
                <BaseIntermediateOutputPath>obj/</BaseIntermediateOutputPath>
                <NSwagDir_Net100>{nswagDir}</NSwagDir_Net100>
                <NSwagExe_Net100>dotnet "{nswagDir}dotnet-nswag.dll"</NSwagExe_Net100>
              </PropertyGroup>
              <ItemGroup>
                <NSwagSpec Include="specs/{spec}" ClassName="BrokenClient" Namespace="Broken" ExceptionClass="BrokenException" />
              </ItemGroup>
              <Import Project="build/NSwag.targets" />
              {(checkLock ? "" : "<Target Name=\"CheckSpecLock\" />")}
              <!-- Stand-ins for the compile: the API findings are written by the test. -->
              <PropertyGroup Condition="'{trackApi}' == 'True'">
                <GpuCloudPublicApiSarif>$(MSBuildProjectDirectory)/PublicApi.sarif</GpuCloudPublicApiSarif>
                <GpuCloudShippedApi>$(MSBuildProjectDirectory)/PublicAPI.Shipped.txt</GpuCloudShippedApi>
              </PropertyGroup>
              <Target Name="Build" />
              <Target Name="ApiVerdict">
                <GpuCloudSpecTool Command="api" Root="$(GpuCloudRepoRoot)" Version="$(GpuCloudGeneratedVersion)" Sarif="$(MSBuildProjectDirectory)/PublicApi.sarif"
                                  ShippedApi="$(MSBuildProjectDirectory)/PublicAPI.Shipped.txt" ChangedSpecs="specs/fluence.openapi.yaml changed since GpuCloud.Generated $(GpuCloudGeneratedVersion) was locked in specs/specs.lock.json" ChangedFile="specs/fluence.openapi.yaml" />
              </Target>
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _copy };
        foreach (var a in new[] { "msbuild", project, "-t:" + target, "-nologo", "-v:q", "-nodeReuse:false", "-clp:NoSummary" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A nested build on a busy machine takes minutes: the limit only turns a hang into a failure.
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(15)), Is.True, "Hang: the nested msbuild had not exited after 15 minutes");
        return (process.ExitCode, output.Result + error.Result);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found");
    }
}
