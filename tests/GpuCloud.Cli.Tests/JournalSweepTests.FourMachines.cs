using System.Collections.Concurrent;
using System.Diagnostics;
using GpuCloud;
using GpuCloud.Sandbox;
using Npgsql;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// A team on one PostgreSQL journal: four "machines" (processes with their own host names where the test may set them,
/// and their own owners) create 50 instances each at once against the sandbox; three release theirs, one is killed while
/// it waits. A sweep while the killed machine's lease still runs deletes nothing of it; once the lease has ended, two
/// sweeps from two other machines at once delete exactly its 50 instances, each once, and nothing else.
/// </summary>
public sealed partial class JournalSweepTests
{
    private const int PerMachine = 50;

    [Test]
    public async Task FourMachines_FiftyCreatesEach_OneKilled_TwoSweepsFromOtherMachinesDeleteExactlyItsOrphans_EachOnce()
    {
        await using var database = await SharedDatabase.CreateAsync();
        // Fluence instances are active at once, but SSH never answers and Fluidstack's never finish provisioning: the killed
        // machine is certainly still waiting.
        await using var sandbox = await StandaloneSandbox.StartAsync(o =>
        {
            o.SshAnswerDelay = TimeSpan.FromHours(1);
            o.LogRequests = true;
        });
        var environment = sandbox.Environment(staticToken: true);
        environment.Remove("FLUIDSTACK_CLIENT_ID");
        environment["GPUCLOUD_JOURNAL"] = database.Url;
        environment["PGPASSWORD"] = database.Password;

        // Room for every machine's creates on the plan they take (the seeded capacity would run out of stock, and a wait
        // would rightly delete what ran out).
        var fluidstackPlan = await FirstPlanAsync(environment, "fluidstack", WorkloadType.VirtualMachine);
        sandbox.Server.SetFluidstackCapacity(fluidstackPlan.Split('/')[0], fluidstackPlan.Split('/')[1], 4 * PerMachine + 1);

        // Same names as the killed machine's first two, made elsewhere before: never any machine's.
        var foreign = new[]
        {
            await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
            {
                Provider = "fluence", PlanId = await FirstPlanAsync(environment, "fluence", WorkloadType.Container), Name = "a-00",
                SshPublicKeys = [Cli.Ed25519], Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
            }),
            await MadeElsewhereAsync(sandbox, new CreateInstanceRequest
            {
                Provider = "fluidstack", PlanId = fluidstackPlan, Name = "a-01",
                SshPublicKeys = [Cli.Ed25519],
            }),
        };
        sandbox.Server.ClearRequests();

        var machines = new[] { "a", "b", "c", "d" }.Select(m => Machine.Start(m, environment, m == "a" ? "wait" : "release")).ToArray();
        try
        {
            await Task.WhenAll(machines.Skip(1).Select(m => m.ExitAsync()));
            await machines[0].UntilAsync("waiting");
            Machine.Kill(machines[0]);
            foreach (var m in machines.Skip(1)) Assert.That(m.ExitCode, Is.Zero, m.Output);

            var created = machines.SelectMany(m => m.Created).ToArray();
            var orphans = machines[0].Created.ToHashSet();
            var creates = sandbox.Server.Requests.Count(r => r.StartsWith("POST ", StringComparison.Ordinal) && r.EndsWith("/instances/", StringComparison.Ordinal)
                                                           || r.StartsWith("POST ", StringComparison.Ordinal) && r.EndsWith("/instances", StringComparison.Ordinal));
            var recorded = await database.ScalarsAsync("SELECT count(*), count(DISTINCT instance_id), count(gone_at) FROM gpucloud.creates WHERE outcome = 'Created'");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(created, Has.Length.EqualTo(4 * PerMachine).And.Unique, "every create answered, each a different instance");
                Assert.That(creates, Is.EqualTo(4 * PerMachine), "0 duplicate creates: one request each");
                Assert.That(recorded, Is.EqualTo(new long[] { 4 * PerMachine, 4 * PerMachine, 3 * PerMachine }), "0 lost entries; the released ones recorded gone");
                Assert.That(Live(sandbox), Is.EquivalentTo(foreign.Concat(orphans.Select(Sandboxes.Raw))),
                    "the killed machine's instances are all there");
            }

            // One list for the whole team: whose each instance is, from any machine; and machine a's own view with --mine.
            var listed = await Sweep.JsonAsync("c", environment, "instances", "list", "-o", "json");
            var owners = System.Text.Json.JsonDocument.Parse(listed).RootElement.EnumerateArray()
                .ToDictionary(i => i.GetProperty("id").GetString()!, i => i.TryGetProperty("createdBy", out var by) ? by.GetString() : null);
            var mine = await Sweep.JsonAsync("c", new Dictionary<string, string>(environment) { ["GPUCLOUD_OWNER"] = "a@machine-a" }, "instances", "list", "--mine", "-o", "json");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(orphans.Select(id => owners.GetValueOrDefault(id)), Is.All.EqualTo("a@machine-a"));
                Assert.That(foreign.Select(id => owners.Single(o => Sandboxes.Raw(o.Key) == id).Value), Is.EquivalentTo(new[] { null, "someone-else@another-host" }),
                    "made elsewhere: unknown on Fluence (no marks), its own mark on Fluidstack");
                Assert.That(System.Text.Json.JsonDocument.Parse(mine).RootElement.EnumerateArray().Select(i => i.GetProperty("id").GetString()),
                    Is.EquivalentTo(orphans));
            }

            // Machine a was killed a moment ago: its lease still runs, so no machine may take its instances for orphans.
            var early = await Sweep.RunAsync("b", environment);
            Assert.That(early.ExitCode, Is.Zero, early.Output);
            Assert.That(early.Output, Does.Contain("Nothing to sweep"), "a creator whose lease runs is alive, wherever it runs");
            Assert.That(Deletes(sandbox, orphans), Is.All.Zero);

            // Two minutes later (the lease's length, CreatorLease.Duration) it has ended: the lease is set to have ended.
            await database.ExecuteAsync("UPDATE gpucloud.leases SET lease_until = now() - interval '1 second' WHERE owner = 'a@machine-a'");
            var sweeps = await Task.WhenAll(Sweep.RunAsync("b", environment), Sweep.RunAsync("c", environment));

            var deletedBy = sweeps.Select(s => s.Lines("deleted: ").ToHashSet()).ToArray();
            using (Assert.EnterMultipleScope())
            {
                foreach (var s in sweeps) Assert.That(s.ExitCode, Is.Zero, s.Output);
                Assert.That(deletedBy[0].Union(deletedBy[1]), Is.EquivalentTo(orphans), "every orphan of machine a deleted, from another machine");
                Assert.That(deletedBy[0].Intersect(deletedBy[1]), Is.Empty, "no instance reported deleted by both sweeps");
                Assert.That(Deletes(sandbox, orphans), Is.All.EqualTo(1), "0 double deletes: one DELETE per orphan");
                Assert.That(Live(sandbox), Is.EquivalentTo(foreign), "nothing else touched");
            }
        }
        finally
        {
            foreach (var m in machines) m.Dispose();
        }
    }

    private static string[] Live(StandaloneSandbox sandbox) => sandbox.Server.Inventory.LiveInstances().Select(i => i.Id).ToArray();

    private static int[] Deletes(StandaloneSandbox sandbox, IEnumerable<string> ids) => ids
        .Select(id => sandbox.Server.Requests.Count(r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.EndsWith("/" + Sandboxes.Raw(id), StringComparison.Ordinal)))
        .ToArray();

    private static async Task<string> FirstPlanAsync(Dictionary<string, string> environment, string provider, WorkloadType workload)
    {
        using var lister = new GpuCloudClient(GpuCloudOptions.FromEnvironment(n => environment.GetValueOrDefault(n)));
        return (await lister.ListPlansAsync(new PlanQuery { Providers = [provider], Workload = workload })).Plans.First(p => p.Availability != PlanAvailability.Unavailable).Id;
    }

    /// <summary>
    /// A process on its own "machine": with its own host name (a UTS namespace, where the test runs as root and
    /// <c>unshare</c> exists, as on CI), else on this host; either way its own process and owner, <c>name@machine-name</c>.
    /// </summary>
    private static ProcessStartInfo OnMachine(string machine, IReadOnlyDictionary<string, string> environment, string program, params string[] args)
    {
        var start = OwnHostNames.Value
            ? new ProcessStartInfo("unshare") { ArgumentList = { "-u", "sh", "-c", $"hostname machine-{machine} && exec \"$0\" \"$@\"", "dotnet", program } }
            : new ProcessStartInfo("dotnet") { ArgumentList = { program } };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    private static readonly Lazy<bool> OwnHostNames = new(() =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", "-u true") { RedirectStandardError = true })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>One machine's program (tests/GpuCloud.TeamMachine), its output collected line by line.</summary>
    private sealed class Machine : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errors = new();

        private Machine(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) _lines.Enqueue(line); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _errors.Enqueue(line); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Machine Start(string name, IReadOnlyDictionary<string, string> environment, string then) =>
            new(Process.Start(OnMachine(name, environment, Program, $"{name}@machine-{name}", PerMachine.ToString(System.Globalization.CultureInfo.InvariantCulture), then))!);

        private static string Program => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "GpuCloud.TeamMachine", "bin",
            new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "GpuCloud.TeamMachine.dll");

        public IEnumerable<string> Created => _lines.Where(l => l.StartsWith("created ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]);

        public int ExitCode => _process.ExitCode;

        public string Output => string.Join('\n', _lines.Concat(_errors));

        public Task ExitAsync() => HangGuard.WithinAsync(_process.WaitForExitAsync(), "a machine's exit");

        public async Task UntilAsync(string line)
        {
            var deadline = DateTime.UtcNow + HangGuard.Limit;
            while (!_lines.Contains(line))
            {
                if (_process.HasExited) Assert.Fail($"the machine exited ({_process.ExitCode}) before '{line}': {Output}");
                if (DateTime.UtcNow > deadline) Assert.Fail($"Hang: waited {HangGuard.Limit.TotalMinutes:0} minutes for '{line}'");
                await Task.Delay(50);
            }
        }

        public static void Kill(Machine machine)
        {
            machine._process.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no more lease renewals
            machine._process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    /// <summary><c>gpucloud instances sweep --yes</c> run on a machine.</summary>
    private sealed record Sweep(int ExitCode, string Output)
    {
        public static Task<Sweep> RunAsync(string machine, IReadOnlyDictionary<string, string> environment) =>
            RunAsync(machine, environment, "instances", "sweep", "--yes");

        public static async Task<Sweep> RunAsync(string machine, IReadOnlyDictionary<string, string> environment, params string[] args)
        {
            using var process = Process.Start(OnMachine(machine, environment, typeof(CliApp).Assembly.Location, args))!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await HangGuard.WithinAsync(process.WaitForExitAsync(), "a sweep's exit");
            return new Sweep(process.ExitCode, await output + await errors);
        }

        /// <summary>Only what the command printed on stdout (for <c>-o json</c>).</summary>
        public static async Task<string> JsonAsync(string machine, IReadOnlyDictionary<string, string> environment, params string[] args)
        {
            using var process = Process.Start(OnMachine(machine, environment, typeof(CliApp).Assembly.Location, args))!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await HangGuard.WithinAsync(process.WaitForExitAsync(), "a command's exit");
            Assert.That(process.ExitCode, Is.Zero, await errors);
            return await output;
        }

        /// <summary>The ids on lines like <c>deleted: fluence container:abc (CreatorGone) is gone.</c>.</summary>
        public IEnumerable<string> Lines(string prefix) => Output.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Split(' ')[1]);
    }

    /// <summary>A database of its own on the test's PostgreSQL server, dropped afterwards.</summary>
    private sealed class SharedDatabase : IAsyncDisposable
    {
        private readonly string _server;
        private readonly string _name;

        private SharedDatabase(string server, string name)
        {
            _server = server;
            _name = name;
        }

        public static async Task<SharedDatabase> CreateAsync()
        {
            var server = Environment.GetEnvironmentVariable("GPUCLOUD_TEST_POSTGRES") is { Length: > 0 } set
                ? set
                : throw new IgnoreException("No PostgreSQL server: run `eval \"$(.ci/postgres start)\"` (or .ci/run), which sets GPUCLOUD_TEST_POSTGRES.");
            var name = "cli_" + Guid.NewGuid().ToString("N")[..16];
            await using var admin = NpgsqlDataSource.Create(server);
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
            return new SharedDatabase(server, name);
        }

        private NpgsqlConnectionStringBuilder Given => new(_server);

        /// <summary>The journal's URL, without the password (that comes from <c>PGPASSWORD</c>, as psql takes it).</summary>
        public string Url => $"postgres://{Given.Username}@{Given.Host}:{Given.Port}/{_name}";

        public string Password => Given.Password!;

        public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;

        public async Task ExecuteAsync(string sql)
        {
            await using var data = NpgsqlDataSource.Create(ConnectionString);
            await using var command = data.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        public async Task<long[]> ScalarsAsync(string sql)
        {
            await using var data = NpgsqlDataSource.Create(ConnectionString);
            await using var command = data.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64).ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(_server);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
