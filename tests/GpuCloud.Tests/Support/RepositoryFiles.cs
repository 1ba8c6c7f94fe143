namespace GpuCloud.Tests.Support;

/// <summary>
/// Files of this repository (sources, README), found by walking up from the test assembly's folder. (Not from
/// <c>[CallerFilePath]</c>: a CI build maps source paths to <c>/_/</c>.)
/// </summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (GpuCloud.Generated.sln) was not found above " + AppContext.BaseDirectory);
    }
}
