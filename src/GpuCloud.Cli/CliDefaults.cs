using System.Security.Cryptography;

namespace GpuCloud.Cli;

/// <summary>The defaults <c>run</c> and <c>instances create</c> share, and the one line that says which ones were used.</summary>
internal static class CliDefaults
{
    /// <summary>A Debian image with an SSH server that takes the key from <c>SSH_PUBKEY</c> (Fluence's own example image).</summary>
    public const string ContainerImage = "docker.io/fluencelabs/debian-ssh-root:11";

    /// <summary><c>gpucloud-</c> and six random letters or digits: valid on both providers.</summary>
    public static string InstanceName()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return "gpucloud-" + string.Create(6, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <summary>Writes <c>defaults: --name x, --image y</c> when any default was used, so a person sees what was chosen for them.</summary>
    public static void Describe(TextWriter writer, IReadOnlyList<(string Option, string Value)> used)
    {
        if (used.Count == 0) return;
        // Wrapped at 80 columns, continuation lines under the first item.
        const string lead = "defaults: ";
        var line = new System.Text.StringBuilder(lead);
        var empty = true;
        for (var i = 0; i < used.Count; i++)
        {
            var item = $"{used[i].Option} {used[i].Value}" + (i < used.Count - 1 ? "," : "");
            if (!empty && line.Length + 1 + item.Length > 80)
            {
                writer.WriteLine(line.ToString());
                line.Clear().Append(' ', lead.Length);
                empty = true;
            }
            if (!empty) line.Append(' ');
            line.Append(item);
            empty = false;
        }
        writer.WriteLine(line.ToString());
    }
}
