using System.Net;
using System.Text;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

/// <summary>The sandbox's default catalog follows the newest Fluidstack sources (see newer-sources.md).</summary>
public sealed class NewerSourcesCatalogTests : SandboxTestBase
{
    [Test]
    public async Task ATypeWithAModelAndNoCount_AndMemoryInEveryUnitSeen()
    {
        // Sources: the official Go client (fluidstack/atlas-client-go) sends gpu_model/gpu_count with omitempty; memory
        // strings seen are 960Gi, 432GB, 1.5Ti, 983040Mi.
        var types = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{UsEast}/api/v1alpha1/instance-types", withProject: false), HttpStatusCode.OK);
        var h200 = (JObject)types.Single(t => (string)t["name"]! == "h200-hgx-141gb.8x");
        var memories = types.Concat((JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{EuNorth}/api/v1alpha1/instance-types", withProject: false), HttpStatusCode.OK))
            .Select(t => (string)t["memory"]!).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That((string?)h200["gpu_model"], Is.Not.Null);
            Assert.That(h200.ContainsKey("gpu_count"), Is.False);
            Assert.That(memories.Select(m => new string(m.SkipWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray())).Distinct(),
                Is.SupersetOf(new[] { "Gi", "GB", "Ti", "Mi" }));
        });
    }
}

/// <summary>The sandbox's switches for the newest sources: regional projects, one malformed list item, userData shapes.</summary>
public sealed class NewerSourcesSwitchTests : SandboxTestBase
{
    private SandboxOptions _options = null!;

    protected override void Configure(SandboxOptions options)
    {
        _options = options;
        options.FluidstackRegionalProjects = true;
        options.ServeMalformedListItem = true;
    }

    [TearDown]
    public void BackToBase64() => _options.FluidstackUserData = UserDataEcho.Base64;

    [Test]
    public async Task ProjectsAreRegional_TwoInOneRegion_NoneInTheOther_AndCapacityElsewhereIsRefused()
    {
        // Source: the official Go client's example (fluidstack/atlas-client-go, examples/instance-lifecycle/README.md)
        // asks for "the UUID of an existing Atlas project in this region"; /projects is a regional endpoint.
        var eu = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{EuNorth}/api/v1alpha1/projects", withProject: false), HttpStatusCode.OK);
        var us = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{UsEast}/api/v1alpha1/projects", withProject: false), HttpStatusCode.OK);
        var euCapacity = await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{EuNorth}/api/v1alpha1/capacity");
        var usCapacity = await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{UsEast}/api/v1alpha1/capacity");
        Assert.Multiple(() =>
        {
            Assert.That(eu.Select(p => (string)p["id"]!), Is.EquivalentTo(new[] { Server.FluidstackProjectId.ToString(), _options.FluidstackSecondProjectId.ToString() }));
            Assert.That(us, Is.Empty);
            Assert.That(euCapacity.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(usCapacity.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the project is not in that region");
        });
    }

    [Test]
    public async Task OneMalformedItem_InEachApisList()
    {
        // Sources: the Fluence docs type resource counts as integers, Fluidstack's spec types cpu as an integer; a
        // fractional value is the "one odd value" newer-sources says must cost one item only.
        var vms = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/vms"), HttpStatusCode.OK);
        var counts = vms.SelectTokens("data[*].availability_by_number[*].options[*].memory.count").ToArray();
        var types = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, $"fluidstack/regions/{EuNorth}/api/v1alpha1/instance-types", withProject: false), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(counts.Where(c => c.Type == JTokenType.Float).Select(c => (double)c), Is.EqualTo(new[] { 1.5 }));
            Assert.That(counts.Count(c => c.Type == JTokenType.Integer), Is.GreaterThan(1), "the other offers are intact");
            Assert.That(types.Where(t => t["cpu"]!.Type == JTokenType.Float).Select(t => (double)t["cpu"]!), Is.EqualTo(new[] { 1.5 }));
        });
    }

    [TestCase(UserDataEcho.Base64WithNewline)]
    [TestCase(UserDataEcho.RawText)]
    [TestCase(UserDataEcho.Null)]
    public async Task UserData_ComesBackInTheShapeAsked(UserDataEcho echo)
    {
        // Source: newer-sources (Fluidstack): userData is format: byte in the spec, but null, base64 with a trailing
        // newline, or raw #cloud-config text all occur in examples.
        _options.FluidstackUserData = echo;
        const string text = "#cloud-config\npackages: [nginx]\n";
        var userData = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        var created = await CreateFluidstackInstanceAsync(EuNorth, "cpu.2x", "instance-1", new { userData });
        var expected = echo switch
        {
            UserDataEcho.Base64WithNewline => userData + "\n",
            UserDataEcho.RawText => text,
            _ => null,
        };
        Assert.That((string?)created["userData"], Is.EqualTo(expected));
    }
}
