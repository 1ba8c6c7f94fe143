using System.Buffers.Binary;

namespace GpuCloud.Tests;

/// <summary>OpenSSH public keys: fingerprints against <c>ssh-keygen -lf</c>, equality without comments, and every way to get one wrong.</summary>
public class SshPublicKeyTests
{
    // Vectors: the .pub line and what `ssh-keygen -lf` printed for it (see Support/TestKeys.cs).
    [TestCase(TestKeys.Ed25519, TestKeys.Ed25519Fingerprint, "ssh-ed25519", "test@host")]
    [TestCase(TestKeys.Rsa2048, TestKeys.Rsa2048Fingerprint, "ssh-rsa", "rsa@host")]
    [TestCase(TestKeys.Ecdsa256, TestKeys.Ecdsa256Fingerprint, "ecdsa-sha2-nistp256", "ec256@host")]
    [TestCase(TestKeys.Ecdsa384, TestKeys.Ecdsa384Fingerprint, "ecdsa-sha2-nistp384", "ec384@host")]
    [TestCase(TestKeys.Ecdsa521, TestKeys.Ecdsa521Fingerprint, "ecdsa-sha2-nistp521", "ec521@host")]
    [TestCase(FluenceJson.DocKey, FluenceJson.DocKeyFingerprint, "ssh-ed25519", "user@example.com")]
    [TestCase(FluidstackJson.SchemaKey, FluidstackJson.SchemaKeyFingerprint, "ssh-ed25519", null)]
    public void Fingerprint_MatchesSshKeygen(string line, string fingerprint, string algorithm, string? comment)
    {
        var key = SshPublicKey.Parse(line);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Fingerprint, Is.EqualTo(fingerprint));
            Assert.That(key.Algorithm, Is.EqualTo(algorithm));
            Assert.That(key.Comment, Is.EqualTo(comment));
            Assert.That(key.ToString(), Is.EqualTo(line));
            Assert.That(key.KeyMaterial, Is.EqualTo(string.Join(' ', line.Split(' ').Take(2))));
        }
    }

    [Test]
    public void Rsa1024_IsTheSmallestAccepted()
    {
        Assert.That(SshPublicKey.TryParse(TestKeys.Rsa1024, out var key, out var error), Is.True, error);
        Assert.That(key!.Algorithm, Is.EqualTo("ssh-rsa"));
    }

    [Test]
    public void Comment_DoesNotMatterForEquality()
    {
        var a = SshPublicKey.Parse(TestKeys.Ed25519);
        var b = SshPublicKey.Parse(TestKeys.Ed25519Material + " someone-else@elsewhere with spaces");
        var bare = SshPublicKey.Parse(TestKeys.Ed25519Material);
        var other = SshPublicKey.Parse(TestKeys.Ecdsa256);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.SameKeyAs(b), Is.True);
            Assert.That(a.SameKeyAs(bare), Is.True);
            Assert.That(a.Fingerprint, Is.EqualTo(b.Fingerprint));
            Assert.That(a.KeyMaterial, Is.EqualTo(b.KeyMaterial));
            Assert.That(a.SameKeyAs(other), Is.False);
            Assert.That(a.SameKeyAs(null!), Is.False);
            Assert.That(b.Comment, Is.EqualTo("someone-else@elsewhere with spaces"));
            Assert.That(bare.Comment, Is.Null);
            Assert.That(bare.ToString(), Is.EqualTo(TestKeys.Ed25519Material));
        }
    }

    [Test]
    public void SurroundingWhitespace_AndTheFilesTrailingNewline_AreAccepted()
    {
        var key = SshPublicKey.Parse("  " + TestKeys.Ed25519 + "\n");
        var tabs = SshPublicKey.Parse(TestKeys.Ed25519Material.Replace(' ', '\t') + "\tc");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
            Assert.That(key.Comment, Is.EqualTo("test@host"));
            Assert.That(tabs.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
        }
    }

    private static string Blob(params byte[][] strings)
    {
        var bytes = new List<byte>();
        foreach (var s in strings)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)s.Length);
            bytes.AddRange(length);
            bytes.AddRange(s);
        }
        return Convert.ToBase64String(bytes.ToArray());
    }

    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Filled(int length, byte first = 1)
    {
        var b = new byte[length];
        Array.Fill(b, (byte)7);
        b[0] = first;
        return b;
    }

    private static IEnumerable<TestCaseData> BadKeys()
    {
        var ed = TestKeys.Ed25519Material.Split(' ')[1];
        TestCaseData Case(string name, string? text, string messagePart) => new TestCaseData(text, messagePart).SetName("Rejects_" + name);

        yield return Case("Null", null, "required");
        yield return Case("Empty", "", "required");
        yield return Case("Whitespace", "   ", "required");
        yield return Case("TypeOnly", "ssh-ed25519", "expected");
        yield return Case("UnsupportedType", "ssh-dss AAAAB3NzaC1kc3MAAACBAP", "unsupported key type");
        yield return Case("UnknownType", "ssh-foo " + ed, "unsupported key type");
        yield return Case("GarbageBase64", "ssh-ed25519 !!!!not-base64!!!!", "not valid base64");
        yield return Case("TruncatedBase64", "ssh-ed25519 " + ed[..^5], "");
        yield return Case("TruncatedBlob", "ssh-ed25519 " + Convert.ToBase64String(Convert.FromBase64String(ed)[..^4]), "truncated or malformed");
        yield return Case("TrailingBytes", "ssh-ed25519 " + Convert.ToBase64String([.. Convert.FromBase64String(ed), 0, 0, 0, 0]), "truncated or malformed");
        yield return Case("Ed25519KeyLabelledRsa", "ssh-rsa " + ed, "does not hold a ssh-rsa key");
        yield return Case("RsaKeyLabelledEd25519", "ssh-ed25519 " + TestKeys.Rsa2048.Split(' ')[1], "does not hold a ssh-ed25519 key");
        yield return Case("P256KeyLabelledP384", "ecdsa-sha2-nistp384 " + TestKeys.Ecdsa256.Split(' ')[1], "does not hold");
        yield return Case("EmptyBlob", "ssh-ed25519 AAAA", "does not hold");
        yield return Case("Rsa512Bits", "ssh-rsa " + Blob(A("ssh-rsa"), [1, 0, 1], Filled(64)), "at least 1024 bits");
        yield return Case("RsaWithoutExponent", "ssh-rsa " + Blob(A("ssh-rsa"), [], Filled(257)), "truncated or malformed");
        yield return Case("EcdsaCurveMismatch", "ecdsa-sha2-nistp256 " + Blob(A("ecdsa-sha2-nistp256"), A("nistp384"), Filled(65, 4)), "truncated or malformed");
        yield return Case("EcdsaCompressedPoint", "ecdsa-sha2-nistp256 " + Blob(A("ecdsa-sha2-nistp256"), A("nistp256"), Filled(33, 2)), "truncated or malformed");
        yield return Case("Ed25519WrongLength", "ssh-ed25519 " + Blob(A("ssh-ed25519"), Filled(31)), "truncated or malformed");
        yield return Case("LengthBeyondTheData", "ssh-ed25519 " + Convert.ToBase64String([0, 0, 0, 200, .. A("ssh-ed25519")]), "does not hold");
        yield return Case("TwoLines", TestKeys.Ed25519 + "\n" + TestKeys.Rsa2048, "single line");
        yield return Case("CarriageReturnInside", TestKeys.Ed25519Material + "\rX-Injected: 1", "single line");
        yield return Case("NulInside", TestKeys.Ed25519Material + "\0comment", "single line");
        yield return Case("OneLinePrivateKey", "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmU= -----END OPENSSH PRIVATE KEY-----", "private key");
        yield return Case("PrivateKeyFile", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n", "");
        yield return Case("RsaPrivateKeyPem", "-----BEGIN RSA PRIVATE KEY-----", "private key");
    }

    [TestCaseSource(nameof(BadKeys))]
    public void Rejects(string? text, string messagePart)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SshPublicKey.TryParse(text, out var key, out var error), Is.False);
            Assert.That(key, Is.Null);
            Assert.That(error, Does.Contain(messagePart));
        }
        var ex = Assert.Throws<GpuCloudException>(() => SshPublicKey.Parse(text, "SshPublicKeys[0]"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("SshPublicKeys[0]"));
            Assert.That(ex.Provider, Is.Null, "a local check");
        }
    }

    [Test]
    public void PrivateKeyFile_IsRecognizedAsAPrivateKey()
    {
        const string file = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n";

        Assert.That(SshPublicKey.TryParse(file, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("private key"));
    }

    [Test]
    public void ErrorMessages_NeverEchoTheKeyData()
    {
        var ex = Assert.Throws<GpuCloudException>(() => SshPublicKey.Parse("ssh-rsa " + TestKeys.Ed25519Material.Split(' ')[1]));
        Assert.That(ex.Message, Does.Not.Contain(TestKeys.Ed25519Material.Split(' ')[1]));
    }

    [Test]
    public void LongUnsupportedType_IsShortenedInTheMessage()
    {
        var type = new string('x', 300);
        SshPublicKey.TryParse(type + " AAAA", out _, out var error);
        Assert.That(error, Does.Not.Contain(type).And.Contain("..."));
    }
}
