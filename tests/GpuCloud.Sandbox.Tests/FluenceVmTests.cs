using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluenceVmTests : SandboxTestBase
{
    [TestCase(false, "vms", "vm")]
    [TestCase(true, "baremetal", "baremetal")]
    public async Task VmGoesInitializedActiveEndedWithSshConnection(bool bareMetal, string segment, string availability)
    {
        var id = await DeployVmAsync("azure-booby", bareMetal);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{segment}/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["status"]!, Is.EqualTo("INITIALIZED"));
            Assert.That((string)detail["availability"]!, Is.EqualTo(availability));
            Assert.That(detail["ssh_connection"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That(detail["network"]!.Type, Is.EqualTo(JTokenType.Null));
        });

        Advance(2);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{segment}/{id}"), HttpStatusCode.OK);
        var list = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{segment}"), HttpStatusCode.OK);
        var ip = (string)detail["network"]!["domain"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["status"]!, Is.EqualTo("ACTIVE"));
            Assert.That(IPAddress.TryParse(ip, out _), Is.True);
            // Fluence's example is "ssh ubuntu@IP"; the sandbox adds -p: its VM answers SSH on a loopback listener (issue 19).
            Assert.That((string)detail["ssh_connection"]!, Does.Match($@"^ssh -p \d+ ubuntu@{System.Text.RegularExpressions.Regex.Escape(ip)}$"));
            Assert.That(detail["network"]!["forwarded_ports"]!, Is.Empty);
            Assert.That((string)detail["ssh_key"]!, Does.StartWith("ssh-ed25519 "));
            Assert.That((string)list.Single()["status"]!, Is.EqualTo("ACTIVE"));
            Assert.That((string)list.Single()["domain"]!, Is.EqualTo(ip));
            Assert.That(list.Single()["instance_status"], Is.Null, "VMs spell the field status");
        });

        await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/{segment}/{id}", new { name = "my-training-vm" }), HttpStatusCode.NoContent);
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{segment}/{id}"), HttpStatusCode.NoContent);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{segment}/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["name"]!, Is.EqualTo("my-training-vm"));
            Assert.That((string)detail["status"]!, Is.EqualTo("ENDED"));
            Assert.That(detail["ssh_connection"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That(detail["network"]!.Type, Is.EqualTo(JTokenType.Null));
        });
    }

    [Test]
    public async Task UnsupportedOsImageIsTheDocumented400()
    {
        var option = await VmOptionAsync();
        var images = string.Join(", ", option["os_options"]!.Select(o => (string)o!));
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/vms", new
        {
            plan_id = (string)option["id"]!,
            name = "my-gpu-vm",
            ssh_key = SshKeys.Ed25519(),
            os_image = "Ubuntu Server 2.04",
        }), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Is.EqualTo(
            $"Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: {images}"));
    }

    [Test]
    public async Task SshKeyAndOsImageAreRequired()
    {
        var option = await VmOptionAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/vms", new { plan_id = (string)option["id"]!, name = "vm" }),
            HttpStatusCode.UnprocessableEntity);
        Assert.That(body["detail"]!.Select(d => d["loc"]!.Last!.ToString()), Is.EquivalentTo(new[] { "ssh_key", "os_image" }));
    }

    [Test]
    public async Task AVmOptionIsNotABareMetalPlanAndViceVersa()
    {
        var vm = await VmOptionAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/baremetal", new
        {
            plan_id = (string)vm["id"]!,
            name = "bm",
            ssh_key = SshKeys.Ed25519(),
            os_image = (string)vm["os_options"]![0]!,
        }), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Does.Contain("not available"));

        var id = await DeployVmAsync();
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/baremetal/{id}"), HttpStatusCode.NotFound);
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/vms/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task RenameValidatesTheName()
    {
        var id = await DeployVmAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/vms/{id}", new { name = "-bad" }), HttpStatusCode.UnprocessableEntity);
        Assert.That((string)body["detail"]![0]!["type"]!, Is.EqualTo("string_pattern_mismatch"));
    }

    [Test]
    public async Task DeletingAnInitializingVmIs400()
    {
        var id = await DeployVmAsync();
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/vms/{id}"), HttpStatusCode.BadRequest);
    }
}
