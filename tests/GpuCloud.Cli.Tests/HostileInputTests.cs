using System.Diagnostics;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Hostile input over every command: each ends with exit 2 (usage) or 1, one <c>error:</c> line, no .NET exception text or
/// stack trace, and, counted by the sandbox itself (<see cref="GpuCloud.Sandbox.SandboxServer.Requests"/>), no request at all
/// for a usage error: nothing is sent before every option has been checked.
/// </summary>
[NonParallelizable]
public sealed class HostileInputTests
{
    private static StandaloneSandbox _sandbox = null!;
    private static readonly string Files = Directory.CreateTempSubdirectory("gpucloud-hostile").FullName;
    private static readonly string Key = Cli.KeyFile(Cli.Ed25519);
    private static readonly string NotAKey = Write("not-a-key.pub", "hello, I am not a key\n");
    private static readonly string Huge = Write("huge.pub", "ssh-ed25519 " + new string('A', 1 << 20) + "\n");
    private static readonly string Fifo = MakeFifo();
    private static readonly string PrivateKey = MakePrivateKeyPair();

    private static string Write(string name, string content)
    {
        var path = Path.Combine(Files, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string MakeFifo()
    {
        var path = Path.Combine(Files, "key.fifo");
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        return path;
    }

    private static string MakePrivateKeyPair()
    {
        var path = Path.Combine(Files, "id_test");
        File.WriteAllText(path, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        File.WriteAllText(path + ".pub", Cli.Ed25519 + "\n");
        return path;
    }

    [OneTimeSetUp]
    public async Task StartSandbox() => _sandbox = await StandaloneSandbox.StartAsync();

    [OneTimeTearDown]
    public async Task StopSandbox() => await _sandbox.DisposeAsync();

    private const string Plan = "--plan";

    /// <summary>
    /// (arguments, exit code, whether the command may send requests before failing: only to look an id up, what the error line
    /// names: by default the last option given).
    /// </summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        static string Name(string[] args) => string.Join(' ', args).Replace(Files, "…", StringComparison.Ordinal);
        TestCaseData Usage(params string[] args) =>
            new TestCaseData(args, 2, false, args.LastOrDefault(a => a.StartsWith("--", StringComparison.Ordinal))).SetName("usage: " + Name(args));
        TestCaseData UsageNaming(string names, params string[] args) => new TestCaseData(args, 2, false, names).SetName("usage: " + Name(args));
        TestCaseData Fails(bool sends, params string[] args) => new TestCaseData(args, 1, sends, null).SetName("error: " + Name(args));

        // run: names, durations, numbers, booleans, files, filters, typos
        string[] run = ["run", "--ssh-key", Key];
        yield return Usage([.. run, "--name", "Bad_Name"]);
        yield return Usage([.. run, "--name", ""]);
        yield return Usage([.. run, "--name", "-lead"]);
        yield return Usage([.. run, "--name", "trailing-"]);
        yield return Usage([.. run, "--name", "a-name-that-is-far-too-long-for-any-provider"]);
        yield return Usage([.. run, "--name", "naïve"]);
        yield return Usage([.. run, "--name", "two words"]);
        yield return Usage([.. run, "--max-duration", "999999d"]);
        yield return Usage([.. run, "--max-duration", "367d"]);
        yield return Usage([.. run, "--max-duration", "0s"]);
        yield return Usage([.. run, "--max-duration", "-1h"]);
        yield return Usage([.. run, "--max-duration", "soon"]);
        yield return Usage([.. run, "--max-duration", "1e9s"]);
        yield return Usage([.. run, "--max-attempts", "0"]);
        yield return Usage([.. run, "--max-attempts", "many"]);
        yield return Usage([.. run, "--max-attempts", "99999999999"]);
        yield return Usage([.. run, "--max-attempts", "1000"]);
        yield return Usage([.. run, "--release", "maybe"]);
        yield return Usage([.. run, "--release", "2"]);
        yield return Usage([.. run, "--gpus", "H100"]);
        yield return Usage([.. run, "--relase"]);
        yield return Usage(["run", "--ssh-key", "/dev/zero"]);
        yield return Usage(["run", "--ssh-key", Fifo]);
        yield return Usage(["run", "--ssh-key", Files]);
        yield return Usage(["run", "--ssh-key", Path.Combine(Files, "missing.pub")]);
        yield return Usage(["run", "--ssh-key", NotAKey]);
        yield return Usage(["run", "--ssh-key", Huge]);
        yield return Usage(["run", "--ssh-key", PrivateKey]);
        yield return Usage([.. run, "--image", "Upper/Case:1"]);
        yield return Usage([.. run, "--image", "has space"]);
        yield return Usage([.. run, "--image", ""]);
        yield return Usage([.. run, "--os-image", "a b"]);
        yield return Usage([.. run, "--min-gpus", "-1"]);
        yield return Usage([.. run, "--max-price", "-5"]);
        yield return Usage([.. run, "--max-price", "abc"]);
        yield return Usage([.. run, "--min-gpu-memory", "NaN"]);
        yield return Usage([.. run, "--min-memory", "Infinity"]);
        yield return Usage([.. run, "--workload", "GPU"]);
        yield return Usage([.. run, "--interconnect", "Unknown"]);
        yield return Usage([.. run, "--interconnect", "7"]);
        yield return Usage([.. run, "--provider", "nosuch"]);

        // instances create: everything checked before the plans are listed
        string[] create = ["instances", "create", "--provider", "fluence", Plan, "abc", "--ssh-key", Key];
        yield return Usage([.. create, "--name", "Bad_Name"]);
        yield return Usage([.. create, "--name", ""]);
        yield return Usage([.. create, "--port", "0"]);
        yield return Usage([.. create, "--port", "70000"]);
        yield return Usage([.. create, "--port", "abc"]);
        yield return Usage([.. create, "--env", "NOEQUALS"]);
        yield return Usage([.. create, "--env", "=value"]);
        yield return Usage([.. create, "--env", "1BAD=x"]);
        yield return Usage([.. create, "--env", "A B=x"]);
        yield return Usage([.. create, "--tag", "novalue"]);
        yield return Usage([.. create, "--image", "Bad Image"]);
        yield return Usage([.. create, "--max-duration", "999999d"]);
        yield return Usage([.. create, "--max-duration", "0"]);
        yield return Usage([.. create, "--wait", "maybe"]);
        yield return Usage([.. create, "--location", "../x"]);
        yield return Usage(["instances", "create", "--provider", "fluence", Plan, "abc", "--ssh-key", "/dev/zero"]);
        yield return Usage(["instances", "create", "--provider", "fluence", Plan, "abc", "--ssh-key", Fifo]);
        yield return Usage(["instances", "create", "--provider", "fluence", Plan, "abc", "--ssh-key", NotAKey]);
        yield return UsageNaming("--provider", ["instances", "create", "--provider", "nosuch", Plan, "abc"]);
        yield return Usage(["instances", "create", "--provider", "fluence", Plan, "../etc"]);
        yield return Usage(["instances", "create", "--provider", "fluence", Plan, ""]);
        yield return UsageNaming("--plan", ["instances", "create", "--provider", "fluence"]);

        // instances get|delete|start|stop|wait|list
        yield return Usage(["instances", "get", "nosuch", "abc"]);
        yield return Usage(["instances", "get", "fluence", "../x"]);
        yield return Usage(["instances", "get", "fluence", ""]);
        yield return Usage(["instances", "delete", "fluence", "a b"]);
        yield return Usage(["instances", "delete"]);
        yield return Usage(["instances", "delete", "nosuch", "abc"]);
        yield return Usage(["instances", "start", "fluence", "x;y"]);
        yield return Usage(["instances", "stop", "fluidstack", "$(id)"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--timeout", "-00:01:00"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--timeout", "0s"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--timeout", "forever"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--timeout", "999d"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--state", "Exploded"]);
        yield return Usage(["instances", "wait", "fluence", "abc", "--state", "3"]);
        yield return Usage(["instances", "wait", "nosuch", "abc"]);
        yield return Usage(["instances", "list", "--provider", "nosuch"]);
        yield return Usage(["instances", "lsit"]);
        yield return Fails(true, "instances", "delete", "fluence", "abcd", "--yes");
        yield return UsageNaming("--yes", ["instances", "delete", "fluence", "abcd"]);

        // keys
        yield return UsageNaming("name", ["keys", "add", "Bad_Name", "--ssh-key", Key]);
        yield return UsageNaming("name", ["keys", "add", "", "--ssh-key", Key]);
        yield return Usage(["keys", "add", "name", "--ssh-key", "/dev/zero"]);
        yield return Usage(["keys", "add", "name", "--ssh-key", Fifo]);
        yield return Usage(["keys", "add", "name", "--ssh-key", Path.Combine(Files, "missing.pub")]);
        yield return Usage(["keys", "add", "name", "--ssh-key", Key, "--provider", "nosuch"]);
        yield return Usage(["keys", "remove", "nosuch", "id"]);
        yield return Usage(["keys", "remove", "fluence", "../../x"]);
        yield return Usage(["keys", "list", "--provider", "nosuch"]);
        yield return Fails(true, "keys", "remove", "fluidstack", "typo-name", "--yes");
        yield return UsageNaming("--yes", ["keys", "remove", "fluidstack", "typo-name"]);

        // the rest of the tree: plans, completion, ssh, sweep, the root
        yield return Usage(["plans", "--limit", "-5"]);
        yield return Usage(["plans", "--gpus", "H100"]);
        yield return Usage(["plans", "--min-vcpus", "x"]);
        yield return Usage(["plans", "--workload", "9"]);
        yield return Usage(["completion", "fish"]);
        yield return Usage(["completion"]);
        yield return Usage(["--output", "yaml", "plans"]);
        yield return Usage(["frobnicate"]);
        yield return Usage(["instances"]);
        yield return Usage(["ssh", "fluence", "../x"]);
        yield return Usage(["instances", "sweep", "--older-than", "never"]);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task FailsWithOneLine_AndSendsNothingOnAUsageError(string[] args, int exitCode, bool sends, string? names)
    {
        _sandbox.Server.ClearRequests();
        var result = await Cli.RunAsync(args, null, _sandbox.Environment()).WaitAsync(TimeSpan.FromMinutes(2));
        var requests = _sandbox.Server.Requests;

        var errors = result.Error.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.Out + result.Error);
            Assert.That(errors, Has.Length.EqualTo(1), "one error line: " + result.Error);
            Assert.That(result.Error + result.Out, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
            if (!sends) Assert.That(requests, Is.Empty, "a usage error sends nothing: " + result.Error);
            if (names is not null) Assert.That(errors.FirstOrDefault(), Does.Contain(names), "the error names what was wrong");
        }
    }

    [Test]
    public void TheTableHasAtLeast80Cases() => Assert.That(Cases().Count(), Is.GreaterThanOrEqualTo(80));
}
