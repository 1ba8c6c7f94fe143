using System.Diagnostics;
using GpuCloud;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// A maximum duration without a person: <c>gpucloud instances sweep --expired --yes</c> run the way a systemd timer or a
/// cron line runs it (no terminal, a bare environment, no one to answer) deletes what has outlived its
/// <c>--max-duration</c>, kept or not, and nothing else; run again, it finds nothing and still exits 0.
/// </summary>
[NonParallelizable]
public sealed class ScheduledSweepTests
{
    [Test]
    public async Task ASweepRunFromCron_DeletesWhatExpired_LeavesTheRest_AndIsQuietTheNextTime()
    {
        await using var sandbox = await StandaloneSandbox.StartAsync();
        var journalPath = Path.Combine(Directory.CreateTempSubdirectory("gpucloud-cron").FullName, "journal.db");
        var variables = sandbox.Environment(staticToken: true);
        variables.Remove("FLUIDSTACK_CLIENT_ID");

        // Two instances handed to their users: one asked for an hour three hours ago, the other for ten hours.
        var expired = await KeptAsync(variables, journalPath, "nightly-a", TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-3));
        var running = await KeptAsync(variables, journalPath, "nightly-b", TimeSpan.FromHours(10), DateTimeOffset.UtcNow.AddHours(-3));

        var first = await CronAsync(variables, journalPath);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.ExitCode, Is.Zero, first.Output);
            Assert.That(first.Output, Does.Contain($"deleted: fluence {expired} (Expired) is gone."));
            Assert.That(Live(sandbox), Is.EqualTo(new[] { Sandboxes.Raw(running) }), "the one still within its ten hours stays");
        }

        var second = await CronAsync(variables, journalPath);
        Assert.That((second.ExitCode, second.Output), Is.EqualTo((0, second.Output)));
        Assert.That(second.Output, Does.Contain("Nothing to sweep"));
    }

    /// <summary>An instance created and kept (as <c>instances create</c> does) by a client whose clock reads <paramref name="at"/>.</summary>
    private static async Task<string> KeptAsync(Dictionary<string, string> variables, string journalPath, string name, TimeSpan maxDuration, DateTimeOffset at)
    {
        var options = GpuCloudOptions.FromEnvironment(n => variables.GetValueOrDefault(n));
        options.Journal = new SqliteInstanceJournal(journalPath);
        using var client = new GpuCloudClient(options, null, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(at));
        var plan = (await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0];
        var instance = await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = name, SshPublicKeys = [Cli.Ed25519], MaxDuration = maxDuration,
            Container = new ContainerSettings { Image = CliDefaults.ContainerImage },
        });
        await client.KeepInstanceAsync(instance.Provider, instance.Id);
        return instance.Id;
    }

    /// <summary>
    /// Runs the sweep as cron does: only HOME, PATH, SHELL and LOGNAME (plus what the job's line sets: the credentials and
    /// the journal), no TERM, stdin not a terminal.
    /// </summary>
    private static async Task<(int ExitCode, string Output)> CronAsync(Dictionary<string, string> variables, string journalPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            ArgumentList = { typeof(CliApp).Assembly.Location, "instances", "sweep", "--expired", "--yes" },
        };
        start.Environment.Clear();
        start.Environment["HOME"] = Cli.EmptyHome;
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        start.Environment["SHELL"] = "/bin/sh";
        start.Environment["LOGNAME"] = "ci";
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root) start.Environment["DOTNET_ROOT"] = root;
        foreach (var (name, value) in variables) start.Environment[name] = value;
        start.Environment["GPUCLOUD_JOURNAL"] = journalPath;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await HangGuard.WithinAsync(process.WaitForExitAsync(), "the scheduled sweep's exit");
        return (process.ExitCode, await output + await errors);
    }

    private static string[] Live(StandaloneSandbox sandbox) => sandbox.Server.Inventory.LiveInstances().Select(i => i.Id).ToArray();
}
