namespace GpuCloud.Cli;

/// <summary>Reads public key files (<c>~</c> expanded); the key text itself is validated by the library.</summary>
internal static class KeyFiles
{
    /// <summary>A valid ed25519 public key (its private half was discarded) used by <c>--sandbox</c> when the user has no key: the sandbox never connects with it.</summary>
    public const string SandboxDemoKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6qlOJ3nURQhCJRGgiMq72PDbnwEw26OlfGPM9UTN5p gpucloud-sandbox-demo";

    public static string DefaultPath(CliIo io) => Path.Combine(io.HomeDirectory, ".ssh", "id_ed25519.pub");

    /// <summary>A path as a person writes it: <c>~/.ssh/id_ed25519.pub</c> under the home directory.</summary>
    public static string Display(CliIo io, string path) =>
        io.HomeDirectory.Length > 0 && path.StartsWith(io.HomeDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? "~" + path[io.HomeDirectory.Length..] : path;

    public static string Read(CliIo io, string path)
    {
        var full = path.StartsWith('~') ? io.HomeDirectory + path[1..] : path;
        if (full.EndsWith(".pub", StringComparison.Ordinal) is false && File.Exists(full + ".pub"))
            throw new ArgumentException($"--ssh-key: '{path}' looks like a private key; pass '{path}.pub'.");
        if (!File.Exists(full)) throw new ArgumentException($"--ssh-key: no file '{path}'.");
        var info = new FileInfo(full);
        if (info.Length > 16 * 1024) throw new ArgumentException($"--ssh-key: '{path}' is too large to be a public key.");
        return File.ReadAllText(full).Trim();
    }
}
