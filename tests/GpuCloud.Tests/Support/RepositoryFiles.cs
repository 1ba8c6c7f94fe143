using System.Runtime.CompilerServices;

namespace GpuCloud.Tests.Support;

/// <summary>Files of this repository (sources, README), found from this file's own path at build time.</summary>
public static class RepositoryFiles
{
    public static string Root => FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot([CallerFilePath] string path = "")
    {
        for (var dir = System.IO.Path.GetDirectoryName(path); dir is not null; dir = System.IO.Path.GetDirectoryName(dir))
            if (File.Exists(System.IO.Path.Combine(dir, "GpuCloud.Generated.sln"))) return dir;
        throw new InvalidOperationException("The repository root (GpuCloud.Generated.sln) was not found above " + path);
    }
}
