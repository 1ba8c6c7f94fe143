using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluenceSshKeyTests : SandboxTestBase
{
    private async Task<JObject> CreateAsync(string name, string key) =>
        (JObject)await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name, publicKey = key }), HttpStatusCode.OK);

    [Test]
    public async Task CreateReturnsTheKeyWithAlgorithmAndOpenSshFingerprint()
    {
        var key = SshKeys.Ed25519(3, "me@host");
        var created = await CreateAsync("my-key", key);
        var blob = Convert.FromBase64String(key.Split(' ')[1]);
        var fingerprint = "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('=');
        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse((string)created["id"]!, out _), Is.True);
            Assert.That(Guid.TryParse((string)created["userId"]!, out _), Is.True);
            Assert.That((string)created["name"]!, Is.EqualTo("my-key"));
            Assert.That((string)created["publicKey"]!, Is.EqualTo(key));
            Assert.That((string)created["algorithm"]!, Is.EqualTo("ssh-ed25519"));
            Assert.That((string)created["fingerprint"]!, Is.EqualTo(fingerprint));
        });
    }

    [Test]
    public async Task DuplicateKeyMaterialIs409EvenUnderAnotherName()
    {
        var key = SshKeys.Ed25519(4);
        await CreateAsync("first", key);
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name = "second", publicKey = key.Replace("user@example.com", "other") }),
            HttpStatusCode.Conflict);
        Assert.That((string)body["code"]!, Is.EqualTo("conflict"));
    }

    [TestCase("Bad_Name", HttpStatusCode.BadRequest, "bad_request")]
    [TestCase("this-name-is-far-too-long-for-it", HttpStatusCode.BadRequest, "bad_request")]
    public async Task InvalidNamesAre400(string name, HttpStatusCode status, string code)
    {
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name, publicKey = SshKeys.Ed25519() }), status);
        Assert.That((string)body["code"]!, Is.EqualTo(code));
    }

    [TestCase("ssh-ed25519 not-base64!!")]
    [TestCase("ssh-dss AAAAB3NzaC1kc3MAAACBAP")]
    [TestCase("hello")]
    public async Task MalformedKeysAre422(string key)
    {
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name = "k", publicKey = key }), HttpStatusCode.UnprocessableEntity);
        Assert.That((string)body["code"]!, Is.EqualTo("unprocessable_entity"));
    }

    [Test]
    public async Task MissingFieldsAre400()
    {
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name = "k" }), HttpStatusCode.BadRequest);
        Assert.That(body.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo("{\"code\":\"bad_request\",\"error\":\"Wrong parameters\"}"));
    }

    [Test]
    public async Task ListPaginatesAndFiltersByIds()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((string)(await CreateAsync($"key-{i}", SshKeys.Ed25519(100 + i)))["id"]!);

        var page = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=2&perPage=2"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(page["items"]!.Select(k => (string)k["name"]!), Is.EqualTo(new[] { "key-2", "key-3" }));
            Assert.That(page["pagination"]!.ToString(Newtonsoft.Json.Formatting.None),
                Is.EqualTo("{\"totalRecords\":5,\"filteredRecords\":5,\"totalPages\":3,\"currentPage\":2,\"perPage\":2}"));
        });

        var last = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=3&perPage=2"), HttpStatusCode.OK);
        var beyond = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=9&perPage=2"), HttpStatusCode.OK);
        var filtered = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"v1/ssh_keys?ids={ids[0]}&ids={ids[4]}"), HttpStatusCode.OK);
        var all = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(last["items"]!.Select(k => (string)k["name"]!), Is.EqualTo(new[] { "key-4" }));
            Assert.That(beyond["items"]!, Is.Empty);
            Assert.That(filtered["items"]!.Select(k => (string)k["id"]!), Is.EqualTo(new[] { ids[0], ids[4] }));
            Assert.That((int)filtered["pagination"]!["filteredRecords"]!, Is.EqualTo(2));
            Assert.That((int)filtered["pagination"]!["totalRecords"]!, Is.EqualTo(5));
            Assert.That((int)all["pagination"]!["perPage"]!, Is.EqualTo(10));
            Assert.That(all["items"]!.Count(), Is.EqualTo(5));
        });

        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=x"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task DeleteOneAndSeveral_ThroughPostDelete()
    {
        // Source: Fluence's main API spec and its own Go client (fluencelabs/terraform-provider-cloudless,
        // internal/client/client.go DeleteSSHKey) remove keys with POST /v1/ssh_keys/delete {"ids": [...]}, answering
        // with the removed keys; DELETE /v1/ssh_keys/{id} is documented by neither.
        var a = (string)(await CreateAsync("a", SshKeys.Ed25519(11)))["id"]!;
        var b = (string)(await CreateAsync("b", SshKeys.Ed25519(12)))["id"]!;
        var c = (string)(await CreateAsync("c", SshKeys.Ed25519(13)))["id"]!;

        var removed = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys/delete", new { ids = new[] { a } }), HttpStatusCode.OK);
        Assert.That(removed.Select(k => (string)k["name"]!), Is.EqualTo(new[] { "a" }));
        var again = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys/delete", new { ids = new[] { a } }), HttpStatusCode.OK);
        Assert.That(again, Is.Empty, "an id that is not there is left out of the answer");
        Assert.That((await FluenceAsync(HttpMethod.Delete, $"v1/ssh_keys/{b}")).IsSuccessStatusCode, Is.False, "the undocumented DELETE path is gone");

        var bulk = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys/delete", new { ids = new[] { b, c, Guid.NewGuid().ToString() } }), HttpStatusCode.OK);
        Assert.That(bulk.Select(k => (string)k["name"]!), Is.EqualTo(new[] { "b", "c" }));
        var list = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys"), HttpStatusCode.OK);
        Assert.That(list["items"]!, Is.Empty);

        // The same key can be registered again once removed.
        await CreateAsync("a", SshKeys.Ed25519(11));
    }

    [Test]
    public async Task PagesAreOneBased_AndPageZeroIsRefused()
    {
        // Source: Fluence's main API spec (fluencelabs/terraform-provider-cloudless, internal/client/mock/testdata/
        // fluence-public.yaml @ 01abcc7): "One-based page number", offset (page - 1) * perPage. A strict server refuses 0.
        for (var i = 0; i < 3; i++) await CreateAsync($"key-{i}", SshKeys.Ed25519(200 + i));

        var first = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=1&perPage=2"), HttpStatusCode.OK);
        var zero = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "v1/ssh_keys?page=0&perPage=2"), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(first["items"]!.Select(k => (string)k["name"]!), Is.EqualTo(new[] { "key-0", "key-1" }));
            Assert.That((int)first["pagination"]!["currentPage"]!, Is.EqualTo(1));
            Assert.That((string)zero["code"]!, Is.EqualTo("bad_request"));
        });
    }

    [Test]
    public async Task DuplicateKey_Is409_WithTheSourcesBody()
    {
        // Source: Fluence's mock (internal/client/mock/ssh_keys.go): the same algorithm and base64 body, comment ignored,
        // is 409 {"error": "SshKey already exists"}.
        var key = SshKeys.Ed25519(21, "me@laptop");
        await CreateAsync("first", key);
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "v1/ssh_keys", new { name = "second", publicKey = key.Replace("me@laptop", "me@desktop") }),
            HttpStatusCode.Conflict);
        Assert.That((string)body["error"]!, Is.EqualTo("SshKey already exists"));
    }
}
