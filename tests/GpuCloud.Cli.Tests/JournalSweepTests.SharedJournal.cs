using GpuCloud;
using Npgsql;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// One journal on PostgreSQL for two users (two homes, so two default journals they do not use): a CLI killed while it
/// waits leaves an orphan on Fluence, the provider that keeps no marks, so without the shared journal no other user could
/// ever prove it theirs; the other user's sweep finds it through <c>GPUCLOUD_JOURNAL</c> and deletes exactly it.
/// </summary>
public sealed partial class JournalSweepTests
{
    [Test]
    public async Task TwoUsers_SharingAPostgresJournal_OneSweepsTheOrphanTheOtherLeft_AndNothingElse()
    {
        await using var database = await SharedDatabase.CreateAsync();
        // Active at once (Fluence deletes only active instances) but SSH never answers: the CLI is certainly still waiting when killed.
        await using var sandbox = await StandaloneSandbox.StartAsync(o => o.SshAnswerDelay = TimeSpan.FromHours(1));
        Dictionary<string, string> User(string name)
        {
            var env = sandbox.Environment(staticToken: true);
            env.Remove("FLUIDSTACK_TOKEN");
            env["HOME"] = Directory.CreateTempSubdirectory("gpucloud-home-" + name).FullName;
            env["GPUCLOUD_JOURNAL"] = database.Url;
            env["PGPASSWORD"] = database.Password; // from the environment, as psql takes it: never on the command line
            return env;
        }
        var (alice, bob) = (User("alice"), User("bob"));
        GpuPlan plan;
        using (var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => alice.GetValueOrDefault(n))))
            plan = (await lister.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] })).Plans[0];
        var foreign = await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
        {
            Plan = plan, Name = "shared-a", SshPublicKeys = [Cli.Ed25519], Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
        });

        using var child = StartCli(alice, "run", "--provider", "fluence", "--workload", "Container", "--gpu", "H100", "--name", "shared-a",
            "--ssh-key", _keyFile, "--release", "yes");
        await using var journal = new PostgresInstanceJournal(database.ConnectionString);
        await UntilAsync(async () => (await journal.ListOpenAsync()).Any(e => e.Outcome?.Kind == JournalOutcomeKind.Created)
            && sandbox.Server.Inventory.LiveInstances().Any(i => i.Name == "shared-a" && i.Id != foreign && i.State == "ACTIVE"), child, "the instance was made and active");
        await KillAsync(child);
        var made = sandbox.Server.Inventory.LiveInstances().Single(i => i.Name == "shared-a" && i.Id != foreign);
        // Alice's lease ends two minutes after her last renewal (CreatorLease.Duration); the test does not wait them out.
        await database.ExecuteAsync("UPDATE gpucloud.leases SET lease_until = now() - interval '1 second'");

        // A real process: the password reaches PostgreSQL the way psql's does, from the environment.
        using var sweep = StartCli(bob, "instances", "sweep", "--yes");
        var output = sweep.StandardOutput.ReadToEndAsync();
        var errors = sweep.StandardError.ReadToEndAsync();
        await HangGuard.WithinAsync(sweep.WaitForExitAsync(), "the sweep's exit");
        var swept = (ExitCode: sweep.ExitCode, Out: await output, Error: await errors);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swept.ExitCode, Is.Zero, swept.Out + swept.Error);
            Assert.That(swept.Out, Does.Contain("deleted").And.Contain(made.Id[..8]));
            Assert.That(swept.Out + swept.Error, Does.Not.Contain(database.Password), "the password is never printed");
            Assert.That(sandbox.Server.Inventory.LiveInstances().Select(i => i.Id), Is.EqualTo(new[] { foreign }), "alice's orphan gone; the one made elsewhere untouched");
            Assert.That(File.Exists(Path.Combine(bob["HOME"], ".local", "state", "gpucloud", "journal.db")), Is.False, "the shared journal, not a local file");
        }
    }
}
