using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>Runs the CLI in process, as a script would: output redirected, an empty environment, a temporary home.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(string[] args, Action<SandboxServer, GpuCloudOptions>? configureSandbox = null,
        IReadOnlyDictionary<string, string>? environment = null, string? home = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var io = new CliIo(stdout, stderr, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null, Redirected: true)
        {
            HomeDirectory = home ?? EmptyHome,
            ConfigureSandbox = configureSandbox,
        };
        var code = await CliApp.RunAsync(args, io, cancellationToken);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>A home without ~/.ssh, so tests never read the machine's own keys.</summary>
    public static readonly string EmptyHome = Directory.CreateTempSubdirectory("gpucloud-cli-home").FullName;

    /// <summary>Writes a public key file and returns its path.</summary>
    public static string KeyFile(string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-cli-key").FullName, "id_ed25519.pub");
        File.WriteAllText(path, content + "\n");
        return path;
    }

    /// <summary>Generated with ssh-keygen -t ed25519; `ssh-keygen -lf` prints this fingerprint. Its private half was discarded.</summary>
    public const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6qlOJ3nURQhCJRGgiMq72PDbnwEw26OlfGPM9UTN5p gpucloud-sandbox-demo";
}
