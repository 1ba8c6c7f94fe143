using static GpuCloud.Tests.Support.FluenceJson;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// GpuCloudClient.CreateInstanceAsync through the real chain (provider, key header, resilience handler) over a
/// scripted primary handler: a create whose outcome is unknown is never resent, and only an instance the call provably
/// made is returned or deleted. Names are not unique on either provider (Fluence's docs and Atlas's spec state no
/// uniqueness rule), so an older instance with the same name must never be taken for the new one.
/// </summary>
public class CreateOutcomeUnknownTests : PlumbingTest
{
    private const string ListedName = "fuchsia-hawk-4706"; // ACTIVE in FluenceJson.ContainerInstances: an older instance
    private const string EndedName = "white-chimpanzee-8445"; // ENDED there
    private const string NewId = "0d6f1f7e-3c9a-4f59-9d7b-8f3a2c1b0e11";
    private const string SecondNewId = "6a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d";

    /// <summary>The container list before the create (the listed instances) and after it (the same, plus <paramref name="appeared"/>).</summary>
    private static Responder BeforeAndAfter(params string[] appeared) => Sequence(
        (HttpStatusCode.OK, ContainerInstances),
        (HttpStatusCode.OK, ContainerList(appeared)));

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
            Client = new GpuCloudClient(Options, Clock, watch.Logs.Factory, _ => Http);
        }

        public GpuCloudOptions Options { get; }

        public ScriptedHandler Http { get; } = new();

        public TrackedClock Clock { get; } = new();

        public GpuCloudClient Client { get; }

        public int Posts => Http.Sent(HttpMethod.Post, ContainerInstancesUrl).Count;

        /// <summary>Container lists: the one taken before the create plus the lookups after it.</summary>
        public int Lists => Http.Sent(HttpMethod.Get, ContainerInstancesUrl).Count;

        public int Deletes => Http.Requests.Count(r => r.Method == HttpMethod.Delete);

        /// <summary>An active container that a delete would remove (Fluence reads it before deleting it).</summary>
        public void Deletable(string id)
        {
            Http.On(HttpMethod.Get, ContainerInstancesUrl + id, Always(HttpStatusCode.OK, ContainerDetail("ACTIVE", id)));
            Http.On(HttpMethod.Delete, ContainerInstancesUrl + id, Always(HttpStatusCode.NoContent));
        }

        /// <summary>Containers answered by <paramref name="containers"/>; the VM and bare-metal lists are empty.</summary>
        public void ContainersAnswer(Responder containers)
        {
            Http.On(HttpMethod.Get, ContainerInstancesUrl, containers);
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
            Gpu = GpuModelCatalog.Parse("h200", 1, "nvidia", "141Gi", "SXM"),
            PricePerHour = 2.96m,
            Currency = "USDC",
            Locations = ["US"],
        },
        Name = name,
        SshPublicKeys = [TestKeys.Ed25519],
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    [Test]
    public async Task LostAnswer_AnOlderInstanceHasTheName_TheNewOneIsReturned_NotTheOlder()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout, """{"detail": "upstream timed out"}"""));
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, ListedName, "INITIALIZED")));

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(ListedName)), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + NewId), "the instance that appeared during the call, not the older ACTIVE one");
            Assert.That(instance.Name, Is.EqualTo(ListedName));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Provisioning));
            Assert.That(rig.Posts, Is.EqualTo(1), "the create was sent exactly once");
            Assert.That(rig.Lists, Is.EqualTo(2), "one list before the create, one lookup after it");
            Assert.That(rig.Http.Requests.Select(r => r.ApiKey), Is.All.EqualTo(PlumbingSecrets.FluenceKey));
        }
    }

    [Test]
    public async Task TimedOut_TheNewInstanceIsFound_WithNoOlderOne()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Hang);
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, "fresh-name-1", "INITIALIZED")));

        var creating = rig.Client.CreateInstanceAsync(Request("fresh-name-1"));
        await rig.Http.WaitForAsync(r => r.Any(x => x.Method == HttpMethod.Post));
        rig.Clock.Advance(rig.Options.Resilience.AttemptTimeout);
        var instance = await rig.Clock.RunAsync(creating, Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + NewId));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lists, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task AnsweredWithoutAnId_IsLookedUpToo_AndOnlyTheNewcomerCounts()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.OK, "{}"));
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, ListedName, "INITIALIZED")));

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(ListedName)), Horizon);

        Assert.That(instance.Id, Is.EqualTo("container:" + NewId));
    }

    [TestCase(HttpStatusCode.GatewayTimeout, GpuCloudErrorCode.Timeout)]
    [TestCase(HttpStatusCode.BadGateway, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(HttpStatusCode.ServiceUnavailable, GpuCloudErrorCode.ProviderUnavailable)]
    public async Task LostAnswer_OnlyAnOlderInstanceHasTheName_ItIsNotAdopted_TheErrorSaysItMayExist(HttpStatusCode status, GpuCloudErrorCode code)
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(status, """{"detail": "gateway trouble"}"""));
        rig.ContainersAnswer(BeforeAndAfter());

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(ListedName)), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code), "the transport's code");
            Assert.That(ex.StatusCode, Is.EqualTo(status));
            Assert.That(ex.ProviderMessage, Is.EqualTo("gateway trouble"));
            Assert.That(ex.Message, Does.Contain($"may exist on fluence").And.Contain($"'{ListedName}'"));
            Assert.That(ex.Message, Does.Contain("1 older instance(s) with that name were left alone"));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lists, Is.EqualTo(2), "it did look");
            Assert.That(rig.Deletes, Is.Zero);
        }
    }

    [Test]
    public async Task LostAnswer_TwoNewcomersWithTheName_NeitherIsAdopted()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.BadGateway));
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, ListedName, "INITIALIZED"), ContainerInstance(SecondNewId, ListedName, "INITIALIZED")));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(ListedName)), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Message, Does.Contain("2 instances with that name appeared while it ran"));
            Assert.That(rig.Deletes, Is.Zero);
        }
    }

    [Test]
    public async Task TheListBeforeTheCreateFails_TheCreateIsNotSent()
    {
        using var rig = new Rig(Watch, o => o.Resilience.MaxRetries = 0);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.BadGateway));
        rig.ContainersAnswer(Always(HttpStatusCode.ServiceUnavailable, """{"detail": "busy"}"""));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(ListedName)), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable), "the list's error");
            Assert.That(ex.IsTransient, Is.True, "worth trying again: nothing was created");
            Assert.That(ex.Message, Does.Contain("Nothing was created").And.Contain($"'{ListedName}'"));
            Assert.That(rig.Posts, Is.Zero, "a lost answer could not have been told from an older instance: not sent");
        }
    }

    [Test]
    public async Task AnEndedInstanceWithThatName_DoesNotCount()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ContainersAnswer(Sequence((HttpStatusCode.OK, "[]"), (HttpStatusCode.OK, ContainerInstances)));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request(EndedName)), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(rig.Lists, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task TheLookupFailingToo_SaysTheInstanceMayExist_AndNamesIt()
    {
        using var rig = new Rig(Watch, o =>
        {
            o.Resilience.CircuitBreakerMinimumThroughput = 50;
            o.CleanupTimeout = TimeSpan.FromSeconds(3);
            o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        });
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ContainersAnswer(Sequence((HttpStatusCode.OK, ContainerInstances), (HttpStatusCode.InternalServerError, """{"detail": "database down"}""")));
        var retries = rig.Options.Resilience.MaxRetries;

        var creating = rig.Client.CreateInstanceAsync(Request());
        // Step by step, never by a horizon that holds the cleanup deadline: fired while a GET is in flight, the deadline
        // would cut the handler's retries and the lookup would never see the provider's answer (how fast the machine
        // reaches each await would decide the verdict). First the handler's back-offs (milliseconds) until every GET
        // of the lookup's first try is sent, the deadline (3 s) being out of a 1 s reach...
        await rig.Clock.RunAsync(rig.Http.WaitForAsync(_ => rig.Lists >= 2 + retries), TimeSpan.FromSeconds(1));
        // ...then, once the lookup waits for its next poll (PollInterval, beyond the deadline), the deadline.
        await WaitUntilArmedAsync(rig.Clock, rig.Options.PollInterval, creating);
        rig.Clock.AdvanceToNextTimer();
        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(creating, Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout), "the create's own error");
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(ex.Message, Does.Contain("may exist").And.Contain($"'{ListedName}'").And.Contain("fluence"));
            Assert.That(ex.Message, Does.Contain("lookup failed").And.Contain("database down"));
            Assert.That(ex.InnerException, Is.InstanceOf<GpuCloudException>());
            Assert.That(rig.Posts, Is.EqualTo(1), "still never resent");
            Assert.That(rig.Lists, Is.EqualTo(2 + retries), "the list before the create, and the lookup's GET retried by the handler; the deadline ended the wait for its next try");
        }
    }

    [Test]
    public async Task TheLookupHangingPastCleanupTimeout_SaysTheInstanceMayExist()
    {
        using var rig = new Rig(Watch, o => o.CleanupTimeout = TimeSpan.FromSeconds(10));
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Always(HttpStatusCode.GatewayTimeout));
        rig.ListsAnswer(async (request, call, ct) => call == 1
            ? Response(HttpStatusCode.OK, request.RequestUri!.AbsolutePath.EndsWith("/instances/", StringComparison.Ordinal) ? ContainerInstances : "[]")
            : await Hang(request, call, ct));

        var creating = rig.Client.CreateInstanceAsync(Request());
        await rig.Http.WaitForCountAsync(7);
        rig.Clock.Advance(TimeSpan.FromSeconds(10));
        var ex = await FailsWith<GpuCloudException>(creating);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("may exist").And.Contain(ListedName));
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
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, ListedName, "INITIALIZED")));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(Request()), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lists, Is.EqualTo(1), "only the list before the create: the provider said no, nothing was created");
        }
    }

    [Test]
    public async Task ARequestTheProviderRefuses_SendsNothing_NotEvenTheListBeforeTheCreate()
    {
        using var rig = new Rig(Watch);
        rig.ContainersAnswer(BeforeAndAfter());

        var ex = await FailsWith<GpuCloudException>(rig.Client.CreateInstanceAsync(Request("Not_A_Fluence_Name")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("Name"));
            Assert.That(rig.Http.Count, Is.Zero);
        }
    }

    [Test]
    public async Task CallerCancellation_AfterSending_DeletesTheNewcomer_AndNeverTheOlderInstance()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Hang);
        rig.ContainersAnswer(BeforeAndAfter(ContainerInstance(NewId, ListedName, "ACTIVE")));
        rig.Deletable(NewId);

        await CancelAfterSendingAsync(rig);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Posts, Is.EqualTo(1));
            Assert.That(rig.Lists, Is.EqualTo(2), "the create may have been sent: it is looked up, not left behind");
            Assert.That(rig.Http.Requests.Where(r => r.Method == HttpMethod.Delete).Select(r => r.Url), Is.EqualTo(new[] { ContainerInstancesUrl + NewId }));
        }
    }

    [Test]
    public async Task CallerCancellation_AfterSending_NothingNew_DeletesNothing()
    {
        using var rig = new Rig(Watch);
        rig.Http.On(HttpMethod.Post, ContainerInstancesUrl, Hang);
        rig.ContainersAnswer(BeforeAndAfter());
        // The older instance could be deleted, were it (wrongly) taken for this call's.
        rig.Deletable(ActiveContainerId);

        await CancelAfterSendingAsync(rig);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Lists, Is.EqualTo(2));
            Assert.That(rig.Deletes, Is.Zero, "the older instance with that name is not this call's");
        }
    }

    /// <summary>Starts a create, cancels it once its request was sent, and waits for the cancellation to surface.</summary>
    private async Task CancelAfterSendingAsync(Rig rig)
    {
        using var cts = new CancellationTokenSource();
        var creating = rig.Client.CreateInstanceAsync(Request(ListedName), cts.Token);
        await rig.Http.WaitForAsync(r => r.Any(x => x.Method == HttpMethod.Post));
        await cts.CancelAsync();
        await FailsWith<OperationCanceledException>(creating);
    }

    private static Rig FluidstackRig(SecretWatch watch) => new(watch, o =>
    {
        o.Fluence.ApiKey = null;
        o.Fluidstack.Token = PlumbingSecrets.FluidstackToken;
        o.Fluidstack.ProjectId = FluidstackJson.ProjectId;
    });

    private static CreateInstanceRequest FluidstackRequest() => new()
    {
        Provider = "fluidstack",
        PlanId = "sandbox/h100-hgx-80gb.8x",
        Name = "instance-1",
        SshPublicKeys = [TestKeys.Ed25519],
    };

    /// <summary>The create token the library sent as a tag in the (only) create request.</summary>
    private static string SentToken(Rig rig)
    {
        var body = Newtonsoft.Json.Linq.JObject.Parse(rig.Http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances").Single().Body!);
        return (string)body["tags"]!["gpucloud-create-token"]!;
    }

    [Test]
    public async Task Fluidstack_LostAnswer_TheInstanceCarryingThisCallsToken_IsReturned_NotTheOlderSameNamedOne()
    {
        using var rig = FluidstackRig(Watch);
        rig.Http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        rig.Http.On(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", Always(HttpStatusCode.ServiceUnavailable, FluidstackJson.Error("overloaded")));
        const string older = "11111111-2222-4333-8444-555555555555";
        rig.Http.On(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, (_, _, _) => Task.FromResult(Response(HttpStatusCode.OK,
            $"[{FluidstackJson.ManagementInstance("sandbox", id: older)}, {FluidstackJson.ManagementInstance("sandbox", state: "provisioning", tags: $$"""{"gpucloud-create-token": "{{SentToken(rig)}}"}""")}]")));

        var instance = await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(FluidstackRequest()), Horizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("sandbox/" + FluidstackJson.InstanceGuid));
            Assert.That(instance.Name, Is.EqualTo("instance-1"));
            Assert.That(SentToken(rig), Does.Match("^[0-9a-f]{32}$"), "a token unique to the call, within Atlas's tag rules");
            Assert.That(rig.Http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances"), Has.Count.EqualTo(1));
            Assert.That(rig.Http.Sent(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl), Has.Count.EqualTo(1), "a marked create needs no list before it");
            Assert.That(rig.Client.DisabledProviders.Keys, Is.EquivalentTo(new[] { "fluence" }));
        }
    }

    [Test]
    public async Task Fluidstack_LostAnswer_OnlyInstancesWithoutThisCallsToken_NoneIsAdopted()
    {
        using var rig = FluidstackRig(Watch);
        rig.Http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        rig.Http.On(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", Always(HttpStatusCode.ServiceUnavailable, FluidstackJson.Error("overloaded")));
        rig.Http.On(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, Always(HttpStatusCode.OK,
            $$"""[{{FluidstackJson.ManagementInstance("sandbox")}}, {{FluidstackJson.ManagementInstance("sandbox", state: "provisioning", id: "22222222-2222-4333-8444-555555555555", tags: """{"gpucloud-create-token": "0123456789abcdef0123456789abcdef"}""")}}]"""));

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(FluidstackRequest()), Horizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Message, Does.Contain("may exist on fluidstack").And.Contain("no instance carries this call's token"));
            Assert.That(rig.Http.Requests.Count(r => r.Method == HttpMethod.Delete), Is.Zero);
        }
    }

    [Test]
    public async Task Fluidstack_TheCreateCarriesItsOwnerAndExpiry_AsTagsWithinAtlasRules()
    {
        using var rig = new Rig(Watch, o =>
        {
            o.Fluence.ApiKey = null;
            o.Fluidstack.Token = PlumbingSecrets.FluidstackToken;
            o.Fluidstack.ProjectId = FluidstackJson.ProjectId;
            o.Owner = "dev@build-01";
        });
        rig.Http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        rig.Http.On(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", Always(HttpStatusCode.Created, FluidstackJson.Instance(state: "creating")));
        rig.Clock.Fake.SetUtcNow(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

        await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(FluidstackRequest() with
        {
            MaxDuration = TimeSpan.FromMinutes(90),
            Tags = new Dictionary<string, string> { ["team"] = "ml", ["gpucloud-create-token"] = "copied-from-another-instance" },
        }), Horizon);

        var tags = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(
            System.Text.Json.Nodes.JsonNode.Parse(rig.Http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances").Single().Body!)!["tags"]!.ToJsonString())!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tags["team"], Is.EqualTo("ml"), "the caller's own tags are kept");
            Assert.That(tags["gpucloud-owner"], Is.EqualTo("dev@build-01"));
            Assert.That(tags["gpucloud-expires-at"], Is.EqualTo("2026-11-30T13:30:00Z"));
            Assert.That(tags["gpucloud-create-token"], Does.Match("^[0-9a-f]{32}$"), "a token copied from another instance is replaced");
            foreach (var (key, value) in tags)
            {
                Assert.That(key, Does.Match("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$"), "Atlas tag key rule");
                Assert.That(value.Length, Is.LessThanOrEqualTo(255), "Atlas tag value rule");
            }
        }
    }

    [Test]
    public async Task Fluidstack_ACreateWithoutMaxDuration_DropsAnExpiryTagTheCallerCopied()
    {
        // A stale expiry would let a later `sweep --expired` delete an instance meant to live.
        using var rig = FluidstackRig(Watch);
        rig.Http.On(HttpMethod.Get, FluidstackJson.RegionsUrl, Always(HttpStatusCode.OK, FluidstackJson.SandboxOnly));
        rig.Http.On(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", Always(HttpStatusCode.Created, FluidstackJson.Instance(state: "creating")));

        await rig.Clock.RunAsync(rig.Client.CreateInstanceAsync(FluidstackRequest() with
        {
            Tags = new Dictionary<string, string> { ["team"] = "ml", ["gpucloud-expires-at"] = "2020-01-01T00:00:00Z" },
        }), Horizon);

        var tags = (JObject)JObject.Parse(rig.Http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances").Single().Body!)["tags"]!;
        Assert.That(tags.Properties().Select(p => p.Name), Is.EquivalentTo(new[] { "team", "gpucloud-create-token", "gpucloud-owner" }));
    }

    [Test]
    public async Task Fluidstack_ListedInstances_SayWhoCreatedThem_FromTheirTags()
    {
        using var rig = FluidstackRig(Watch);
        const string unowned = "660e8400-e29b-41d4-a716-446655440000";
        const string foreign = "770e8400-e29b-41d4-a716-446655440000";
        rig.Http.On(HttpMethod.Get, FluidstackJson.ManagementInstancesUrl, Always(HttpStatusCode.OK, "[" + string.Join(",",
            FluidstackJson.ManagementInstance("sandbox", tags: """{"gpucloud-create-token": "0123456789abcdef0123456789abcdef", "gpucloud-owner": "alice@ci-3"}"""),
            FluidstackJson.ManagementInstance("sandbox", id: unowned, tags: """{"gpucloud-create-token": "fedcba9876543210fedcba9876543210"}"""),
            FluidstackJson.ManagementInstance("sandbox", id: foreign, tags: """{"team": "ml"}""")) + "]"));

        var listed = (await rig.Clock.RunAsync(rig.Client.ListInstancesAsync(), Horizon)).ToDictionary(i => i.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed["sandbox/" + FluidstackJson.InstanceGuid].CreatedBy, Is.EqualTo("alice@ci-3"));
            Assert.That(listed["sandbox/" + unowned].CreatedBy, Is.Empty, "made by GpuCloud, owner not recorded");
            Assert.That(listed["sandbox/" + unowned].CreatedByGpuCloud, Is.True);
            Assert.That(listed["sandbox/" + foreign].CreatedBy, Is.Null);
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
            Assert.That(ex.Message, Does.Not.Contain("may exist"), "the create was refused locally, so it certainly was not created");
        }
    }

    /// <summary>Waits (never sleeps) until a timer due <paramref name="delay"/> from now is armed, or <paramref name="running"/> ends.</summary>
    private static async Task WaitUntilArmedAsync(TrackedClock clock, TimeSpan delay, Task running)
    {
        while (!running.IsCompleted)
        {
            var changed = clock.NextChangeAsync();
            if (clock.PendingDelays.Contains(delay)) return;
            await HangGuard.WhenAnyAsync(changed, running);
        }
    }
}
