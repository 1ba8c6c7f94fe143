namespace GpuCloud.Cli;

/// <summary>
/// Reads public key files (<c>~</c> expanded) with a bound, and only regular files: a device (<c>/dev/zero</c>) would be read
/// until memory runs out, a FIFO would block forever. The key text is checked here too, so a bad key is a usage error before
/// anything is sent.
/// </summary>
internal static class KeyFiles
{
    /// <summary>A public key line is under 1 KiB for ed25519 and ECDSA and about 750 bytes for RSA 4096: 16 KiB is generous.</summary>
    private const int MaxBytes = 16 * 1024;

    /// <summary>A valid ed25519 public key (its private half was discarded) used by <c>--sandbox</c> when the user has no key: the sandbox never connects with it.</summary>
    public const string SandboxDemoKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6qlOJ3nURQhCJRGgiMq72PDbnwEw26OlfGPM9UTN5p gpucloud-sandbox-demo";

    public static string DefaultPath(CliIo io) => Path.Combine(io.HomeDirectory, ".ssh", "id_ed25519.pub");

    /// <summary>A path as a person writes it: <c>~/.ssh/id_ed25519.pub</c> under the home directory.</summary>
    public static string Display(CliIo io, string path) =>
        io.HomeDirectory.Length > 0 && path.StartsWith(io.HomeDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? "~" + path[io.HomeDirectory.Length..] : path;

    /// <summary>The key in <paramref name="path"/>, checked; a usage error naming <c>--ssh-key</c> otherwise, exit 1 when the file cannot be read.</summary>
    public static string Read(CliIo io, string path)
    {
        if (path.Length == 0) throw new ArgumentException("--ssh-key: the path is empty.");
        var full = path.StartsWith('~') ? io.HomeDirectory + path[1..] : path;
        if (full.EndsWith(".pub", StringComparison.Ordinal) is false && File.Exists(full + ".pub"))
            throw new ArgumentException($"--ssh-key: '{path}' looks like a private key; pass '{path}.pub'.");
        if (Directory.Exists(full)) throw new ArgumentException($"--ssh-key: '{path}' is a directory, not a public key file.");
        var info = new FileInfo(full);
        if (!info.Exists) throw new ArgumentException($"--ssh-key: no file '{path}'.");
        // A device, FIFO or socket reports length 0 (as does an empty file, which holds no key either): never opened, so
        // nothing blocks and nothing is read without end.
        if (info.Length == 0) throw new ArgumentException($"--ssh-key: '{path}' is empty or not a regular file.");
        if (info.Length > MaxBytes) throw new ArgumentException($"--ssh-key: '{path}' is too large to be a public key ({info.Length} bytes; at most {MaxBytes}).");

        var text = ReadBounded(full, path);
        if (!SshPublicKey.TryParse(text, out _, out var why)) throw new ArgumentException($"--ssh-key: '{path}': {why}");
        return text.Trim();
    }

    // Reads at most MaxBytes + 1, whatever the file became since it was looked at.
    private static string ReadBounded(string full, string shown)
    {
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            var buffer = new byte[MaxBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0) read += n;
            if (read > MaxBytes) throw new ArgumentException($"--ssh-key: '{shown}' is too large to be a public key (at most {MaxBytes} bytes).");
            return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read '{shown}' (--ssh-key): permission denied.");
        }
        catch (IOException ex)
        {
            throw new InputFileException($"cannot read '{shown}' (--ssh-key): {ex.Message}");
        }
    }
}

/// <summary>A file the user named exists but could not be read (permissions, I/O): one line, exit 1.</summary>
internal sealed class InputFileException(string message) : Exception(message);
