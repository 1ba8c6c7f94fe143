using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
    // Pages: Fluence's main API spec (fluencelabs/terraform-provider-cloudless, internal/client/mock/testdata/
    // fluence-public.yaml @ 01abcc7) says "One-based page number", offset (page - 1) * perPage; Fluence's Go client there
    // (internal/client/client.go) walks pages 1..N "as the server reports them" (currentPage, totalPages).

    [Test]
    public async Task ListSshKeys_AsksForPageOneFirst_FingerprintComputedLocally()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPage(1, 1, SshKey(DocKeyId, "my-key", DocKey, fingerprint: "SHA256:whatever-the-server-says")));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys, Is.EqualTo(new[]
        {
            new SshKey { Provider = "fluence", Id = DocKeyId, Name = "my-key", PublicKey = DocKey, Algorithm = "ssh-ed25519", Fingerprint = DocKeyFingerprint },
        }));
        var request = http.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Uri.Query, Is.EqualTo("?page=1&perPage=100"));
            Assert.That(request.Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey));
        }
    }

    [Test]
    public async Task ListSshKeys_FollowsEveryPage_OneBased()
    {
        using var http = new RecordingHttp();
        const string second = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        const string third = "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 1, 3, SshKey(DocKeyId, "my-key", DocKey)));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=2&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 2, 3, SshKey(second, "rsa", TestKeys.Rsa2048, "ssh-rsa")));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=3&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 3, 3, SshKey(third, "ec", TestKeys.Ecdsa256, "ecdsa-sha2-nistp256")));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId, second, third }));
            Assert.That(keys.Select(k => k.Fingerprint), Is.EqualTo(new[] { DocKeyFingerprint, TestKeys.Rsa2048Fingerprint, TestKeys.Ecdsa256Fingerprint }));
            Assert.That(http.Requests.Select(r => r.Uri.Query), Is.EqualTo(new[] { "?page=1&perPage=100", "?page=2&perPage=100", "?page=3&perPage=100" }));
        }
    }

    [Test]
    public async Task ListSshKeys_AServerThatReportsPageZero_IsFollowedAsReported()
    {
        // Fluence's own mock (internal/client/mock/ssh_keys.go) answers every list with currentPage 0 of 1 page.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId }));
            Assert.That(http.Requests.Select(r => r.Uri.Query), Is.EqualTo(new[] { "?page=1&perPage=100" }));
        }
    }

    [Test]
    public async Task ListSshKeys_AServerThatNumbersFromZero_StillGivesEveryKey()
    {
        // The requirement ("still correct if a server numbers from 0"): such a server takes page=1 as its second
        // page (and its page 2 as past the end); the reported filteredRecords shows a key is missing, and page 0 holds it.
        using var http = new RecordingHttp();
        const string second = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 1, 2, SshKey(second, "rsa", TestKeys.Rsa2048, "ssh-rsa")));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=2&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 2, 2));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=0&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 0, 2, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys.Select(k => k.Id), Is.EquivalentTo(new[] { DocKeyId, second }));
    }

    [Test]
    public async Task ListSshKeys_StopsAtAnEmptyPage()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPage(1, 5));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys, Is.Empty);
            Assert.That(http.Requests, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task ListSshKeys_UnparsableKey_KeepsTheServersFingerprint()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "dss", "ssh-dss AAAAB3NzaC1kc3M=", "ssh-dss", "SHA256:server")));
        using var fluence = Build.Fluence(http);

        var key = (await fluence.ListSshKeysAsync()).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Fingerprint, Is.EqualTo("SHA256:server"));
            Assert.That(key.Algorithm, Is.EqualTo("ssh-dss"));
        }
    }

    [Test]
    public async Task AddSshKey_PostsNameAndKey()
    {
        using var http = new RecordingHttp();
        const string newId = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "my-key", DocKey)));
        http.Json(HttpMethod.Post, SshKeysUrl, SshKey(newId, "laptop", TestKeys.Ed25519));
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(newId));
            Assert.That(key.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
            var body = JObject.Parse(http.Sent(HttpMethod.Post, SshKeysUrl).Single().Body!);
            Assert.That(JToken.DeepEquals(body, new JObject { ["name"] = "laptop", ["publicKey"] = TestKeys.Ed25519 }), Is.True, body.ToString());
        }
    }

    [Test]
    public async Task AddSshKey_SameKeyMaterialAlreadyThere_ReturnsIt_WithoutPosting()
    {
        using var http = new RecordingHttp();
        // The same key under another name and comment.
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "old-name", TestKeys.Ed25519Material + " someone@else")));
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(DocKeyId));
            Assert.That(key.Name, Is.EqualTo("old-name"));
            Assert.That(http.Sent(HttpMethod.Post, SshKeysUrl), Is.Empty);
        }
    }

    [Test]
    public async Task AddSshKey_ConflictBecauseAddedConcurrently_ReturnsTheKey()
    {
        using var http = new RecordingHttp();
        var lists = 0;
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(++lists == 1 ? SshKeyPage(0, 1) : SshKeyPage(0, 1, SshKey(DocKeyId, "laptop", TestKeys.Ed25519)),
                System.Text.Encoding.UTF8, "application/json"),
        });
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"code": "conflict", "error": "SSH key already exists"}""");
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        Assert.That(key.Id, Is.EqualTo(DocKeyId));
    }

    [Test]
    public async Task AddSshKey_409SshKeyAlreadyExists_ReturnsTheRegisteredKey()
    {
        // Source: Fluence's mock (fluencelabs/terraform-provider-cloudless, internal/client/mock/ssh_keys.go) answers 409
        // {"error": "SshKey already exists"} when the algorithm and base64 match, comment ignored; Fluence's provider then
        // adopts the existing key. The first list here misses it (a list racing the registration).
        using var http = new RecordingHttp();
        var lists = 0;
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(++lists == 1 ? SshKeyPage(1, 1) : SshKeyPage(1, 1, SshKey(DocKeyId, "old-name", TestKeys.Ed25519Material + " other@comment")),
                System.Text.Encoding.UTF8, "application/json"),
        });
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"error": "SshKey already exists"}""");
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(DocKeyId));
            Assert.That(key.Name, Is.EqualTo("old-name"));
        }
    }

    [Test]
    public void AddSshKey_ConflictWithAnotherKey_IsReported()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1));
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"code": "conflict", "error": "name already used"}""");
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("name already used"));
        }
    }

    [Test]
    public async Task RemoveSshKey_PostsToDelete_AndAMissingKeyCountsAsRemoved()
    {
        // Source: Fluence's Go client deletes with POST /v1/ssh_keys/delete {"ids": [id]} (fluencelabs/terraform-provider-cloudless,
        // internal/client/client.go DeleteSSHKey); its spec answers with the removed keys, so a missing id gives [].
        using var http = new RecordingHttp();
        const string missing = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Post, SshKeysUrl + "/delete").WithContent($$"""{"ids":["{{DocKeyId}}"]}""")
            .Respond("application/json", "[" + SshKey(DocKeyId, "my-key", DocKey) + "]");
        http.Mock.When(HttpMethod.Post, SshKeysUrl + "/delete").WithContent($$"""{"ids":["{{missing}}"]}""")
            .Respond("application/json", "[]");
        using var fluence = Build.Fluence(http);

        await fluence.RemoveSshKeyAsync(DocKeyId);
        await fluence.RemoveSshKeyAsync(missing);

        Assert.That(http.Requests.Select(r => $"{r.Method} {r.Uri} {r.Body}"), Is.EqualTo(new[]
        {
            $$"""POST {{SshKeysUrl}}/delete {"ids":["{{DocKeyId}}"]}""", $$"""POST {{SshKeysUrl}}/delete {"ids":["{{missing}}"]}""",
        }));
    }

    [Test]
    public async Task ListSshKeys_AServerThatAlwaysReportsMorePages_IsAskedAtMostAHundredTimes()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(request =>
        {
            var page = int.Parse(System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["page"]!, System.Globalization.CultureInfo.InvariantCulture);
            var key = SshKey(new Guid(page, 0, 0, new byte[8]).ToString(), $"key-{page}", DocKey);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(SshKeyPageOf(1_000_000, page, 10_000, key), Encoding.UTF8, "application/json") };
        });
        using var fluence = Build.Fluence(http);

        var keys = await HangGuard.WithinAsync(fluence.ListSshKeysAsync(), "the key list");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Requests, Has.Count.EqualTo(100));
            Assert.That(keys, Has.Count.EqualTo(100));
        }
    }

    [Test]
    public async Task ListSshKeys_AServerWhoseReportedPageLags_IsStillWalkedToItsEnd()
    {
        // Asked for page n, this server sends page n's keys but reports page n - 1 (never below 1).
        using var http = new RecordingHttp();
        string[] ids = [DocKeyId, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"];
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(request =>
        {
            var page = int.Parse(System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["page"]!, System.Globalization.CultureInfo.InvariantCulture);
            var items = page is >= 1 and <= 3 ? new[] { SshKey(ids[page - 1], $"key-{page}", DocKey) } : [];
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(SshKeyPageOf(3, Math.Max(1, page - 1), 3, items), Encoding.UTF8, "application/json") };
        });
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys.Select(k => k.Id), Is.EqualTo(ids));
    }

    [TestCase(HttpStatusCode.BadRequest)]
    [TestCase(HttpStatusCode.NotFound)]
    public async Task ListSshKeys_AOneBasedServerWithKeysMissing_ThatRefusesPageZero_GivesTheKeysItSent(HttpStatusCode refusal)
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 1, 2, SshKey(DocKeyId, "my-key", DocKey)));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=2&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 2, 2));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=0&perPage=100")
            .Respond(refusal, "application/json", """{"detail": "page must be at least 1"}""");
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId }));
            Assert.That(http.Requests.Select(r => r.Uri.Query), Is.EqualTo(new[] { "?page=1&perPage=100", "?page=2&perPage=100", "?page=0&perPage=100" }));
        }
    }

    [Test]
    public async Task RemoveSshKey_AnsweredUnavailableOnce_IsRetried()
    {
        // Removal is a POST, which the resilience handler retries only when told it is safe to repeat: removing the same
        // ids twice changes nothing.
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Post, SshKeysUrl + "/delete").Respond(Sequence(
            () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[" + SshKey(DocKeyId, "my-key", DocKey) + "]", Encoding.UTF8, "application/json") }));
        var clock = new TrackedClock();
        using var resilience = new GpuCloudResilienceHandler("fluence", new GpuCloudResilienceOptions
        {
            MaxRetries = 2, RetryBaseDelay = TimeSpan.FromSeconds(1), AttemptTimeout = TimeSpan.FromMinutes(10), TotalTimeout = TimeSpan.FromHours(1),
        }, clock) { InnerHandler = http.Handler };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, resilience);

        await clock.RunAsync(fluence.RemoveSshKeyAsync(DocKeyId), TimeSpan.FromMinutes(1));

        Assert.That(http.Sent(HttpMethod.Post, SshKeysUrl + "/delete"), Has.Count.EqualTo(2));
    }

    private static Func<HttpRequestMessage, HttpResponseMessage> Sequence(params Func<HttpResponseMessage>[] answers)
    {
        var next = -1;
        return _ => answers[Math.Min(Interlocked.Increment(ref next), answers.Length - 1)]();
    }

    [Test]
    public void AddSshKey_WithoutAKey_IsAnArgumentNullException()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        Assert.ThrowsAsync<ArgumentNullException>(() => fluence.AddSshKeyAsync("my-key", null!));
    }
}
