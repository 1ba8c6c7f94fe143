using System.Buffers.Binary;
using System.Security.Cryptography;

namespace GpuCloud;

/// <summary>
/// A parsed OpenSSH public key (<c>type base64 [comment]</c>). Parsing checks that the base64 blob really holds
/// a key of the stated type (ed25519, RSA, or ECDSA on nistp256/384/521), so a mangled key fails here, with a
/// clear message, rather than at the provider or at login.
/// </summary>
public sealed class SshPublicKey
{
    private static readonly string[] EcdsaTypes = ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    private SshPublicKey(string algorithm, byte[] blob, string? comment)
    {
        Algorithm = algorithm;
        Blob = blob;
        Comment = comment;
        Fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    /// <summary>The key type, e.g. <c>ssh-ed25519</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The comment after the key, if any (usually <c>user@host</c>).</summary>
    public string? Comment { get; }

    /// <summary>The OpenSSH SHA-256 fingerprint, e.g. <c>SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4</c>.</summary>
    public string Fingerprint { get; }

    private byte[] Blob { get; }

    /// <summary>The key without its comment: <c>type base64</c>. Two keys are the same key when these are equal.</summary>
    public string KeyMaterial => $"{Algorithm} {Convert.ToBase64String(Blob)}";

    /// <summary>The key as one OpenSSH line, comment included.</summary>
    public override string ToString() => Comment is null ? KeyMaterial : $"{KeyMaterial} {Comment}";

    /// <summary>Whether this is the same key material as <paramref name="other"/>, whatever the comments.</summary>
    /// <param name="other">Another key.</param>
    public bool SameKeyAs(SshPublicKey other) => other is not null && Fingerprint == other.Fingerprint;

    /// <summary>Parses an OpenSSH public key line.</summary>
    /// <param name="text">The key, e.g. the content of <c>~/.ssh/id_ed25519.pub</c>.</param>
    /// <param name="field">The name of the field being parsed, for the error message.</param>
    /// <exception cref="GpuCloudException">The text is not a supported public key (<see cref="GpuCloudErrorCode.InvalidRequest"/>).</exception>
    public static SshPublicKey Parse(string? text, string field = "publicKey") =>
        TryParse(text, out var key, out var error) ? key : throw GpuCloudException.Invalid(field, error);

    /// <summary>Tries to parse an OpenSSH public key line.</summary>
    /// <param name="text">The key text.</param>
    /// <param name="key">The key, when parsing succeeded.</param>
    /// <param name="error">Why parsing failed, when it did.</param>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SshPublicKey? key, out string error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "an SSH public key is required."; return false; }
        var trimmed = text.Trim();
        if (trimmed.Contains("PRIVATE KEY", StringComparison.Ordinal)) { error = "this is a private key; pass the public key (the .pub file)."; return false; }
        if (trimmed.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0) { error = "an SSH public key must be a single line."; return false; }

        var parts = trimmed.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) { error = "expected '<type> <base64> [comment]'."; return false; }
        var type = parts[0];
        if (type is not ("ssh-ed25519" or "ssh-rsa") && !EcdsaTypes.Contains(type))
        {
            error = $"unsupported key type '{Shorten(type)}'; use ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521.";
            return false;
        }

        byte[] blob;
        try { blob = Convert.FromBase64String(parts[1]); }
        catch (FormatException) { error = "the key data is not valid base64."; return false; }

        if (!CheckBlob(type, blob, out error)) return false;
        var comment = parts.Length == 3 ? parts[2].Trim() : null;
        key = new SshPublicKey(type, blob, string.IsNullOrEmpty(comment) ? null : comment);
        error = "";
        return true;
    }

    private static bool CheckBlob(string type, byte[] blob, out string error)
    {
        var reader = new BlobReader(blob);
        if (!reader.TryReadString(out var inner) || System.Text.Encoding.ASCII.GetString(inner) != type)
        {
            error = $"the key data does not hold a {type} key.";
            return false;
        }
        var ok = type switch
        {
            "ssh-ed25519" => reader.TryReadString(out var pk) && pk.Length == 32 && reader.AtEnd,
            "ssh-rsa" => reader.TryReadString(out var e) && e.Length > 0 && reader.TryReadString(out var n) && n.Length >= 128 && reader.AtEnd,
            _ => reader.TryReadString(out var curve) && type.EndsWith(System.Text.Encoding.ASCII.GetString(curve), StringComparison.Ordinal)
                 && reader.TryReadString(out var q) && q.Length > 0 && q[0] == 4 && reader.AtEnd,
        };
        error = ok ? "" : $"the {type} key data is truncated or malformed" + (type == "ssh-rsa" ? " (RSA keys must be at least 1024 bits)." : ".");
        return ok;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private ref struct BlobReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public bool TryReadString(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (_rest.Length < 4) return false;
            var length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            if (length > (uint)(_rest.Length - 4)) return false;
            value = _rest.Slice(4, (int)length);
            _rest = _rest[(4 + (int)length)..];
            return true;
        }
    }
}
