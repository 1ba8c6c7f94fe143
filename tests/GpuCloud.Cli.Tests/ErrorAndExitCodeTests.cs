using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// One error style everywhere (<c>error: &lt;provider|gpucloud&gt;: &lt;code&gt;: &lt;message&gt;</c>, no .NET type names or
/// <c>(Parameter ...)</c> tails, usage errors with a <c>--help</c> hint and exit 2), sentences instead of empty tables, and the
/// exit codes of partial and total failure: a command whose every target failed exits 1; partial failure exits 0 with the
/// failures listed (JSON <c>failures</c>, a footnote under the table).
/// </summary>
public sealed class ErrorAndExitCodeTests
{
    private static string[] ErrorLines(Cli.Result result) => result.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    /// <summary>Every request to one provider (or, with null, to both) is refused with 401.</summary>
    private static Action<SandboxServer, GpuCloudOptions> Refuse(string? pathPrefix) =>
        (server, _) => server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 401, PathPrefix = pathPrefix });

    private const string Fluidstack = "/fluidstack";

    [TestCase("instances", "wait", "--sandbox", "fluence", "x", "--timeout", "5x", "--timeout: '5x' is not a positive duration (e.g. 90s, 15m, 2h, 1d, or 01:30:00).", "gpucloud instances wait")]
    [TestCase("instances", "wait", "--sandbox", "fluence", "x", "--state", "Asleep", "--state: 'Asleep' is not one of Unknown, Provisioning, Running, Stopping, Stopped, Terminating, Terminated, Failed.", "gpucloud instances wait")]
    [TestCase("instances", "wait", "--sandbox", "fluence", "x", "--state", "42", "--state: '42' is not one of Unknown, Provisioning, Running, Stopping, Stopped, Terminating, Terminated, Failed.", "gpucloud instances wait")]
    [TestCase("rent-everything", null, null, null, null, null, null, "Unrecognized command or argument 'rent-everything'.", "gpucloud")]
    [TestCase("run", "--sandbox", "--max-attempts", "0", null, null, null, "--max-attempts: must be 1 to 100, not 0.", "gpucloud run")]
    [TestCase("-o", "yaml", "plans", null, null, null, null, "--output: 'yaml' is not one of table, json.", "gpucloud plans")]
    public async Task UsageErrors_OneLine_AHint_Exit2(string a, string? b, string? c, string? d, string? e, string? f, string? g, string message, string command)
    {
        var result = await Cli.RunAsync(new[] { a, b, c, d, e, f, g }.OfType<string>().ToArray());

        Assert.That(result.ExitCode, Is.EqualTo(2));
        var lines = ErrorLines(result);
        Assert.That(lines, Has.Length.EqualTo(2), result.Error);
        Assert.That(lines[0], Does.StartWith("error: gpucloud: InvalidRequest: " + message));
        Assert.That(lines[1], Is.EqualTo($"hint: {command} --help"));
        Assert.That(result.Error, Does.Not.Contain("System.").And.Not.Contain("GpuCloud.").And.Not.Contain("Usage:"));
    }

    [Test]
    public async Task ABadBaseUrl_IsAUsageError_WithoutTheParameterTail()
    {
        var result = await Cli.RunAsync(["plans"], environment: new Dictionary<string, string> { ["FLUENCE_API_KEY"] = "k", ["FLUENCE_BASE_URL"] = "not-a-url" });

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(ErrorLines(result)[0], Does.StartWith("error: gpucloud: InvalidRequest: FLUENCE_BASE_URL ").And.EndWith("."));
        Assert.That(result.Error, Does.Not.Contain("(Parameter"));
    }

    [Test]
    public async Task AProviderError_IsOneLine_ProviderCodeMessage_Exit1()
    {
        var result = await Cli.RunAsync("instances", "get", "--sandbox", "fluence", "container:00000000-0000-0000-0000-000000000000");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(ErrorLines(result), Is.EqualTo(new[] { "error: fluence: NotFound: HTTP 404: Instance not found" }), "the code once, the status kept");
    }

    [TestCase("get")]
    [TestCase("wait")]
    [TestCase("stop")]
    public async Task AnIdThatMatchesNothing_IsNotFound_NotPassedOn(string command)
    {
        var result = await Cli.RunAsync("instances", command, "--sandbox", "fluidstack", "x");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(ErrorLines(result), Is.EqualTo(new[] { "error: fluidstack: NotFound: no instance on fluidstack matches 'x' (see 'gpucloud instances list --provider fluidstack')." }));
    }

    [Test]
    public async Task AnIdThatIsAPath_IsAUsageError_BeforeAnyRequest()
    {
        var requests = new List<FaultRule>();
        var result = await Cli.RunAsync(["instances", "delete", "--sandbox", "fluence", "../etc/passwd"],
            (server, _) => requests.Add(server.Faults.Add(new FaultRule { Kind = FaultKind.Latency })));

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(ErrorLines(result)[0], Is.EqualTo("error: fluence: InvalidRequest: instanceId: '../etc/passwd' is not an id, nor the start of one."));
        Assert.That(requests.Single().Fired, Is.Zero, "no request");
    }

    [TestCase("instances", "No instances on fluence, fluidstack.")]
    [TestCase("keys", "No SSH keys on fluence, fluidstack.")]
    public async Task AnEmptyList_IsASentence(string noun, string sentence)
    {
        var result = await Cli.RunAsync(noun, "list", "--sandbox");

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out.TrimEnd(), Is.EqualTo(sentence));
    }

    [Test]
    public async Task NoMatchingPlan_IsASentence()
    {
        var result = await Cli.RunAsync("plans", "--sandbox", "--gpu", "H100", "--max-price", "0.01");

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out.TrimEnd(), Is.EqualTo("No plans match on fluence, fluidstack."));
    }

    [Test]
    public async Task NoMatchingPlan_OnOneProvider_NamesThatOne()
    {
        var result = await Cli.RunAsync("plans", "--sandbox", "--provider", "fluence", "--gpu", "H100", "--max-price", "0.01");

        Assert.That(result.Out.TrimEnd(), Is.EqualTo("No plans match on fluence."));
    }

    // --- Partial and total failure (issue 14, item 4) ------------------------------------------------------------------

    [Test]
    public async Task Plans_EveryProviderFailed_Exits1_WithTheFailuresListed()
    {
        var table = await Cli.RunAsync(["plans", "--sandbox"], Refuse(null));
        Assert.That(table.ExitCode, Is.EqualTo(1), table.Out + table.Error);
        Assert.That(table.Out, Does.Contain("No plans: no provider could be searched.")
            .And.Contain("not searched: fluence: Unauthorized").And.Contain("not searched: fluidstack"));

        var json = await Cli.RunAsync(["plans", "--sandbox", "-o", "json"], Refuse(null));
        Assert.That(json.ExitCode, Is.EqualTo(1));
        var failures = JsonDocument.Parse(json.Out).RootElement.GetProperty("failures").EnumerateArray().ToArray();
        Assert.That(failures.Select(f => f.GetProperty("provider").GetString()).Distinct(), Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
    }

    [Test]
    public async Task Plans_TheOnlySearchedProviderFailed_Exits1()
    {
        var result = await Cli.RunAsync(["plans", "--sandbox", "--provider", "fluidstack"], Refuse(Fluidstack));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Out + result.Error);
        Assert.That(result.Out, Does.Contain("not searched: fluidstack"));
    }

    [Test]
    public async Task Plans_OneProviderFailed_Exits0_WithAFootnote_AndJsonFailures()
    {
        var table = await Cli.RunAsync(["plans", "--sandbox"], Refuse(Fluidstack));
        Assert.That(table.ExitCode, Is.Zero, table.Error);
        var lines = table.Out.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Does.StartWith("Provider"));
        Assert.That(lines[^1], Does.StartWith("not searched: fluidstack"), "a footnote under the table");

        var json = await Cli.RunAsync(["plans", "--sandbox", "-o", "json", "--limit", "0"], Refuse(Fluidstack));
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.That(root.GetProperty("plans").GetArrayLength(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("failures").EnumerateArray().Select(f => f.GetProperty("provider").GetString()), Is.All.EqualTo("fluidstack").And.Not.Empty);
    }

    [Test]
    public async Task InstancesList_EveryProviderFailed_Exits1()
    {
        var table = await Cli.RunAsync(["instances", "list", "--sandbox"], Refuse(null));
        Assert.That(table.ExitCode, Is.EqualTo(1), table.Out + table.Error);
        Assert.That(table.Out, Does.Contain("not listed: fluence: Unauthorized").And.Contain("not listed: fluidstack"));
        Assert.That(table.Out, Does.Not.Contain("No instances"), "an empty answer would be a wrong one");

        var json = await Cli.RunAsync(["instances", "list", "--sandbox", "-o", "json"], Refuse(null));
        Assert.That(json.ExitCode, Is.EqualTo(1));
        Assert.That(JsonDocument.Parse(json.Out).RootElement.GetProperty("failures").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task InstancesList_OneProviderFailed_Exits0_WithTheFailureListed()
    {
        var table = await Cli.RunAsync(["instances", "list", "--sandbox"], Refuse(Fluidstack));
        Assert.That(table.ExitCode, Is.Zero, table.Error);
        Assert.That(table.Out.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'),
            Is.EqualTo(new[] { "No instances on fluence.", "not listed: fluidstack: Unauthorized: " + FailureMessage(table.Out) }));

        var json = await Cli.RunAsync(["instances", "list", "--sandbox", "-o", "json"], Refuse(Fluidstack));
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.That(root.GetProperty("instances").GetArrayLength(), Is.Zero);
        Assert.That(root.GetProperty("failures")[0].GetProperty("provider").GetString(), Is.EqualTo("fluidstack"));
    }

    private static string FailureMessage(string output) =>
        output.ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith("not listed: ", StringComparison.Ordinal)).Split(": ", 4)[3];
}
