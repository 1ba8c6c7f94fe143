using System.Text.RegularExpressions;

namespace GpuCloud.Tests.Architecture;

/// <summary>
/// Provider knowledge lives in its provider folder: shared code (the client, options, DI, orchestration, HTTP) names
/// no provider, and Polly stays behind the HTTP layer. Read from the source tree, comments left out (public docs may
/// describe what a provider does).
/// </summary>
public sealed partial class SharedCodeTests
{
    private static readonly string Source = RepositoryFiles.Path("src", "GpuCloud");

    /// <summary>Every handwritten C# file of the facade, relative to src/GpuCloud, with its code (comments removed).</summary>
    private static IEnumerable<(string Path, string Code)> Files() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Source, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Select(f => (f, string.Join('\n', File.ReadLines(Path.Combine(Source, f)).Select(l => CommentOrNot().Replace(l, "")))));

    private static bool InProviderFolder(string path) => ProviderFolder().IsMatch(path);

    [GeneratedRegex(@"^\s*//.*$|\s//\s.*$")]
    private static partial Regex CommentOrNot();

    [GeneratedRegex(@"^Providers/[^/]+/")]
    private static partial Regex ProviderFolder();

    [Test]
    public void SharedCode_NamesNoProvider_ExceptTheOneRegistryLine()
    {
        var files = Files().Where(f => !InProviderFolder(f.Path)).ToArray();
        var providers = Directory.GetDirectories(Path.Combine(Source, "Providers")).Select(Path.GetFileName).OfType<string>().ToArray();
        Assert.That(files, Has.Length.GreaterThan(20), "the scan sees the shared code");
        Assert.That(providers, Is.SupersetOf(new[] { "Fluence", "Fluidstack" }), "the scan knows the provider folders");

        var named = files
            .SelectMany(f => providers.Where(p => f.Code.Contains(p, StringComparison.OrdinalIgnoreCase)).Select(p => $"{f.Path} names {p}"))
            .Where(hit => !hit.StartsWith("Providers/ProviderRegistry.cs ", StringComparison.Ordinal))
            .ToArray();
        Assert.That(named, Is.Empty);
    }

    [Test]
    public void Polly_IsUsedOnlyBehindTheHttpLayer()
    {
        var files = Files().ToArray();
        Assert.That(files.Count(f => f.Path.StartsWith("Http/", StringComparison.Ordinal) && f.Code.Contains("Polly", StringComparison.Ordinal)),
            Is.GreaterThan(0), "the HTTP layer itself uses Polly");
        var outside = files.Where(f => !f.Path.StartsWith("Http/", StringComparison.Ordinal) && f.Code.Contains("Polly", StringComparison.Ordinal)).Select(f => f.Path);
        Assert.That(outside, Is.Empty);
    }

    [GeneratedRegex(@"\$""\{[\w.]*(Name|[Pp]rovider)\}: ")]
    private static partial Regex HandWrittenPrefix();

    [Test]
    public void NoMessage_WritesTheProviderInFrontItself()
    {
        // GpuCloudException puts the provider in front of its detail (Message = "provider: detail"); a message that
        // writes it too would show it twice.
        var files = Files().Where(f => !f.Path.StartsWith("Errors/GpuCloudException.cs", StringComparison.Ordinal)).ToArray();
        Assert.That(HandWrittenPrefix().IsMatch("throw new GpuCloudException(code, $\"{provider.Name}: gone\", provider.Name);"), Is.True, "the scan can see one");

        var prefixed = files.SelectMany(f => f.Code.Split('\n').Where(l => HandWrittenPrefix().IsMatch(l)).Select(l => $"{f.Path}: {l.Trim()}"));
        Assert.That(prefixed, Is.Empty);
    }
}
