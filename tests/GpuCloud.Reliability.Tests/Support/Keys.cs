namespace GpuCloud.Reliability.Tests.Support;

/// <summary>
/// Public SSH keys for tests (generated once with <c>ssh-keygen</c>; only the .pub lines exist, the private halves
/// were never stored), the same fixtures tests/GpuCloud.Tests uses.
/// </summary>
public static class Keys
{
    public const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+8ccD9yM34TUOqiRmuNJyXGkPzXUf0vEkAaiLQybJY test@host";
    public const string Ed25519Fingerprint = "SHA256:s/7RMVEXT1AjmvamLpc/PHrJyyq/Evp2CN/3EVHt+ZM";

    public const string Rsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDeB9uhSKpA1Ino92sCV5S8jOUOOaaWG3zJ6g56Cx9gEqKNZ9kLPH/SnPp0RoZAVuhwVqQ2dtDVsr45PuPuDfjyMxB5vNQvcpHDGR41SuK08pn+96lVLyQcfw3Rcbyk81g9R4xfHexNNcuZ+pquRgOTXEnGGE5RZSokfOjmfl9BELLC2Zlp1lOIH1GyMXYNMkQ7idxx6OolnGjaAFCWe4wqhQgaoQ1BO8gQFB26abaoxZyUSS5s9yP7F42YdBt9I9ChzGHi1klF9WPHlDDlC1c24o4w74M31T+nnoXEXfXhiViTH/xd2wClygeQzr5qRMe9DpKunC776E2zQwlxiFqL rsa@host";
    public const string Rsa2048Fingerprint = "SHA256:QXjQzroZX+iT9v9b2mTq0hEbPgRxtQV4Fcm81TqZXAM";

    public const string Ecdsa256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFthtkNYKfJHaAJFnh0PoMXC8/fUb0daV38uhq2wUl+c8AXFZsFKMzy/5CVu85+ikWUTwOcDWljxa5AprbjWxZs= ec256@host";
    public const string Ecdsa256Fingerprint = "SHA256:wBIKqrC1rSoiLzxVMFVzePOWmhhpVVd5rJOFD8zsE2k";

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
