using GpuCloud.Tests.Support;

namespace GpuCloud.Tests.Plumbing;

/// <summary>Polly, the library under the resilience handler, is named nowhere outside <c>src/GpuCloud/Http/</c>.</summary>
public class LayeringTests
{
    [Test]
    public void Polly_IsNamedOnlyUnderHttp()
    {
        var source = RepositoryFiles.Path("src", "GpuCloud");
        var http = Path.Combine(source, "Http") + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToArray();

        var outside = files.Where(f => !f.StartsWith(http, StringComparison.Ordinal) && File.ReadAllText(f).Contains("Polly", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(source, f)).ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(files.Where(f => f.StartsWith(http, StringComparison.Ordinal)).Any(f => File.ReadAllText(f).Contains("Polly", StringComparison.Ordinal)),
                Is.True, "the scan sees the files that do use Polly");
            Assert.That(outside, Is.Empty, "orchestration and providers speak of GpuCloudException and HttpFailure, not of Polly's types");
        }
    }
}
