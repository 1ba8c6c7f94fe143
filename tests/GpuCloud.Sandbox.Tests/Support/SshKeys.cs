using System.Buffers.Binary;
using System.Text;

namespace GpuCloud.Sandbox.Tests.Support;

/// <summary>Well-formed OpenSSH public key lines (wire-format blobs), distinct per seed.</summary>
public static class SshKeys
{
    public static string Ed25519(int seed = 1, string comment = "user@example.com")
    {
        const string algorithm = "ssh-ed25519";
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        var blob = new List<byte>();
        Append(blob, Encoding.ASCII.GetBytes(algorithm));
        Append(blob, key);
        return $"{algorithm} {Convert.ToBase64String(blob.ToArray())} {comment}";
    }

    private static void Append(List<byte> blob, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        blob.AddRange(length);
        blob.AddRange(data);
    }
}
