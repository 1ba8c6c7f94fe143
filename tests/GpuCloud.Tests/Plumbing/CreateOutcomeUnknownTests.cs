using System.Net;
using GpuCloud.Errors;
using GpuCloud.Instances;
using GpuCloud.Plans;
using GpuCloud.Tests.Support;
using static GpuCloud.Tests.Support.FluenceJson;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// GpuCloudClient.CreateInstanceAsync through the real chain (provider, key header, resilience handler) over a
/// scripted primary handler: a create whose outcome is unknown is never resent; the instance is looked up by name.
/// </summary>
public class CreateOutcomeUnknownTests : PlumbingTest
{
    private const string ListedName = "fuchsia-hawk-4706"; // ACTIVE in FluenceJson.ContainerInstances
    private const string EndedName = "white-chimpanzee-8445"; // ENDED there

    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(5);

    private sealed class Rig : IDisposable
    {
        public Rig(SecretWatch watch, Action<GpuCloudOptions>? configure = null)
        {
            Options = new GpuCloudOptions
            {
                Fluence = { ApiKey = PlumbingSecrets.FluenceKey, BaseUrl = new Uri(Base) },
                CleanupTimeout = TimeSpan.FromMinutes(1),
            };
            Options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(Options);
            Client = new GpuCloudClient(Options, Clock, watch.Logs, _ => Http);
        }

        public GpuCloudOptions Options { get; }

        public ScriptedHandler Http { get; } = new();

        public TrackedClock Clock { get; } = new();

        public GpuCloudClient Client { get; }

        public int Posts => Http.Sent(HttpMethod.Post, ContainerInstancesUrl).Count;

        public int Lookups => Http.Sent(HttpMethod.Get, ContainerInstancesUrl).Count;

        public void ListsAnswer(string containers = ContainerInstances)
        {
            Http.On(HttpMethod.Get, ContainerInstancesUrl, Always(HttpStatusCode.OK, containers));
            Http.On(HttpMethod.Get, VmInstancesUrl, Always(HttpStatusCode.OK, "[]"));
            Http.On(HttpMethod.Get, BareMetalInstancesUrl, Always(HttpStatusCode.OK, "[]"));
        }

        public void ListsAnswer(Responder respond)
        {
            Http.On(HttpMethod.Get, ContainerInstancesUrl, respond);
            Http.On(HttpMethod.Get, VmInstancesUrl, respond);
            Http.On(HttpMethod.Get, BareMetalInstancesUrl, respond);
        }

        public void Dispose() => Client.Dispose();
    }

    private static CreateInstanceRequest Request(string name = ListedName) => new()
    {
        Plan = new GpuPlan
        {
            Provider = "fluence",
            Id = "container:" + H200PlanId,
            Name = "h200-141gi-sxm-1gpu-16cpu-128gi-120gi",
            Workload = WorkloadType.Container,
            Gpu = GpuModels.Parse("h200", 1, "nvidia", "141Gi", "SXM"),
            PricePerHour = 2.96m,
            Currency = "USDC",
            Locations = ["US"],
        },
        Name = name,
        SshPublicKeys = [TestKeys.Ed25519],
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    [Test]
    public async Task DeployAnswering504_IsNotResent_AndTheInstanceFoundByName_IsReturned()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout, """{"detail": "upstream timed out"}"""));
        rig.ListsAnswer();

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + ActiveContainerId));
            Assert.That(instance.Name, Is.EqualTo(ListedName));
            Assert.That(instance.Provider, Is.EqualTo("fluence"));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
            Assert.That(rig.Posts, Is.EqualTo(1), "the create was sent exactly once");
            Assert.That(rig.Lookups, Is.EqualTo(1));
            Assert.That(rig.Http.Requests.Select(r => r.ApiKey), Is.All.EqualTo(PlumbingSecrets.FluenceKey));
        }
    }

    [Test]
    public async Task DeployTimingOut_IsNotResent_AndTheInstanceFoundByName_IsReturned()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Hang);
        rig.ListsAnswer();

        var creating = rig.Client.CreateInstanceAsync(Request());
        await rig.Http.WaitForCountAsync(1);
        rig.Clock.Advance(rig.Options.Resilience.AttemptTimeout);
        var instance = await rig.Clock.RunAsync(creating, Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + ActiveContainerId));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lookups, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task DeployAnsweringWithoutAnId_IsLookedUpToo()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.OK, "{}"));
        rig.ListsAnswer();

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + ActiveContainerId));
            Assert.That(rig.Posts, Is.EqualTo(1));
        }
    }

    [TestCase(HttpStatusCode.GatewayTimeout, GpuCloudErrorCode.Timeout)]
    [TestCase(HttpStatusCode.BadGateway, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(HttpStatusCode.ServiceUnavailable, GpuCloudErrorCode.ProviderUnavailable)]
    public async Task NoInstanceWithThatName_TheOriginalErrorIsThrown(HttpStatusCode status, GpuCloudErrorCode code)
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(status, """{"detail": "gateway trouble"}"""));
        rig.ListsAnswer();

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request("not-listed-1")), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.StatusCode, Is.EqualTo(status));
            Assert.That(ex.ProviderMessage, Is.EqualTo("gateway trouble"));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lookups, Is.EqualTo(1), "it did look");
        }
    }

    [Test]
    public async Task AnEndedInstanceWithThatName_DoesNotCount()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ListsAnswer();

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(EndedName)), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(rig.Lookups, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task TheLookupFailingToo_SaysTheInstanceMayExist_AndNamesIt()
    {
        using var rig = new Rig(Watch, o =>
        {
            o.Resilience.CircuitBreakerMinimumThroughput = 50;
            o.CleanupTimeout = TimeSpan.FromSeconds(3);
        });
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ListsAnswer(Always(HttpStatusCode.InternalServerError, """{"detail": "database down"}"""));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout), "the create's own error");
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(ex.Message, Does.Contain("may have been created").And.Contain($"'{ListedName}'").And.Contain("fluence"));
            Assert.That(ex.Message, Does.Contain("lookup failed").And.Contain("database down"));
            Assert.That(ex.InnerException, Is.InstanceOf<GpuCloudException>());
            Assert.That(rig.Posts, Is.EqualTo(1), "still never resent");
            Assert.That(rig.Lookups, Is.GreaterThanOrEqualTo(1 + rig.Options.Resilience.MaxRetries), "the lookup GETs are retried, and the lookup itself until CleanupTimeout");
        }
    }

    [Test]
    public async Task TheLookupHangingPastCleanupTimeout_SaysTheInstanceMayExist()
    {
        using var rig = new Rig(Watch, o => o.CleanupTimeout = TimeSpan.FromSeconds(10));
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ListsAnswer(Hang);

        var creating = rig.Client.CreateInstanceAsync(Request());
        await rig.Http.WaitForCountAsync(4);
        rig.Clock.Advance(TimeSpan.FromSeconds(10));
        var ex = await FailsWith<GpuCloudException>(creating);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("may have been created").And.Contain(ListedName));
            Assert.That(rig.Posts, Is.EqualTo(1));
        }
    }

    [TestCase(HttpStatusCode.Conflict, GpuCloudErrorCode.Conflict)]
    [TestCase(HttpStatusCode.BadRequest, GpuCloudErrorCode.InvalidRequest)]
    [TestCase(HttpStatusCode.PaymentRequired, GpuCloudErrorCode.InsufficientFunds)]
    [TestCase(HttpStatusCode.Unauthorized, GpuCloudErrorCode.Unauthorized)]
    [TestCase(HttpStatusCode.TooManyRequests, GpuCloudErrorCode.RateLimited)]
    public async Task AKnownRefusal_IsThrown_WithoutALookup(HttpStatusCode status, GpuCloudErrorCode code)
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(status, """{"detail": "refused"}"""));
        rig.ListsAnswer();

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lookups, Is.Zero, "the provider said no: nothing was created");
        }
    }

    [Test]
    public async Task CallerCancellation_DuringTheCreate_IsOperationCanceled_AfterALookupForWhatItMayHaveMade()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Hang);
        rig.ListsAnswer();
        using var cts = new CancellationTokenSource();

        var creating = rig.Client.CreateInstanceAsync(Request(), cts.Token);
        await rig.Http.WaitForCountAsync(1);
        await cts.CancelAsync();
        await FailsWith<OperationCanceledException>(creating);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lookups, Is.EqualTo(1), "the create may have been sent: it is looked up (and deleted if found), not left behind");
        }
    }

    [Test]
    public async Task Fluidstack_CreateAnswering503_IsNotResent_AndTheInstanceFoundByName_IsReturned()
    {
        using var rig = new Rig(Watch, o =>
        {
            o.Fluence.ApiKey = null;
            o.Fluidstack.Token = PlumbingSecrets.FluidstackToken;
            o.Fluidstack.ProjectId = FluidstackJson.ProjectId;
        });
        rig.Http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        rig.Http.On(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", Always(HttpStatusCode.ServiceUnavailable, FluidstackJson.Error("overloaded")));
        rig.Http.On(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, Always(HttpStatusCode.OK, $"[{FluidstackJson.ManagementInstance("sandbox")}]"));

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack",
            PlanId = "sandbox/h100-hgx-80gb.8x",
            Name = "instance-1",
            SshPublicKeys = [TestKeys.Ed25519],
        }), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("sandbox/" + FluidstackJson.InstanceGuid));
            Assert.That(instance.Name, Is.EqualTo("instance-1"));
            Assert.That(rig.Http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances"), Has.Count.EqualTo(1));
            Assert.That(rig.Http.Sent(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl), Has.Count.EqualTo(1));
            Assert.That(rig.Client.DisabledProviders.Keys, Is.EquivalentTo(new[] { "fluence" }));
        }
    }

    [Test]
    public async Task OpenCircuit_TheCreateWasNeverSent_SoNoLookupAndNoMayExistMessage()
    {
        using var rig = new Rig(Watch, o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Resilience.CircuitBreakerMinimumThroughput = 2;
        });
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.Created, DeployResponse));
        rig.ListsAnswer(Always(HttpStatusCode.ServiceUnavailable));
        await FailsWith<GpuCloudException>(rig.Client.ListInstancesAsync("fluence"));
        var sentBefore = rig.Http.Count;

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(rig.Http.Count, Is.EqualTo(sentBefore), "the circuit is open: nothing reaches the provider");
            Assert.That(ex.Message, Does.Not.Contain("may have been created"), "the create was refused locally, so it certainly was not created");
        }
    }
}
