using System.Net;
using GpuCloud;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;

namespace GpuCloud.Reliability.Tests;

/// <summary>
/// The never-adopt rule against adversarial state: an account that already holds instances with the name a create uses
/// (made elsewhere: by another program, the console, an earlier run). Whatever happens to the create's answer, an
/// instance that existed before the call is never returned by it, waited on as its result, or deleted by its cleanup,
/// and an instance the call really made is found and never leaked. Names are not unique on either provider: Fluence's
/// GPU API documents no uniqueness rule for <c>name</c>, nor does the Atlas Infrastructure API spec for instances.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NeverAdoptTests
{
    private const string Name = "worker";

    private SandboxServer _sandbox = null!;
    private SandboxOptions _sandboxOptions = null!;
    private GpuPlan _fluencePlan = null!;

    public enum Fault
    {
        /// <summary>502 before the provider handled the create: nothing was made.</summary>
        ServerErrorBeforeCreate,

        /// <summary>The provider made the instance, then answered 502.</summary>
        ServerErrorAfterCreate,

        /// <summary>The provider made the instance, then the connection broke before the answer.</summary>
        DroppedAfterCreate,

        /// <summary>The provider made the instance; its answer never arrived within the attempt timeout.</summary>
        TimeoutAfterCreate,

        /// <summary>The provider made the instance; the caller cancelled before the answer arrived.</summary>
        CallerCancelsAfterSend,
    }

    public enum Existing
    {
        None,
        SameNamedRunning,
        SameNamedProvisioning,
        TwoSameNamedOlder,
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sandbox = await Sandboxes.StartAsync(o => _sandboxOptions = o);
        _fluencePlan = await Clients.FluenceContainerPlanAsync(_sandbox);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    [SetUp]
    public void ResetSandbox()
    {
        _sandbox.Reset();
        _sandboxOptions.ProvisioningDelay = TimeSpan.Zero;
    }

    private CreateInstanceRequest Request(string provider) => provider == "fluence"
        ? Clients.FluenceRequest(_fluencePlan, Name)
        : Clients.FluidstackRequest(Name);

    private static string PostPrefix(string provider) => provider == "fluence" ? "/gpu/instances" : "/fluidstack/regions/";

    /// <summary>Instances named <see cref="Name"/>, made before the call by another client (no faults).</summary>
    private async Task<SandboxInstance[]> MakeElsewhereAsync(string provider, Existing existing)
    {
        using var elsewhere = Clients.Facade(_sandbox);
        var count = existing switch { Existing.None => 0, Existing.TwoSameNamedOlder => 2, _ => 1 };
        if (existing == Existing.SameNamedProvisioning) _sandboxOptions.ProvisioningDelay = TimeSpan.FromHours(1);
        for (var i = 0; i < count; i++) await elsewhere.CreateInstanceAsync(Request(provider));
        _sandboxOptions.ProvisioningDelay = TimeSpan.Zero;
        var made = _sandbox.Live(Name);
        Assert.That(made, Has.Length.EqualTo(count), "the same-named instances made elsewhere");
        if (existing == Existing.SameNamedProvisioning)
            Assert.That(made.Single().State, Is.AnyOf("INITIALIZED", "creating"), "still provisioning");
        return made;
    }

    private void Arm(Fault fault, string provider, Transport transport, CancellationTokenSource caller)
    {
        var prefix = PostPrefix(provider);
        switch (fault)
        {
            case Fault.ServerErrorBeforeCreate:
                _sandbox.Faults.Add(FaultRule.Status(502, prefix, "POST", count: 1));
                break;
            case Fault.ServerErrorAfterCreate:
                _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 502, AfterHandler = true, Method = "POST", PathPrefix = prefix, Count = 1 });
                break;
            case Fault.DroppedAfterCreate:
                _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.DropConnection, AfterHandler = true, Method = "POST", PathPrefix = prefix, Count = 1 });
                break;
            case Fault.TimeoutAfterCreate:
                transport.Add(new ResponseTransform
                {
                    Name = "answer never arrives", Method = "POST", PathPrefix = prefix, Count = 1,
                    Apply = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return null; },
                });
                break;
            case Fault.CallerCancelsAfterSend:
                transport.Add(new ResponseTransform
                {
                    Name = "caller cancels", Method = "POST", PathPrefix = prefix, Count = 1,
                    Apply = async (_, _, ct) => { await caller.CancelAsync(); await Task.Delay(Timeout.Infinite, ct); return null; },
                });
                break;
        }
    }

    private static IEnumerable<TestCaseData> Matrix() =>
        from provider in new[] { "fluence", "fluidstack" }
        from fault in Enum.GetValues<Fault>()
        from existing in Enum.GetValues<Existing>()
        select new TestCaseData(provider, fault, existing).SetName($"{provider}_{fault}_{existing}");

    [TestCaseSource(nameof(Matrix))]
    public async Task ACreateNeverReturnsWaitsOnOrDeletesAnOlderInstance(string provider, Fault fault, Existing existing)
    {
        var before = await MakeElsewhereAsync(provider, existing);
        using var transport = new Transport();
        using var composed = Clients.Compose(_sandbox, transport, o => o.Resilience.CircuitBreakerMinimumThroughput = 100_000);
        using var caller = new CancellationTokenSource();
        Arm(fault, provider, transport, caller);

        GpuInstance? returned = null;
        Exception? error = null;
        try { returned = await composed.Client.CreateInstanceAsync(Request(provider), caller.Token); }
        catch (Exception ex) { error = ex; }
        _sandbox.Faults.Clear();

        var olderIds = before.Select(i => i.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var made = _sandbox.Inventory.Instances(Sandboxes.ToSandbox(provider)).Where(i => i.Name == Name && !olderIds.Contains(i.Id)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(transport.Count("POST", PostPrefix(provider)), Is.EqualTo(1), "the create was sent once");
            Assert.That(_sandbox.Inventory.CreateRequests(Sandboxes.ToSandbox(provider), Name) - before.Length,
                Is.EqualTo(fault == Fault.ServerErrorBeforeCreate ? 0 : 1), "the provider handled it (except for a fault before it)");
            foreach (var older in before)
            {
                var now = _sandbox.Inventory.Instances().Single(i => i.Id == older.Id);
                Assert.That(now.IsLive, $"the older instance {older.Id} is untouched");
                Assert.That(now.State, Is.EqualTo(older.State), $"the older instance {older.Id} keeps its state");
            }
            if (returned is not null) Assert.That(olderIds, Does.Not.Contain(Sandboxes.RawId(returned.Id)), "an older instance was returned as this call's");

            switch (fault)
            {
                case Fault.ServerErrorBeforeCreate:
                    Assert.That(made, Is.Empty, "nothing was made");
                    Assert.That(error, Is.InstanceOf<GpuCloudException>());
                    Assert.That(((GpuCloudException)error!).Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable), "the transport's code");
                    Assert.That(error.Message, Does.Contain($"'{Name}' may exist on {provider}").And.Contain("nothing was deleted"));
                    break;
                case Fault.CallerCancelsAfterSend:
                    Assert.That(error, Is.InstanceOf<OperationCanceledException>());
                    // (Atlas forgets a deleted instance; Fluence keeps it as ENDED.)
                    Assert.That(made.Where(i => i.IsLive), Is.Empty, "what the cancelled call made was deleted, not leaked");
                    break;
                default:
                    Assert.That(error, Is.Null, "the instance the call made is found");
                    Assert.That(made, Has.Length.EqualTo(1));
                    Assert.That(returned?.Id is { } id ? Sandboxes.RawId(id) : null, Is.EqualTo(made.Single().Id).IgnoreCase, "the one it made");
                    Assert.That(made.Single().IsLive, "and it is kept for the caller");
                    break;
            }
        }
    }

    [Test]
    public async Task CreateCheapestCleanupAfterALostAnswerAndAFailedWaitDeletesOnlyWhatItMade()
    {
        // The walk's own instance fails to provision; an older same-named running instance must outlive the cleanup.
        var before = await MakeElsewhereAsync("fluence", Existing.SameNamedRunning);
        using var client = Clients.Facade(_sandbox);
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.DropConnection, AfterHandler = true, Method = "POST", PathPrefix = "/gpu/instances", Count = 1 });
        _sandbox.Faults.Add(FaultRule.Of(FaultKind.ProvisioningFailure, "/gpu/instances", "POST", count: 1));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateCheapestAsync(
            new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] },
            Clients.FluenceRequest(_fluencePlan, Name) with { Plan = null }, maxAttempts: 1));
        _sandbox.Faults.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Attempts, Has.Count.EqualTo(1));
            Assert.That(_sandbox.Inventory.Instances().Single(i => i.Id == before[0].Id).IsLive, "the older instance is untouched");
            Assert.That(_sandbox.Live(Name).Select(i => i.Id), Is.EqualTo(new[] { before[0].Id }), "only the older instance is live");
        }
    }
}
