using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// The never-adopt rule as a user meets it: a standalone sandbox on loopback, the CLI pointed at it through the
/// environment, an account that already runs an instance named <c>worker</c>, and a create whose answer fails.
/// </summary>
[NonParallelizable]
public sealed class NeverAdoptCliTests
{
    private const string Image = "docker.io/fluencelabs/debian-ssh-root:11";

    private SandboxServer _sandbox = null!;
    private Dictionary<string, string> _environment = null!;
    private string _keyFile = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = TimeSpan.Zero, DeletionDelay = TimeSpan.Zero });
        _environment = new Dictionary<string, string>
        {
            ["FLUENCE_API_KEY"] = _sandbox.FluenceApiKey,
            ["FLUENCE_BASE_URL"] = _sandbox.FluenceBaseUrl.ToString(),
        };
        _keyFile = Cli.KeyFile(Cli.Ed25519);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    [SetUp]
    public void Reset() => _sandbox.Reset();

    private Task<Cli.Result> RunAsync(params string[] args) => Cli.RunAsync(args, environment: _environment);

    private async Task<string[]> ContainerPlanIdsAsync()
    {
        using var client = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => _environment.GetValueOrDefault(n)));
        var plans = await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container });
        return plans.Plans.Select(p => p.Id).Take(2).ToArray();
    }

    /// <summary>Step 1 of the report: a running instance named worker, made by an earlier command.</summary>
    private async Task<SandboxInstance> ExistingWorkerAsync(string planId)
    {
        var made = await RunAsync("instances", "create", "--provider", "fluence", "--plan", planId, "--name", "worker",
            "--image", Image, "--ssh-key", _keyFile, "--wait");
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        var worker = _sandbox.Inventory.LiveInstances().Single(i => i.Name == "worker");
        Assert.That(worker.State, Is.EqualTo("ACTIVE"));
        return worker;
    }

    [Test]
    public async Task InstancesCreateWhoseDeployFailsExits1AndNeverPrintsTheOlderWorkerAsNew()
    {
        var plans = await ContainerPlanIdsAsync();
        var older = await ExistingWorkerAsync(plans[0]);
        _sandbox.Faults.Add(FaultRule.Status(502, "/gpu/instances", "POST", count: 1));

        var result = await RunAsync("instances", "create", "--provider", "fluence", "--plan", plans[1], "--name", "worker",
            "--image", Image, "--ssh-key", _keyFile, "-o", "json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Out);
            Assert.That(result.Out, Does.Not.Contain(older.Id), "the older worker is not printed as the new instance");
            var error = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
            Assert.That(error, Has.Length.EqualTo(1), result.Error);
            Assert.That(error.Single(), Does.StartWith("error: fluence: ProviderUnavailable").And.Contain("'worker' may exist on fluence").And.Contain("nothing was deleted"));
            Assert.That(_sandbox.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { older.Id }), "the older worker runs on, and nothing else");
        }
    }

    [Test]
    public async Task RunReleaseWhoseDeployFailsExits1AndLeavesTheOlderWorkerRunning()
    {
        var plans = await ContainerPlanIdsAsync();
        var older = await ExistingWorkerAsync(plans[0]);
        _sandbox.Faults.Add(FaultRule.Status(502, "/gpu/instances", "POST", count: 1));

        var result = await RunAsync("run", "--provider", "fluence", "--gpu", "RTX 4090", "--name", "worker", "--ssh-key", _keyFile, "--release");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.Out + result.Error);
            Assert.That(result.Out + result.Error, Does.Not.Contain(older.Id), "the older worker is never shown as deployed");
            Assert.That(result.Error, Does.Not.Contain("released"));
            var now = _sandbox.Inventory.Instances().Single(i => i.Id == older.Id);
            Assert.That(now.IsLive && now.State == "ACTIVE", "the older worker is still running");
            Assert.That(_sandbox.Inventory.LiveInstances(), Has.Count.EqualTo(1), "and nothing else was left running");
        }
    }

    [Test]
    public async Task RunReleaseBesideAnOlderWorkerReleasesOnlyItsOwn()
    {
        var plans = await ContainerPlanIdsAsync();
        var older = await ExistingWorkerAsync(plans[0]);
        // The deploy happens but its answer is lost: the run must find its own instance, not the older worker.
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.DropConnection, AfterHandler = true, Method = "POST", PathPrefix = "/gpu/instances", Count = 1 });

        var result = await RunAsync("run", "--provider", "fluence", "--gpu", "RTX 4090", "--name", "worker", "--ssh-key", _keyFile, "--release", "-o", "json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            var ran = _sandbox.Inventory.Instances().Where(i => i.Name == "worker" && i.Id != older.Id).ToArray();
            Assert.That(ran, Has.Length.EqualTo(1), "one new worker was deployed");
            Assert.That(result.Out, Does.Contain(ran.Single().Id).And.Not.Contain(older.Id), "the run reports its own instance");
            Assert.That(ran.Single().IsLive, Is.False, "and released it");
            Assert.That(_sandbox.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { older.Id }), "the older worker runs on");
        }
    }
}
