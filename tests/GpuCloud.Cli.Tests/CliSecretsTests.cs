using System.Text.Json;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Every command's stdout and stderr, in table and JSON output, on its success and failure paths, with recognizable
/// secrets: the Fluence API key, the Fluidstack client secret and static token (right and wrong ones), a container
/// environment value, and the tokens the sandbox issues. The CLI runs as a user runs it, configured by environment
/// variables, against a sandbox on 127.0.0.1 that expects exactly these credentials. Each run is checked on its own:
/// the outcome it must have (so a run that fails early cannot shrink what is checked) and no secret in its output.
/// </summary>
[NonParallelizable]
public sealed class CliSecretsTests
{
    private const string ApiKey = "cli-fluence-KEY-4711";
    private const string ClientSecret = "cli-client-SECRET-8086";
    private const string StaticToken = "cli-static-TOKEN-6502";
    private const string WrongKey = "cli-wrong-KEY-1123";
    private const string WrongSecret = "cli-wrong-SECRET-5813";
    private const string WrongToken = "cli-wrong-TOKEN-2134";
    private const string EnvironmentSecret = "cli-env-SECRET-3141";

    /// <summary>The start of every token the sandbox issues (a JWT whose header is <c>{"alg":...</c>).</summary>
    private const string IssuedToken = "eyJhbGci";

    private static readonly string[] Secrets = [ApiKey, ClientSecret, StaticToken, WrongKey, WrongSecret, WrongToken, EnvironmentSecret];

    private static readonly string[] Commands =
    [
        "plans", "run", "instances list", "instances get", "instances create", "instances delete", "instances start", "instances stop",
        "instances wait", "keys list", "keys add", "keys remove",
    ];

    private const string FsPlan = "eu-north-1/cpu.2x";
    private const string UnknownGuid = "0b6c3c0e-6a3e-4a53-9a2e-4a4c3b1f6d11";

    private StandaloneSandbox _sandbox = null!;
    private string _keyFile = null!;
    private readonly List<CliRun> _runs = [];

    private sealed record CliRun(string Command, string Output, string What, Cli.Result Result, string? FailureMarker)
    {
        public bool Success => FailureMarker is null;
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sandbox = await StandaloneSandbox.StartAsync(o =>
        {
            o.FluenceApiKey = ApiKey;
            o.FluidstackClientSecret = ClientSecret;
            o.FluidstackToken = StaticToken;
        });
        _keyFile = Cli.KeyFile(Cli.Ed25519);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    [SetUp]
    public void Clean()
    {
        _sandbox.Server.Reset();
        _runs.Clear();
    }

    private Dictionary<string, string> Env(Action<Dictionary<string, string>>? change = null, bool staticToken = false)
    {
        var env = _sandbox.Environment(staticToken);
        change?.Invoke(env);
        return env;
    }

    private Dictionary<string, string> WrongCredentials() => Env(e =>
    {
        e["FLUENCE_API_KEY"] = WrongKey;
        e["FLUIDSTACK_CLIENT_SECRET"] = WrongSecret;
    });

    private static string CommandOf(string[] args) => args[0] is "instances" or "keys" ? $"{args[0]} {args[1]}" : args[0];

    /// <summary>Runs one command that must succeed.</summary>
    private Task<Cli.Result> Ok(Dictionary<string, string> env, params string[] args) => Exec(env, null, args);

    /// <summary>Runs one command that must fail, printing <paramref name="marker"/> (the error code, usually).</summary>
    private Task<Cli.Result> Fails(string marker, Dictionary<string, string> env, params string[] args) => Exec(env, marker, args);

    private async Task<Cli.Result> Exec(Dictionary<string, string> env, string? marker, string[] args)
    {
        var result = await Cli.RunAsync(args, null, env);
        _runs.Add(new CliRun(CommandOf(args), args.Contains("json") ? "json" : "table", string.Join(' ', args), result, marker));
        return result;
    }

    private static string IdOf(Cli.Result result) => JsonDocument.Parse(result.Out).RootElement.GetProperty("id").GetString()!;

    /// <summary>The library's id of an instance the sandbox holds, by name (<c>container:uuid</c>, <c>region/uuid</c>).</summary>
    private string IdByName(string name)
    {
        var instance = _sandbox.Server.Inventory.Instances().Single(i => i.Name == name);
        return instance.Provider == SandboxProvider.Fluence ? $"{instance.Kind}:{instance.Id}" : $"{instance.Location}/{instance.Id}";
    }

    /// <summary>Each run: the outcome it must have, and none of the secrets in its stdout or stderr.</summary>
    private void AssertEachRun()
    {
        Assert.That(_runs, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var run in _runs)
            {
                var text = run.Result.Out + run.Result.Error;
                if (run.Success)
                {
                    Assert.That(run.Result.ExitCode, Is.Zero, $"{run.What}: {run.Result.Error}");
                    Assert.That(run.Result.Out, Is.Not.Empty, $"{run.What}: output");
                }
                else
                {
                    Assert.That(text, Does.Contain(run.FailureMarker).IgnoreCase, $"{run.What}: the failure is reported (JSON writes codes in lower case)");
                    // plans reports providers it could not search and still lists the others' plans.
                    if (run.Command != "plans") Assert.That(run.Result.ExitCode, Is.Not.Zero, $"{run.What}: exit code");
                }
                foreach (var secret in Secrets)
                    Assert.That(text, Does.Not.Contain(secret), $"{run.What} shows {secret[..12]}...");
                Assert.That(text, Does.Not.Contain(IssuedToken), $"{run.What} shows an issued token");
                Assert.That(text, Does.Not.Contain("Bearer "), $"{run.What} shows an authorization header");
            }
        }
        TestContext.Out.WriteLine($"{_runs.Count} runs checked, {_runs.Sum(r => r.Result.Out.Length + r.Result.Error.Length)} characters");
    }

    /// <summary>Every command ran in both outputs with this outcome.</summary>
    private void AssertCoverage(bool success)
    {
        var covered = _runs.Where(r => r.Success == success).Select(r => $"{r.Command} ({r.Output})").Distinct().ToArray();
        var expected = Commands.SelectMany(c => new[] { $"{c} (table)", $"{c} (json)" }).ToArray();
        Assert.That(expected.Except(covered), Is.Empty, $"commands not run to {(success ? "success" : "failure")}");
    }

    [Test]
    public async Task EveryCommandSucceedsWithoutShowingASecret()
    {
        var env = Env();
        var fluencePlan = "container:" + (await _sandbox.FluenceAsync("gpu/plans/")).EnumerateArray()
            .Select(p => p.GetProperty("plan")).OrderBy(p => p.GetProperty("pricing").GetProperty("hour").GetDecimal()).First().GetProperty("id").GetString();

        await Ok(env, "plans");
        await Ok(env, "plans", "-o", "json", "--limit", "0");
        await Ok(env, "keys", "add", "laptop", "--ssh-key", _keyFile);
        await Ok(env, "keys", "add", "-o", "json", "laptop", "--ssh-key", _keyFile);
        await Ok(env, "keys", "list");
        await Ok(env, "keys", "list", "-o", "json");

        await Ok(env, "instances", "create", "--provider", "fluidstack", "--plan", FsPlan, "--name", "sec-fs-t", "--ssh-key", _keyFile, "--wait");
        var fsTable = IdByName("sec-fs-t");
        var fsJson = IdOf(await Ok(env, "instances", "create", "-o", "json", "--provider", "fluidstack", "--plan", FsPlan, "--name", "sec-fs-j",
            "--ssh-key", _keyFile, "--tag", "team=secrets", "--wait"));
        // A secret the user hands to a container: the instance's description must not repeat it.
        await Ok(env, "instances", "create", "--provider", "fluence", "--plan", fluencePlan, "--name", "sec-fl-t", "--ssh-key", _keyFile,
            "--image", "docker.io/fluencelabs/debian-ssh-root:11", "--env", "API_TOKEN=" + EnvironmentSecret, "--wait");
        var flTable = IdByName("sec-fl-t");
        var flJson = IdOf(await Ok(env, "instances", "create", "-o", "json", "--provider", "fluence", "--plan", fluencePlan, "--name", "sec-fl-j",
            "--ssh-key", _keyFile, "--image", "docker.io/fluencelabs/debian-ssh-root:11", "--env", "API_TOKEN=" + EnvironmentSecret, "--wait"));

        await Ok(env, "instances", "list");
        await Ok(env, "instances", "list", "-o", "json");
        await Ok(env, "instances", "get", "fluidstack", fsTable);
        await Ok(env, "instances", "get", "-o", "json", "fluidstack", fsJson);
        await Ok(env, "instances", "get", "fluence", flTable);
        await Ok(env, "instances", "get", "-o", "json", "fluence", flJson);
        await Ok(env, "instances", "stop", "fluidstack", fsTable);
        await Ok(env, "instances", "stop", "-o", "json", "fluidstack", fsJson);
        await Ok(env, "instances", "wait", "fluidstack", fsTable, "--state", "Stopped");
        await Ok(env, "instances", "wait", "-o", "json", "fluidstack", fsJson, "--state", "Stopped");
        await Ok(env, "instances", "start", "fluidstack", fsTable);
        await Ok(env, "instances", "start", "-o", "json", "fluidstack", fsJson);
        await Ok(env, "instances", "wait", "fluidstack", fsTable);
        await Ok(env, "instances", "wait", "-o", "json", "fluidstack", fsJson);
        await Ok(env, "instances", "delete", "fluidstack", fsTable, "--yes");
        await Ok(env, "instances", "delete", "-o", "json", "fluidstack", fsJson, "--yes");
        await Ok(env, "instances", "delete", "fluence", flTable, "--yes");
        await Ok(env, "instances", "delete", "-o", "json", "fluence", flJson, "--yes");

        var fluenceKey = (await _sandbox.FluenceAsync("v1/ssh_keys")).GetProperty("items")[0].GetProperty("id").GetString()!;
        await Ok(env, "keys", "remove", "fluence", fluenceKey, "--yes");
        await Ok(env, "keys", "remove", "-o", "json", "fluidstack", "laptop", "--yes");

        await Ok(env, "run", "--gpu", "H100", "--release", "--name", "sec-run-t", "--ssh-key", _keyFile);
        await Ok(env, "run", "-o", "json", "--gpu", "A100", "--release", "--name", "sec-run-j", "--ssh-key", _keyFile);

        // The static-token setup (FLUIDSTACK_TOKEN instead of client credentials).
        var token = Env(staticToken: true);
        await Ok(token, "plans", "--provider", "fluidstack");
        await Ok(token, "instances", "list", "-o", "json", "--provider", "fluidstack");
        await Ok(token, "keys", "list", "--provider", "fluidstack");

        using (Assert.EnterMultipleScope())
        {
            AssertCoverage(success: true);
            Assert.That(_sandbox.Server.Inventory.LiveInstances(), Is.Empty, "everything created was deleted");
            Assert.That(_sandbox.Server.Inventory.Instances().Select(i => i.Name),
                Is.SupersetOf(new[] { "sec-fl-t", "sec-fl-j", "sec-run-t", "sec-run-j" }), "the runs really created instances");
        }
        AssertEachRun();
    }

    [Test]
    public async Task EveryCommandFailsOnWrongCredentialsWithoutShowingThem()
    {
        var wrong = WrongCredentials();
        var fs = $"eu-north-1/{UnknownGuid}";
        var fl = $"container:{UnknownGuid}";
        foreach (var output in new[] { "table", "json" })
        {
            string[] O(params string[] args) => [.. args.Take(args[0] is "instances" or "keys" ? 2 : 1), "-o", output, .. args.Skip(args[0] is "instances" or "keys" ? 2 : 1)];
            await Fails("Unauthorized", wrong, O("plans"));
            await Fails("error:", wrong, O("run", "--gpu", "H100", "--release", "--ssh-key", _keyFile));
            await Fails("Unauthorized", wrong, O("instances", "list"));
            await Fails("Unauthorized", wrong, O("instances", "get", "fluence", fl));
            await Fails("Unauthorized", wrong, O("instances", "create", "--provider", "fluidstack", "--plan", FsPlan, "--name", "sec-wrong", "--ssh-key", _keyFile));
            await Fails("Unauthorized", wrong, O("instances", "delete", "fluence", fl, "--yes"));
            await Fails("Unauthorized", wrong, O("instances", "start", "fluidstack", fs));
            await Fails("Unauthorized", wrong, O("instances", "stop", "fluidstack", fs));
            await Fails("Unauthorized", wrong, O("instances", "wait", "fluidstack", fs));
            await Fails("Unauthorized", wrong, O("keys", "list"));
            await Fails("Unauthorized", wrong, O("keys", "add", "laptop", "--ssh-key", _keyFile));
            await Fails("Unauthorized", wrong, O("keys", "remove", "fluence", UnknownGuid, "--yes"));
        }

        // A wrong static token.
        var wrongToken = Env(e => e["FLUIDSTACK_TOKEN"] = WrongToken, staticToken: true);
        await Fails("Unauthorized", wrongToken, "instances", "list", "--provider", "fluidstack");
        await Fails("Unauthorized", wrongToken, "keys", "add", "-o", "json", "laptop", "--provider", "fluidstack", "--ssh-key", _keyFile);

        using (Assert.EnterMultipleScope())
        {
            AssertCoverage(success: false);
            Assert.That(_sandbox.Server.Inventory.Instances(), Is.Empty, "nothing was created");
        }
        AssertEachRun();
    }

    [Test]
    public async Task ProviderErrorsAndBadInputDoNotShowASecret()
    {
        var env = Env();
        // Errors the provider answers: unknown ids, an unsupported action.
        await Fails("NotFound", env, "instances", "get", "fluence", $"container:{UnknownGuid}");
        await Fails("NotFound", env, "instances", "get", "-o", "json", "fluidstack", $"eu-north-1/{UnknownGuid}");
        await Fails("NotFound", env, "instances", "stop", "-o", "json", "fluidstack", $"eu-north-1/{UnknownGuid}");
        await Fails("NotSupported", env, "instances", "start", "fluence", $"container:{UnknownGuid}");

        // The token endpoint answers with a body that is not a token response (its body could hold a token).
        _sandbox.Server.Faults.Add(FaultRule.Of(FaultKind.TruncatedJson, "/oauth/token"));
        await Fails("InvalidResponse", env, "instances", "list", "--provider", "fluidstack");
        await Fails("InvalidResponse", env, "keys", "list", "-o", "json", "--provider", "fluidstack");
        _sandbox.Server.Faults.Clear();
        _sandbox.Server.Faults.Add(FaultRule.Of(FaultKind.MalformedJson, "/oauth/token"));
        await Fails("InvalidResponse", env, "instances", "list", "-o", "json", "--provider", "fluidstack");
        _sandbox.Server.Faults.Clear();
        // The API refuses an issued token twice (the client refreshes it once in between).
        _sandbox.Server.Faults.Add(FaultRule.Status(401, "/fluidstack/api/v1alpha1/instances"));
        await Fails("Unauthorized", env, "instances", "list", "--provider", "fluidstack");
        await Fails("Unauthorized", env, "instances", "list", "-o", "json", "--provider", "fluidstack");
        _sandbox.Server.Faults.Clear();

        // Bad input, refused before anything is sent: malformed secrets, a token URL off HTTPS, invalid names.
        await Fails("Fluence.ApiKey", Env(e => e["FLUENCE_API_KEY"] = ApiKey + "\r\nX-Injected: 1"), "plans");
        await Fails("Fluence.ApiKey", Env(e => e["FLUENCE_API_KEY"] = ApiKey + "\u0001"), "instances", "list", "-o", "json");
        await Fails("Fluidstack.ClientSecret", Env(e => e["FLUIDSTACK_CLIENT_SECRET"] = ClientSecret + "\tX"), "keys", "list");
        await Fails("Fluidstack.Token", Env(e => e["FLUIDSTACK_TOKEN"] = StaticToken + "\u007f", staticToken: true), "keys", "list", "-o", "json");
        await Fails("Fluidstack.TokenUrl", Env(e => e["FLUIDSTACK_TOKEN_URL"] = "http://oauth.example/" + ClientSecret), "plans", "-o", "json");
        await Fails("Name", env, "instances", "create", "--provider", "fluence", "--plan", $"container:{UnknownGuid}", "--name", "Bad_Name",
            "--image", "docker.io/fluencelabs/debian-ssh-root:11", "--env", "API_TOKEN=" + EnvironmentSecret);
        await Fails("Container.Environment", env, "instances", "create", "-o", "json", "--provider", "fluence", "--plan", $"container:{UnknownGuid}",
            "--name", "ok-name", "--image", "docker.io/fluencelabs/debian-ssh-root:11", "--env", "lower=" + EnvironmentSecret);

        Assert.That(_sandbox.Server.Inventory.Instances(), Is.Empty, "nothing was created");
        AssertEachRun();
    }

    [Test]
    public async Task SandboxModeDoesNotShowTheSandboxCredentials()
    {
        // --sandbox starts its own server with the default credentials: they are secrets of the same kind.
        var defaults = new SandboxOptions();
        var secrets = new[] { defaults.FluenceApiKey, defaults.FluidstackClientSecret, defaults.FluidstackToken, IssuedToken };
        var results = new List<(string What, Cli.Result Result)>();
        foreach (var args in new[]
        {
            new[] { "run", "--sandbox", "--gpu", "H100" },
            ["run", "--sandbox", "-o", "json", "--gpu", "A100"],
            ["plans", "--sandbox", "-o", "json"],
            ["instances", "get", "--sandbox", "fluence", $"container:{UnknownGuid}"],
        })
            results.Add((string.Join(' ', args), await Cli.RunAsync(args, (_, o) => o.PollInterval = TimeSpan.FromMilliseconds(50))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Take(3).Select(r => r.Result.ExitCode), Is.All.Zero, "the runs and the search succeed");
            Assert.That(results[3].Result.Error, Does.Contain("NotFound"));
            foreach (var (what, result) in results)
            foreach (var secret in secrets)
                Assert.That(result.Out + result.Error, Does.Not.Contain(secret), $"{what} shows {secret}");
        }
    }
}
