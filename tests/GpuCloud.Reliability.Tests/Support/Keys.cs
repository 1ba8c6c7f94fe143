namespace GpuCloud.Reliability.Tests.Support;

/// <summary>
/// Public SSH keys for tests: the ssh-keygen vectors shared by every test project (<see cref="TestKeys"/>), and
/// malformed lines made here for the bad-input tests.
/// </summary>
public static class Keys
{
    public const string Ed25519 = TestKeys.Ed25519;
    public const string Ed25519Fingerprint = TestKeys.Ed25519Fingerprint;

    public const string Rsa2048 = TestKeys.Rsa2048;
    public const string Rsa2048Fingerprint = TestKeys.Rsa2048Fingerprint;

    public const string Ecdsa256 = TestKeys.Ecdsa256;
    public const string Ecdsa256Fingerprint = TestKeys.Ecdsa256Fingerprint;

    /// <summary>An ssh-rsa line whose blob holds a 512-bit modulus: well-formed, but below the 1024-bit minimum.</summary>
    public static string Rsa512 { get; } = RsaLine(64);

    /// <summary>An ed25519 line whose blob is cut short (31 key bytes instead of 32).</summary>
    public static string TruncatedEd25519 { get; } = "ssh-ed25519 " + Convert.ToBase64String(Blob("ssh-ed25519", new byte[31]));

    /// <summary>An ssh-ed25519 line whose blob claims to be an ssh-rsa key.</summary>
    public static string MislabelledKey { get; } = "ssh-ed25519 " + Convert.ToBase64String(Blob("ssh-rsa", [1, 0, 1], new byte[129]));

    private static string RsaLine(int modulusBytes)
    {
        var n = new byte[modulusBytes];
        n[0] = 0x7f;
        return "ssh-rsa " + Convert.ToBase64String(Blob("ssh-rsa", [1, 0, 1], n)) + " weak@host";
    }

    private static byte[] Blob(string type, params byte[][] parts)
    {
        var buffer = new List<byte>();
        void Put(byte[] data)
        {
            buffer.Add((byte)(data.Length >> 24));
            buffer.Add((byte)(data.Length >> 16));
            buffer.Add((byte)(data.Length >> 8));
            buffer.Add((byte)data.Length);
            buffer.AddRange(data);
        }
        Put(System.Text.Encoding.ASCII.GetBytes(type));
        foreach (var part in parts) Put(part);
        return buffer.ToArray();
    }
}
