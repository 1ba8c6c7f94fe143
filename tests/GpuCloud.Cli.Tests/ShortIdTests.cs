using System.Text;
using System.Text.Json;
using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Ids as people type them: a unique prefix of an instance or key id (or of the part after its <c>container:</c>/<c>region/</c>
/// routing part) names that one; an ambiguous prefix is a usage error listing the candidates, and nothing is deleted; a prefix
/// that matches nothing deletes nothing. On both providers, in the CLI's own sandbox session.
/// </summary>
/// <remarks>
/// Each CLI run starts a fresh sandbox, so a test seeds it the same way twice: once to learn the ids, once to act on a prefix
/// of them. The sandbox's ids come from a seeded random source; each test checks they came out the same the second time.
/// </remarks>
public sealed class ShortIdTests
{
    private const string FluencePlan = "container:77e779be-721c-45f5-ab9e-9cbd0083fc29";
    private const string FluidstackPlan = "eu-north-1/h100-pcie-80gb.1x";

    private sealed class Seeded
    {
        public SandboxServer? Server;
        public string[] Ids = [];
        public int Changes;
    }

    /// <summary>Creates two instances on <paramref name="provider"/> in the CLI's sandbox before the command runs.</summary>
    private static Action<SandboxServer, GpuCloudOptions> TwoInstances(string provider, Seeded seeded, bool running = false) => (server, options) =>
    {
        options.PollInterval = TimeSpan.FromMilliseconds(50);
        using var client = new GpuCloudClient(options);
        var created = new List<GpuInstance>();
        for (var i = 1; i <= 2; i++)
        {
            created.Add(client.CreateInstanceAsync(new CreateInstanceRequest
            {
                Provider = provider, PlanId = provider == "fluence" ? FluencePlan : FluidstackPlan, Name = $"prefix-test-{i}", SshPublicKeys = [Cli.Ed25519],
                Container = provider == "fluence" ? new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" } : null,
            }).GetAwaiter().GetResult());
        }
        // Running, as a person's instances are when they delete one (Fluence terminates only ACTIVE instances).
        foreach (var instance in running ? created : [])
            client.WaitForStateAsync(provider, instance.Id, InstanceState.Running, TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        seeded.Server = server;
        seeded.Ids = client.ListInstancesAsync(provider).GetAwaiter().GetResult().Select(i => i.Id).Order(StringComparer.Ordinal).ToArray();
    };

    private static async Task<string[]> InstanceIdsAsync(string provider)
    {
        var seeded = new Seeded();
        var result = await Cli.RunAsync(["instances", "list", "--sandbox", "--provider", provider], TwoInstances(provider, seeded));
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(seeded.Ids, Has.Length.EqualTo(2));
        return seeded.Ids;
    }

    private static Task<(Cli.Result Result, Seeded Seeded)> RunSeededAsync(string provider, string[] ids, params string[] args) =>
        RunSeededAsync(provider, ids, running: false, args);

    private static async Task<(Cli.Result Result, Seeded Seeded)> RunSeededAsync(string provider, string[] ids, bool running, params string[] args)
    {
        var seeded = new Seeded();
        var counters = new List<FaultRule>();
        var result = await Cli.RunAsync(args, Counting(TwoInstances(provider, seeded, running), counters));
        seeded.Changes = counters.Sum(c => c.Fired);
        Assert.That(seeded.Ids, Is.EqualTo(ids), "the sandbox made the same ids again");
        return (result, seeded);
    }

    private static string[] Live(Seeded seeded, string provider) =>
        seeded.Server!.Inventory.LiveInstances(provider == "fluence" ? SandboxProvider.Fluence : SandboxProvider.Fluidstack)
            .Select(i => i.Id).ToArray();

    /// <summary>The shortest prefix of <paramref name="id"/>'s local part that the other id's does not share.</summary>
    private static string UniquePrefix(string id, string other)
    {
        var (local, otherLocal) = (ShortIds.Local(id), ShortIds.Local(other));
        var length = 1;
        while (otherLocal.StartsWith(local[..length], StringComparison.Ordinal)) length++;
        return local[..length];
    }

    [TestCase("fluence")]
    [TestCase("fluidstack")]
    public async Task Delete_AUniquePrefix_DeletesThatInstanceOnly(string provider)
    {
        var ids = await InstanceIdsAsync(provider);
        var prefix = UniquePrefix(ids[0], ids[1]);

        var (result, seeded) = await RunSeededAsync(provider, ids, running: true, "instances", "delete", "--sandbox", provider, prefix);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out, Does.Contain(ids[0]).And.Contain("deleted"), "it says which one, in full");
        var live = Live(seeded, provider);
        Assert.That(live.Any(l => ids[1].EndsWith(l, StringComparison.Ordinal)), Is.True, "the other one is untouched");
        Assert.That(live.Any(l => ids[0].EndsWith(l, StringComparison.Ordinal)), Is.False, "this one is being deleted");
    }

    [TestCase("fluence", "container:")]
    [TestCase("fluidstack", "eu-north-1/")]
    public async Task Delete_AnAmbiguousPrefix_IsAUsageError_ListingBoth_AndDeletesNothing(string provider, string routingPart)
    {
        var ids = await InstanceIdsAsync(provider);
        Assert.That(ids, Is.All.StartWith(routingPart), "both share the routing part");

        var (result, seeded) = await RunSeededAsync(provider, ids, "instances", "delete", "--sandbox", provider, routingPart);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.StartWith($"error: {provider}: InvalidRequest: '{routingPart}' matches 2 instances on {provider}: ")
            .And.Contain(ids[0]).And.Contain(ids[1]));
        Assert.That(Live(seeded, provider), Has.Length.EqualTo(2), "nothing was deleted");
        Assert.That(seeded.Changes, Is.Zero, "no DELETE or POST was sent");
    }

    [TestCase("fluence")]
    [TestCase("fluidstack")]
    public async Task Delete_APrefixThatMatchesNothing_IsNotFound_AndDeletesNothing(string provider)
    {
        var ids = await InstanceIdsAsync(provider);
        const string prefix = "zzzz";
        Assert.That(ids.Select(ShortIds.Local), Has.None.StartWith(prefix));

        var (result, seeded) = await RunSeededAsync(provider, ids, "instances", "delete", "--sandbox", provider, prefix);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.StartWith($"error: {provider}: NotFound: no instance on {provider} matches 'zzzz'"));
        Assert.That(Live(seeded, provider), Has.Length.EqualTo(2), "nothing was deleted");
        Assert.That(seeded.Changes, Is.Zero, "no DELETE or POST was sent");
    }

    [TestCase("fluence")]
    [TestCase("fluidstack")]
    public async Task Get_AUniquePrefix_ShowsThatInstance_AnAmbiguousOne_IsAUsageError(string provider)
    {
        var ids = await InstanceIdsAsync(provider);

        var (unique, _) = await RunSeededAsync(provider, ids, "instances", "get", "--sandbox", "-o", "json", provider, UniquePrefix(ids[1], ids[0]));
        Assert.That(unique.ExitCode, Is.Zero, unique.Error);
        Assert.That(JsonDocument.Parse(unique.Out).RootElement.GetProperty("id").GetString(), Is.EqualTo(ids[1]), "JSON carries the full id");

        var (ambiguous, _) = await RunSeededAsync(provider, ids, "instances", "get", "--sandbox", provider, ids[0][..(ids[0].IndexOfAny([':', '/']) + 1)]);
        Assert.That(ambiguous.ExitCode, Is.EqualTo(2));
        Assert.That(ambiguous.Error, Does.Contain("matches 2 instances"));
    }

    // --- Keys ------------------------------------------------------------------------------------------------------------

    /// <summary>A syntactically valid ed25519 public key with 32 bytes of <paramref name="fill"/> (never used to connect).</summary>
    private static string Ed25519(byte fill)
    {
        var type = Encoding.ASCII.GetBytes("ssh-ed25519");
        var blob = new byte[4 + type.Length + 4 + 32];
        blob[3] = (byte)type.Length;
        type.CopyTo(blob, 4);
        blob[4 + type.Length + 3] = 32;
        blob.AsSpan(4 + type.Length + 4).Fill(fill);
        return $"ssh-ed25519 {Convert.ToBase64String(blob)} key-{fill}";
    }

    /// <summary>
    /// Keys on <paramref name="provider"/>: Fluidstack's ids are their names (laptop-a, laptop-b: "laptop" is ambiguous);
    /// Fluence's are UUIDs, so 17 keys are added, two of which must then share a first hex digit.
    /// </summary>
    private static Action<SandboxServer, GpuCloudOptions> Keys(string provider, Seeded seeded) => (server, options) =>
    {
        using var client = new GpuCloudClient(options);
        var names = provider == "fluidstack" ? new[] { "laptop-a", "laptop-b" } : Enumerable.Range(1, 17).Select(i => $"key-{i}").ToArray();
        for (var i = 0; i < names.Length; i++) client.AddSshKeyAsync(names[i], Ed25519((byte)(i + 1)), provider).GetAwaiter().GetResult();
        seeded.Server = server;
        seeded.Ids = client.ListSshKeysAsync(provider).GetAwaiter().GetResult().Select(k => k.Id).Order(StringComparer.Ordinal).ToArray();
    };

    /// <summary>Counts the requests that could change something (DELETE, POST to an API), added after the seeding.</summary>
    private static Action<SandboxServer, GpuCloudOptions> Counting(Action<SandboxServer, GpuCloudOptions> seed, List<FaultRule> counters) => (server, options) =>
    {
        seed(server, options);
        counters.Add(server.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Method = "DELETE" }));
        // Not /oauth/token: Fluidstack's token request changes nothing.
        foreach (var api in new[] { "/gpu", "/v1", "/fluidstack" })
            counters.Add(server.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Method = "POST", PathPrefix = api }));
    };

    [TestCase("fluence")]
    [TestCase("fluidstack")]
    public async Task KeysRemove_UniqueAmbiguousAndNone(string provider)
    {
        var learned = new Seeded();
        Assert.That((await Cli.RunAsync(["keys", "list", "--sandbox"], Keys(provider, learned))).ExitCode, Is.Zero);
        var ids = learned.Ids;
        // Two ids sharing a first character (Fluidstack: "laptop-"; Fluence: 17 UUIDs over 16 hex digits).
        var shared = ids.GroupBy(id => provider == "fluidstack" ? "laptop-" : id[..1]).First(g => g.Count() >= 2);
        var target = ids.First(id => id.StartsWith(shared.Key, StringComparison.Ordinal));
        var uniquePrefix = target[..(Enumerable.Range(1, target.Length).First(n => ids.Count(id => id.StartsWith(target[..n], StringComparison.Ordinal)) == 1))];

        async Task<(Cli.Result Result, int Changes)> RemoveAsync(string given)
        {
            var seeded = new Seeded();
            var counters = new List<FaultRule>();
            var result = await Cli.RunAsync(["keys", "remove", "--sandbox", provider, given], Counting(Keys(provider, seeded), counters));
            Assert.That(seeded.Ids, Is.EqualTo(ids), "the sandbox made the same ids again");
            return (result, counters.Sum(c => c.Fired));
        }

        var unique = await RemoveAsync(uniquePrefix);
        Assert.That(unique.Result.ExitCode, Is.Zero, unique.Result.Error);
        Assert.That(unique.Result.Out, Does.Contain($"{provider} {target}: removed"), "the full id");
        Assert.That(unique.Changes, Is.EqualTo(1), "one removal");

        var ambiguous = await RemoveAsync(shared.Key);
        Assert.That(ambiguous.Result.ExitCode, Is.EqualTo(2));
        Assert.That(ambiguous.Result.Error, Does.Contain($"'{shared.Key}' matches {shared.Count()} keys on {provider}: ").And.Contain(shared.First()));
        Assert.That(ambiguous.Changes, Is.Zero, "nothing removed on an ambiguous prefix");

        // A key that is not there is an error saying so (exit 1), and nothing is removed.
        var none = await RemoveAsync(provider == "fluidstack" ? "no-such-key" : "0000000-no-such");
        Assert.That(none.Result.ExitCode, Is.EqualTo(1), none.Result.Error);
        Assert.That(none.Result.Error, Does.Contain("NotFound: no SSH key on"));
        Assert.That(none.Changes, Is.Zero, "nothing removed");
        Assert.That(ids, Has.None.StartWith(provider == "fluidstack" ? "no-such-key" : "0000000-no-such"));
    }
}
