using Microsoft.Extensions.Logging;
using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

/// <summary>
/// One item of a provider list that cannot be read costs that item, never the list: plans, instances and keys, on both
/// providers, and the item left out is logged at warning with the provider and its id.
/// Source for the values: the Fluence docs type resource counts as integers (specs/fluence.openapi.yaml,
/// ResourceQuantity.count) while GPU offers come from many suppliers; Fluidstack's spec types `cpu` as an integer and
/// `id` as a uuid (fluidstack-infrastructure.openapi.yaml / fluidstack-management.openapi.yaml). A value of another
/// type is what "one odd value" looks like on the wire.
/// </summary>
public class ListItemToleranceTests
{
    private TestLogs _logs = null!;

    [SetUp]
    public void Logs() => _logs = new TestLogs();

    [TearDown]
    public void Dispose() => _logs.Dispose();

    private FluenceProvider Fluence(RecordingHttp http) =>
        new(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, http.Handler, _logs.CreateLogger("test"));

    private FluidstackProvider Fluidstack(RecordingHttp http) =>
        new(Build.FluidstackOptions(), http.Handler, new FakeTimeProvider(), _logs.CreateLogger("test"));

    private void AssertWarned(string provider, string id)
    {
        var warnings = _logs.Records.Where(e => e.Level == LogLevel.Warning).ToArray();
        Assert.That(warnings, Has.Length.EqualTo(1), string.Join("\n", warnings.Select(w => w.Message)));
        var warning = warnings[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(warning!.Value("Provider"), Is.EqualTo(provider));
            Assert.That(warning.Value("ItemId"), Is.EqualTo(id));
        }
    }

    [Test]
    public async Task Fluence_VmPlans_AFractionalMemoryCount_CostsThatOfferOnly()
    {
        using var http = new RecordingHttp();
        // The second of the two "count": 186 memories belongs to the Dulles option.
        var at = VmPlans.LastIndexOf("\"memory\": {\"count\": 186", StringComparison.Ordinal);
        var odd = VmPlans[..at] + "\"memory\": {\"count\": 185.5" + VmPlans[(at + "\"memory\": {\"count\": 186".Length)..];
        Assert.That(odd, Is.Not.EqualTo(VmPlans), "the fixture was changed");
        http.Json(HttpMethod.Get, VmPlansUrl, odd);
        using var fluence = Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.VirtualMachine });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "vm:" + A10OptionSanJose, "vm:" + A100PcieOption }));
        }
        AssertWarned("fluence", A10OptionDulles);
    }

    [Test]
    public async Task Fluence_ContainerPlans_OnePlanOfTheWrongShape_CostsThatPlanOnly()
    {
        using var http = new RecordingHttp();
        var odd = ContainerPlans.Replace("\"vcpu\": {\"count\": 1}", "\"vcpu\": {\"count\": \"one\"}", StringComparison.Ordinal);
        Assert.That(odd, Is.Not.EqualTo(ContainerPlans), "the fixture was changed");
        http.Json(HttpMethod.Get, ContainerPlansUrl, odd);
        using var fluence = Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });

        Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "container:" + H200PlanId }));
        AssertWarned("fluence", A100PlanId);
    }

    [Test]
    public async Task Fluence_Instances_OneUnreadableInstance_CostsThatInstanceOnly()
    {
        using var http = new RecordingHttp();
        var odd = ContainerInstances.Replace("\"created_at\": \"2026-02-07T14:42:29.472381Z\"", "\"created_at\": {\"not\": \"a date\"}", StringComparison.Ordinal);
        Assert.That(odd, Is.Not.EqualTo(ContainerInstances), "the fixture was changed");
        http.Json(HttpMethod.Get, ContainerInstancesUrl, odd);
        http.Json(HttpMethod.Get, VmInstancesUrl, VmInstances);
        http.Json(HttpMethod.Get, BareMetalInstancesUrl, "[]");
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = Fluence(http);

        var instances = await fluence.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Id), Is.EquivalentTo(new[] { "container:" + EndedContainerId, "vm:" + ActiveVmId, "vm:" + FailedVmId }));
        AssertWarned("fluence", ActiveContainerId);
    }

    [Test]
    public async Task Fluence_Keys_OneUnreadableKey_CostsThatKeyOnly()
    {
        using var http = new RecordingHttp();
        const string odd = """{"id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "name": "odd", "publicKey": {"what": "not a string"}, "algorithm": "ssh-ed25519", "fingerprint": "x"}""";
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPageOf(2, 1, 1, odd, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId }));
        AssertWarned("fluence", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    }

    [Test]
    public async Task Fluidstack_InstanceTypes_OneUnreadableType_CostsThatTypeOnly()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        var odd = FluidstackJson.InstanceTypes.Replace("\"cpu\": 48", "\"cpu\": {\"cores\": 48}", StringComparison.Ordinal);
        Assert.That(odd, Is.Not.EqualTo(FluidstackJson.InstanceTypes), "the fixture was changed");
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", odd);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        using var fluidstack = Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[] { "sandbox/h100-hgx-80gb.8x", "sandbox/cpu.2x" }));
        }
        AssertWarned("fluidstack", "a100-sxm4-80gb.4x");
    }

    [Test]
    public async Task Fluidstack_Instances_OneUnreadableInstance_CostsThatInstanceOnly()
    {
        using var http = new RecordingHttp();
        const string other = "660e8400-e29b-41d4-a716-446655440000";
        var odd = FluidstackJson.ManagementInstance("sandbox", id: other).Replace("\"ephemeral\": false", "\"ephemeral\": [1, 2]", StringComparison.Ordinal);
        http.Json(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, "[" + FluidstackJson.ManagementInstance("sandbox") + "," + odd + "]");
        using var fluidstack = Fluidstack(http);

        var instances = await fluidstack.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Id), Is.EqualTo(new[] { "sandbox/" + FluidstackJson.InstanceGuid }));
        AssertWarned("fluidstack", other);
    }

    [Test]
    public async Task Fluidstack_Keys_OneUnreadableKey_CostsThatKeyOnly()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.UserKeysUrl, "[" + """{"name": "odd", "key": ["not", "a", "string"]}""" + "," + FluidstackJson.Key("mine", FluidstackJson.SchemaKey) + "]");
        using var fluidstack = Fluidstack(http);

        var keys = await fluidstack.ListSshKeysAsync();

        Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "mine" }));
        AssertWarned("fluidstack", "odd");
    }

    [Test]
    public async Task Fluence_TheItemByItemReRead_GoesToTheConfiguredBaseUrl()
    {
        const string elsewhere = "https://fluence.example.test";
        using var http = new RecordingHttp();
        const string odd = """{"id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "name": "odd", "publicKey": {"what": "not a string"}, "algorithm": "ssh-ed25519", "fingerprint": "x"}""";
        http.Json(HttpMethod.Get, elsewhere + "/v1/ssh_keys", SshKeyPageOf(2, 1, 1, odd, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(elsewhere) }, http.Handler, _logs.CreateLogger("test"));

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId }));
            Assert.That(http.Requests.Select(r => r.Uri.Host), Is.All.EqualTo("fluence.example.test"));
        }
    }

    [Test]
    public async Task Fluidstack_TheItemByItemReRead_GoesToTheConfiguredManagementUrl()
    {
        const string elsewhere = "https://atlas.example.test/api/v1alpha1";
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, elsewhere + "/user/keys", "[" + """{"name": "odd", "key": ["not", "a", "string"]}""" + "," + FluidstackJson.Key("mine", FluidstackJson.SchemaKey) + "]");
        var options = Build.FluidstackOptions();
        options.ManagementUrl = new Uri(elsewhere);
        using var fluidstack = new FluidstackProvider(options, http.Handler, new FakeTimeProvider(), _logs.CreateLogger("test"));

        var keys = await fluidstack.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "mine" }));
            Assert.That(http.Requests.Select(r => r.Uri.Host), Is.All.EqualTo("atlas.example.test"));
        }
    }
}
