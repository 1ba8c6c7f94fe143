using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluidstackManagementTests : SandboxTestBase
{
    [Test]
    public async Task RegionsPointAtEachRegionsInfrastructureApi()
    {
        var regions = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions"), withProject: false), HttpStatusCode.OK);
        Assert.That(regions.Select(r => (string)r["name"]!), Is.EqualTo(new[] { EuNorth, UsEast }));
        foreach (var region in regions)
        {
            var url = (string)region["url"]!;
            Assert.That(url, Is.EqualTo($"{Server.BaseUrl}fluidstack/regions/{region["name"]}"));
            var types = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, url + "/api/v1alpha1/instance-types", withProject: false), HttpStatusCode.OK);
            Assert.That(types, Is.Not.Empty);
        }
    }

    [Test]
    public async Task InstancesAcrossRegionsWithProjectAndRegion()
    {
        var a = await CreateFluidstackInstanceAsync(EuNorth, name: "a");
        var b = await CreateFluidstackInstanceAsync(UsEast, name: "b");
        Advance(2);
        var all = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("instances"), withProject: false), HttpStatusCode.OK);
        var filtered = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("instances")), HttpStatusCode.OK);
        var otherProject = (JArray)await ExpectAsync(await SendAsync(HttpMethod.Get, Management("instances"), null, r =>
        {
            r.Headers.Authorization = new("Bearer", Server.FluidstackToken);
            r.Headers.Add("X-PROJECT-ID", Guid.NewGuid().ToString());
        }), HttpStatusCode.OK);
        var one = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management($"instances/{b["id"]}"), withProject: false), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(i => (string)i["region"]!), Is.EqualTo(new[] { EuNorth, UsEast }));
            Assert.That(all.Select(i => (string)i["project_id"]!), Is.All.EqualTo(Server.FluidstackProjectId.ToString()));
            Assert.That(filtered, Has.Count.EqualTo(2));
            Assert.That(otherProject, Is.Empty);
            Assert.That((string)one["name"]!, Is.EqualTo("b"));
            Assert.That((string)one["state"]!, Is.EqualTo("running"));
            Assert.That((string)one["health"]!, Is.EqualTo("healthy"));
            Assert.That(one["userData"], Is.Null, "the management Instance has no userData");
            Assert.That((string)a["id"]!, Is.Not.EqualTo((string)b["id"]!));
        });

        var missing = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management($"instances/{Guid.NewGuid()}")), HttpStatusCode.NotFound);
        Assert.That(((JObject)missing).Properties().Select(p => p.Name), Is.EqualTo(new[] { "message" }));
    }

    [Test]
    public async Task UserKeysRegisterListConflictAndDeregister()
    {
        var key = SshKeys.Ed25519(21);
        var registered = await FluidstackAsync(HttpMethod.Post, Management("user/keys"), new { name = "key-1", key });
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await registered.Content.ReadAsStringAsync(), Is.Empty);

        var conflict = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Management("user/keys"), new { name = "key-1", key = SshKeys.Ed25519(22) }), HttpStatusCode.Conflict);
        Assert.That((string)conflict["message"]!, Does.Contain("key-1"));

        var list = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("user/keys")), HttpStatusCode.OK);
        Assert.That(list.Single().ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(new JObject { ["name"] = "key-1", ["key"] = key }.ToString(Newtonsoft.Json.Formatting.None)));

        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Management("user/keys"), new { name = "key-2" }), HttpStatusCode.BadRequest);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Management("user/keys"), new { name = "key-2", key = "garbage" }), HttpStatusCode.BadRequest);

        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Management("user/keys/key-1")), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Management("user/keys/key-1")), HttpStatusCode.NotFound);
        list = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("user/keys")), HttpStatusCode.OK);
        Assert.That(list, Is.Empty);
    }

    [Test]
    public async Task OtherManagementPathsAnswerMinimally()
    {
        var clusters = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("clusters")), HttpStatusCode.OK);
        var organizations = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("organizations")), HttpStatusCode.OK);
        var members = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("members")), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(clusters, Is.Empty);
            Assert.That(organizations, Has.Count.EqualTo(1));
            Assert.That((string)members.Single()["role"]!, Is.EqualTo("admin"));
        });

        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Management("invitations"), new { email = "a@example.invalid", role = "viewer" }), HttpStatusCode.Created);
        var invitations = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("invitations")), HttpStatusCode.OK);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Management($"invitations/{invitations.Single()["id"]}")), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Management("invitations/nope")), HttpStatusCode.NotFound);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Patch, Management($"members/{members.Single()["id"]}"), new { role = "editor" }), HttpStatusCode.OK);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Patch, Management("members/nobody"), new { role = "editor" }), HttpStatusCode.NotFound);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Patch, Management("members/nobody"), new { role = "owner" }), HttpStatusCode.BadRequest);
    }
}
