namespace GpuCloud;

/// <summary>An SSH public key registered with a provider.</summary>
public sealed record SshKey
{
    /// <summary>The provider's name.</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's id for the key (Fluence: a UUID; Fluidstack: the key's name). Pass it to remove the key.</summary>
    public required string Id { get; init; }

    /// <summary>The key's name.</summary>
    public required string Name { get; init; }

    /// <summary>The public key in OpenSSH form (<c>ssh-ed25519 AAAA... comment</c>).</summary>
    public required string PublicKey { get; init; }

    /// <summary>The key type (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, <c>ecdsa-sha2-nistp256</c>, ...).</summary>
    public required string Algorithm { get; init; }

    /// <summary>
    /// The OpenSSH fingerprint (<c>SHA256:...</c>, as <c>ssh-keygen -lf</c> prints it), computed locally from the
    /// key material, so the same key has the same fingerprint on every provider whatever its comment.
    /// </summary>
    public required string Fingerprint { get; init; }
}
