using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// The seeded kill-at-any-point test: CLI commands (<c>run</c> with and without release, <c>instances create --wait</c>) on
/// both providers, under random create and get faults, each SIGKILLed after a random delay, with instances of another
/// owner planted under the same names before and after the kills; then one <c>sweep --yes</c>. Its verdict depends on
/// outcomes only, not on how fast the machine is: where each kill lands varies, the three promises must hold wherever it
/// lands. Replay a failing run with <c>GPUCLOUD_KILL_SEED=&lt;seed&gt;</c>.
/// </summary>
public sealed partial class JournalSweepTests
{
    private const int KillCommands = 30;

    [Test]
    public async Task KilledAtAnyPoint_OneSweepLeaksNothing_TouchesNoForeignInstance_AndDeletesNothingKept()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GPUCLOUD_KILL_SEED"), out var given) ? given : Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed} (replay: GPUCLOUD_KILL_SEED={seed})");
        var random = new Random(seed);
        await using var sandbox = await StandaloneSandbox.StartAsync(o =>
        {
            o.Seed = seed;
            o.ProvisioningDelay = TimeSpan.FromSeconds(1);
        });
        var env = sandbox.Environment(staticToken: true);
        GpuPlan fluencePlan;
        using (var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => env.GetValueOrDefault(n))))
            fluencePlan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] })).Plans[0];
        string[] names = ["k0", "k1", "k2"];
        var foreign = new HashSet<string>();

        async Task PlantAsync()
        {
            foreach (var name in names)
            {
                foreign.Add(await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
                {
                    Plan = fluencePlan, Name = name, SshPublicKeys = [Cli.Ed25519], Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
                }));
                foreign.Add(await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
                {
                    Provider = "fluidstack", PlanId = "eu-north-1/cpu.2x", Name = name, SshPublicKeys = [Cli.Ed25519],
                }));
            }
        }

        await PlantAsync();
        foreach (var (prefix, method) in new[] { ("/gpu/instances", "POST"), ("/fluidstack/regions/", "POST") })
        {
            sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = method, PathPrefix = prefix, Probability = 0.15 });
            sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = method, PathPrefix = prefix, Probability = 0.15, AfterHandler = true });
        }
        sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = "GET", PathPrefix = "/gpu/instances", Probability = 0.1 });
        sandbox.Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Method = "GET", PathPrefix = "/fluidstack/regions/", Probability = 0.1 });

        var (killed, finished) = (0, 0);
        for (var i = 0; i < KillCommands; i++)
        {
            var name = names[random.Next(names.Length)];
            var fluence = random.Next(2) == 0;
            string[] args = random.Next(3) switch
            {
                0 => [.. CreateArgs(fluence ? "fluence" : "fluidstack", fluence ? fluencePlan.Id : "eu-north-1/cpu.2x", name, _keyFile, _journal), "--wait"],
                var kind => fluence
                    ? ["run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100", "--name", name, "--ssh-key", _keyFile, "--journal", _journal, "--release", kind == 1 ? "true" : "false"]
                    : ["run", "--provider", "fluidstack", "--name", name, "--ssh-key", _keyFile, "--journal", _journal, "--release", kind == 1 ? "true" : "false"],
            };
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 6000));
            using var child = StartCli(env, args);
            _ = child.StandardOutput.ReadToEndAsync();
            _ = child.StandardError.ReadToEndAsync();
            try
            {
                await child.WaitForExitAsync().WaitAsync(delay);
                finished++;
            }
            catch (TimeoutException)
            {
                await KillAsync(child);
                killed++;
            }
        }
        sandbox.Server.Faults.Clear();
        await PlantAsync();

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var kept = (await new SqliteInstanceJournal(_journal).ListOpenAsync())
            .Where(e => e.Outcome?.Kind == JournalOutcomeKind.Kept).Select(e => Sandboxes.Raw(e.Outcome!.InstanceId!)).ToHashSet();
        var oursBefore = sandbox.Server.Inventory.LiveInstances().Select(i => i.Id).Where(id => !foreign.Contains(id)).ToArray();

        var swept = await ChildAsync(env, "instances", "sweep", "--yes", "--journal", _journal, "-o", "json");

        var rows = JsonDocument.Parse(swept.Out).RootElement.GetProperty("instances").EnumerateArray()
            .Select(r => (Id: Sandboxes.Raw(r.GetProperty("id").GetString()!), Reason: r.GetProperty("reason").GetString()!, Deleted: r.GetProperty("deleted").GetBoolean()))
            .ToArray();
        var live = sandbox.Server.Inventory.LiveInstances().Select(i => i.Id).ToHashSet();
        var shown = rows.Select(r => r.Id).ToHashSet();
        var leaked = live.Where(id => !foreign.Contains(id) && !kept.Contains(id) && !shown.Contains(id)).ToArray();
        var foreignTouched = foreign.Where(id => !live.Contains(id)).ToArray();
        var keptDeleted = kept.Where(id => !live.Contains(id)).ToArray();
        TestContext.Out.WriteLine($"seed {seed}: {KillCommands} commands, {killed} killed, {finished} finished; {foreign.Count} foreign planted; "
                                  + $"{oursBefore.Length} of ours live before the sweep, {kept.Count} kept; sweep exit {swept.ExitCode}: "
                                  + $"{rows.Count(r => r.Deleted)} deleted, {rows.Count(r => r.Reason == "maybeyours")} shown as may be yours (left to the user); "
                                  + $"{leaked.Length} leaked, {foreignTouched.Length} foreign touched, {keptDeleted.Length} kept deleted");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero.Or.EqualTo(SweepCommand.StillProvisioning), $"seed {seed}: {swept.Error}");
            Assert.That(leaked, Is.Empty, $"seed {seed}: instances of ours neither kept, deleted nor shown by the sweep");
            Assert.That(foreignTouched, Is.Empty, $"seed {seed}: another owner's instances deleted");
            Assert.That(keptDeleted, Is.Empty, $"seed {seed}: instances handed over on purpose were deleted");
            Assert.That(killed, Is.Positive, $"seed {seed}: no command was killed; the test proved nothing");
        }
    }
}
