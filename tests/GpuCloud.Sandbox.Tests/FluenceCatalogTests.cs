using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluenceCatalogTests : SandboxTestBase
{
    [Test]
    public async Task ContainerPlansAreDozensOfDocumentedShapes()
    {
        var plans = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/"), HttpStatusCode.OK);
        var models = plans.Select(p => (string)p["plan"]!["gpu_model"]!["model"]!).Distinct().ToList();
        var locations = plans.SelectMany(p => p["attributes"]!["location"]!).Select(l => (string)l!).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(plans, Has.Count.GreaterThanOrEqualTo(24));
            Assert.That(models, Is.SupersetOf(new[] { "h100", "h200", "a100", "l40s", "rtx4090", "a10" }));
            Assert.That(plans.Select(p => (string)p["plan"]!["gpu_model"]!["vram"]!), Does.Contain("40Gi").And.Contain("80Gi"));
            Assert.That(locations, Is.SupersetOf(new[] { "US", "DE", "FI" }));
            Assert.That(plans.Select(p => (string)p["plan"]!["id"]!).Distinct().Count(), Is.EqualTo(plans.Count));
        });

        foreach (var item in plans)
        {
            var plan = item["plan"]!;
            var supply = plan["supply"]!;
            var gpu = plan["gpu_model"]!;
            var expectedName = $"{gpu["model"]}-{((string)gpu["vram"]!).ToLowerInvariant()}-{((string)gpu["interface"]!).ToLowerInvariant()}-" +
                               $"{supply["gpu_count"]}gpu-{supply["vcpu"]!["count"]}cpu-{supply["memory"]!["count"]}gi-{supply["storage"]!["count"]}gi";
            Assert.Multiple(() =>
            {
                Assert.That(Guid.TryParse((string)plan["id"]!, out _), Is.True);
                Assert.That((string)plan["name"]!, Is.EqualTo(expectedName));
                Assert.That((string)gpu["interface"]!, Is.AnyOf("SXM", "PCIE"));
                Assert.That((string)plan["pricing"]!["currency"]!, Is.EqualTo("USDC"));
                Assert.That((int)plan["pricing"]!["upfront_hours"]!, Is.EqualTo(3));
                Assert.That((decimal)plan["pricing"]!["hour"]!, Is.GreaterThan(0m));
                Assert.That(item["attributes"]!["location"]!, Is.Not.Empty);
            });
        }
    }

    [TestCase("gpu/plans/vms", "VM")]
    [TestCase("gpu/plans/baremetal", "BAREMETAL")]
    public async Task VmAndBareMetalPlansAreGroupedWithConsistentAggregates(string path, string deploymentType)
    {
        var list = await ExpectAsync(await FluenceAsync(HttpMethod.Get, path), HttpStatusCode.OK);
        var groups = (JArray)list["data"]!;
        Assert.That(groups, Is.Not.Empty);
        foreach (var group in groups)
        {
            var availability = (JArray)group["availability_by_number"]!;
            Assert.That((decimal)group["minimum_price"]!, Is.EqualTo(availability.Min(a => (decimal)a["minimum_price"]!)));
            foreach (var a in availability)
            {
                var options = ((JArray)a["options"]!).Cast<JObject>().ToList();
                Assert.Multiple(() =>
                {
                    Assert.That((int)a["options_available_total"]!, Is.EqualTo(options.Count));
                    Assert.That((decimal)a["minimum_price"]!, Is.EqualTo(options.Min(o => (decimal)o["pricing"]!["hour"]!)));
                    Assert.That(a["locations"]!.Select(l => (string)l!), Is.EquivalentTo(options.Select(o => (string)o["location"]!).Distinct()));
                    Assert.That(a["providers"]!.Select(l => (string)l!), Is.EquivalentTo(options.Select(o => (string)o["provider"]!).Distinct()));
                    Assert.That((int)a["providers_available_total"]!, Is.EqualTo(options.Select(o => (string)o["provider"]!).Distinct().Count()));
                    Assert.That((int)a["data_center_available_total"]!, Is.EqualTo(options.Select(o => (string)o["location"]!).Distinct().Count()));
                    Assert.That(options.Select(o => (string)o["deployment_type"]!), Is.All.EqualTo(deploymentType));
                    Assert.That(options.Select(o => o["os_options"]!.Count()), Is.All.GreaterThan(0));
                    Assert.That(options.Select(o => (string)o["location"]!), Is.All.Match("^[a-z]+-[a-z]+-[0-9]+$"));
                });
            }
        }
    }

    [Test]
    public async Task VmPlansUseLowerCaseInterfacesAndIncludeTheDocumentedProviders()
    {
        var list = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/vms"), HttpStatusCode.OK);
        var options = list["data"]!.SelectMany(g => g["availability_by_number"]!).SelectMany(a => a["options"]!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(list["data"]!.Select(g => (string)g["gpu_model"]!["interface"]!), Is.All.AnyOf("sxm", "pcie"));
            Assert.That(options.Select(o => (string)o["provider"]!).Distinct(), Is.SupersetOf(new[] { "sesterce", "massed-compute" }));
            Assert.That(options.Any(o => (bool)o["nvlink"]!), Is.True);
            Assert.That(options.Select(o => (string)o["location"]!), Does.Contain("dulles-usa-1").Or.Contain("sanjose-usa-2").Or.Contain("us-central-3"));
        });
    }

    [Test]
    public async Task DefaultImagesIncludeTheDocumentedDebianImage()
    {
        var images = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/default-images/"), HttpStatusCode.OK);
        var debian = images.Single(i => (string)i["slug"]! == "debian-ssh-11");
        Assert.Multiple(() =>
        {
            Assert.That((string)debian["name"]!, Is.EqualTo("Debian SSH 11"));
            Assert.That((string)debian["image"]!, Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That((bool)debian["requires_ssh"]!, Is.True);
            Assert.That(debian["description"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((string)debian["expose"]![0]!["port"]!, Is.EqualTo("22"));
        });
    }

    [TestCase("gpu/plans")]
    [TestCase("gpu/plans/")]
    [TestCase("gpu/default-images")]
    [TestCase("gpu/instances")]
    public async Task TrailingSlashIsOptional(string path) =>
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, path), HttpStatusCode.OK);
}
