using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
    [Test]
    public async Task ListSshKeys_Mapped_WithLocalFingerprints()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, $"[{Key("key-1", SchemaKey)}, {Key("laptop", TestKeys.Rsa2048)}]");
        using var fluidstack = Build.Fluidstack(http);

        var keys = await fluidstack.ListSshKeysAsync();

        Assert.That(keys, Is.EqualTo(new[]
        {
            new SshKey { Provider = "fluidstack", Id = "key-1", Name = "key-1", PublicKey = SchemaKey, Algorithm = "ssh-ed25519", Fingerprint = SchemaKeyFingerprint },
            new SshKey { Provider = "fluidstack", Id = "laptop", Name = "laptop", PublicKey = TestKeys.Rsa2048, Algorithm = "ssh-rsa", Fingerprint = TestKeys.Rsa2048Fingerprint },
        }));
        Assert.That(http.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer test-token"));
    }

    [Test]
    public async Task AddSshKey_RegistersNameAndKey_ThenReturnsIt()
    {
        using var http = new RecordingHttp();
        ListedAfterRegistering(http, Key("laptop", TestKeys.Ed25519));
        using var fluidstack = Build.Fluidstack(http);

        var key = await fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo("laptop"));
            Assert.That(key.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
            var body = JObject.Parse(http.Sent(HttpMethod.Post, UserKeysUrl).Single().Body!);
            Assert.That(JToken.DeepEquals(body, new JObject { ["name"] = "laptop", ["key"] = TestKeys.Ed25519 }), Is.True, body.ToString());
        }
    }

    [Test]
    public async Task AddSshKey_SameKeyAlreadyRegistered_ReturnsIt_WithoutPosting()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, $"[{Key("old", TestKeys.Ed25519Material)}]");
        using var fluidstack = Build.Fluidstack(http);

        var key = await fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Name, Is.EqualTo("old"));
            Assert.That(http.Sent(HttpMethod.Post, UserKeysUrl), Is.Empty);
        }
    }

    [Test]
    public void AddSshKey_ConflictWithAnotherKey_IsReported()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        http.Raw(HttpMethod.Post, UserKeysUrl, HttpStatusCode.Conflict, Error("a key named laptop exists"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("a key named laptop exists"));
        }
    }

    [Test]
    public async Task RemoveSshKey_ByName_AndAMissingKeyCountsAsRemoved()
    {
        using var http = new RecordingHttp();
        http.Status(HttpMethod.Delete, UserKeysUrl + "/laptop", HttpStatusCode.NoContent);
        http.Raw(HttpMethod.Delete, UserKeysUrl + "/gone", HttpStatusCode.NotFound, Error("not found"));
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.RemoveSshKeyAsync("laptop");
        await fluidstack.RemoveSshKeyAsync("gone");

        Assert.That(http.Requests.Select(r => $"{r.Method} {r.Uri}"), Is.EqualTo(new[] { $"DELETE {UserKeysUrl}/laptop", $"DELETE {UserKeysUrl}/gone" }));
    }

    /// <summary>Keys go into cloud-init as quoted key material, without their comment.</summary>
    private static string Material(string key) => SshPublicKey.Parse(key).KeyMaterial;

    [Test]
    public async Task AddSshKey_ReturnsTheKeyAsListedAfterwards()
    {
        // Registering answers without the key; the list afterwards shows what Atlas stored (here without the comment).
        using var http = new RecordingHttp();
        var stored = TestKeys.Ed25519[..TestKeys.Ed25519.LastIndexOf(' ')];
        ListedAfterRegistering(http, Key("laptop", stored));
        using var fluidstack = Build.Fluidstack(http);

        var key = await fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        Assert.That(key.PublicKey, Is.EqualTo(stored));
    }

    /// <summary>An account without keys until a key is registered; the list shows <paramref name="listed"/> after that.</summary>
    private static void ListedAfterRegistering(RecordingHttp http, string listed)
    {
        var lists = 0;
        http.Mock.When(HttpMethod.Get, UserKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(Interlocked.Increment(ref lists) == 1 ? "[]" : $"[{listed}]", Encoding.UTF8, "application/json"),
        });
        http.Status(HttpMethod.Post, UserKeysUrl, HttpStatusCode.OK);
    }
}
