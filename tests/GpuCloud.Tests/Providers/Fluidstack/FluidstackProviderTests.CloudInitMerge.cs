namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
    [Test]
    public void UserData_NoKeys_IsUnchanged()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluidstackMapping.UserData(null, []), Is.Null);
            Assert.That(FluidstackMapping.UserData("#!/bin/sh\n", []), Is.EqualTo("#!/bin/sh\n"));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  \n")]
    public void UserData_KeysAlone_BecomeACloudConfig(string? userData)
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        Assert.That(FluidstackMapping.UserData(userData, [key]), Is.EqualTo($"#cloud-config\nssh_authorized_keys:\n  - \"{Material(TestKeys.Ed25519)}\"\n"));
    }

    [Test]
    public void UserData_KeysJoinAnExistingBlockList_WithItsIndentation()
    {
        var key = SshPublicKey.Parse(TestKeys.Rsa2048);
        const string userData = "#cloud-config\nssh_authorized_keys:\n    - ssh-ed25519 AAAAexisting me@home\nruncmd:\n  - echo hi\n";

        Assert.That(FluidstackMapping.UserData(userData, [key]), Is.EqualTo(
            $"#cloud-config\nssh_authorized_keys:\n    - \"{Material(TestKeys.Rsa2048)}\"\n    - ssh-ed25519 AAAAexisting me@home\nruncmd:\n  - echo hi\n"));
    }

    [Test]
    public void UserData_InlineKeyList_CannotBeMergedInto()
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        var ex = Assert.Throws<GpuCloudException>(() => FluidstackMapping.UserData("#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA]\n", [key]));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("UserData"));
        }
    }

    [TestCase("#!/bin/bash\necho hi\n")]
    [TestCase("  #cloud-config\n")]
    [TestCase("Content-Type: multipart/mixed; boundary=x\n")]
    public void UserData_NotACloudConfig_WithKeys_IsRejected(string userData)
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        var ex = Assert.Throws<GpuCloudException>(() => FluidstackMapping.UserData(userData, [key]));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("UserData"));
            Assert.That(ex.Message, Does.Contain("#cloud-config"));
        }
    }

    [Test]
    public void UserData_KeyCommentCannotBreakTheYaml()
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519Material + " work: laptop");

        var item = FluidstackMapping.UserData(null, [key])!.Split('\n')[2];

        Assert.That(item.StartsWith("  - \"", StringComparison.Ordinal) || item.StartsWith("  - '", StringComparison.Ordinal) || !item.Contains(": ", StringComparison.Ordinal),
            Is.True, item);
    }
}
