using System.Diagnostics;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// The build's own rules, run on a copy of the repository's generator inputs: a changed spec without a version
/// bump is refused with a message naming the spec and the file to edit; a bump plus update-lock is accepted; a spec
/// NSwag cannot read is reported in one line naming the spec.
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
        foreach (var file in new[] { "nswag.json", "build/spec-tool.mjs", "build/GeneratedVersion.props", "specs/specs.lock.json" })
            File.Copy(Path.Combine(Root, file), Path.Combine(_copy, file));
        foreach (var spec in Directory.GetFiles(Path.Combine(Root, "specs"), "*.openapi.yaml"))
            File.Copy(spec, Path.Combine(_copy, "specs", Path.GetFileName(spec)));
    }

    [TearDown]
    public void Remove() => Directory.Delete(_copy, recursive: true);

    [Test]
    public void TheCheckedInLock_MatchesTheCheckedInSpecs()
    {
        var (code, output) = Node("check");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void AChangedSpec_WithoutAVersionBump_FailsNamingTheSpecAndTheFileToEdit()
    {
        File.AppendAllText(Path.Combine(_copy, "specs", "fluence.openapi.yaml"), "\n# an edit\n");

        var (code, output) = Node("check");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("specs/fluence.openapi.yaml : error GCG001")
            .And.Contain("build/GeneratedVersion.props").And.Contain("node build/spec-tool.mjs update-lock"));
    }

    [Test]
    public void UpdateLock_RefusesAChangeUnderTheSameVersion_AndAcceptsItAfterABump()
    {
        File.AppendAllText(Path.Combine(_copy, "specs", "fluidstack-management.openapi.yaml"), "\n# an edit\n");
        Assert.That(Node("update-lock").Code, Is.EqualTo(1), "the version was not bumped");

        var props = Path.Combine(_copy, "build", "GeneratedVersion.props");
        File.WriteAllText(props, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(props),
            "<GpuCloudGeneratedVersion>[^<]+<", "<GpuCloudGeneratedVersion>9.9.9<"));
        Assert.That(Node("check").Output, Does.Contain("GCG003"), "the lock still records the old version");

        Assert.That(Node("update-lock").Code, Is.Zero);
        var (code, output) = Node("check");
        Assert.That(code, Is.Zero, output);
        Assert.That(File.ReadAllText(Path.Combine(_copy, "specs", "specs.lock.json")), Does.Contain("\"generatedVersion\": \"9.9.9\""));
    }

    [Test]
    public void ASpecNSwagCannotRead_FailsInOneLineNamingTheSpec()
    {
        var nswag = Path.Combine(Root, "build", "nswag", "node_modules", "nswag", "bin", "binaries", "Net100", "dotnet-nswag.dll");
        Assume.That(File.Exists(nswag), "the build restores the NSwag toolchain before tests run");
        var spec = Path.Combine(_copy, "specs", "broken.openapi.yaml");
        File.WriteAllText(spec, "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n");

        var (code, output) = Node("generate", "--spec", spec, "--class", "BrokenClient", "--namespace", "Broken", "--exception", "BrokenException",
            "--out", Path.Combine(_copy, "out", "Broken.g.cs"), "--dotnet", "dotnet", "--nswag", nswag);

        Assert.That(code, Is.EqualTo(1));
        var lines = output.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("specs/broken.openapi.yaml : error GCG002: NSwag could not generate BrokenClient"));
        Assert.That(lines[0], Does.Not.Contain(" at "), "no stack trace");
    }

    private (int Code, string Output) Node(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _copy };
        start.ArgumentList.Add(Path.Combine(_copy, "build", "spec-tool.mjs"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "node finished");
        return (process.ExitCode, output.Result + error.Result);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found");
    }
}
