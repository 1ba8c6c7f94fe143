using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Sandbox;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Reliability.Tests.Support;

/// <summary>Sandboxes tuned for speed: no provisioning, start/stop or deletion delays, money and capacity without limits.</summary>
public static class Sandboxes
{
    public const string Region = "eu-north-1";
    public const string FluidstackPlanId = Region + "/cpu.2x";

    private static readonly (string Region, string Type)[] FluidstackTypes =
    [
        ("eu-north-1", "h100-hgx-80gb.8x"), ("eu-north-1", "h100-pcie-80gb.1x"), ("eu-north-1", "a100-sxm4-80gb.8x"),
        ("eu-north-1", "a100-pcie-40gb.1x"), ("eu-north-1", "l40s-48gb.4x"), ("eu-north-1", "cpu.2x"), ("eu-north-1", "cpu.8x"),
        ("us-east-2", "h100-hgx-80gb.8x"), ("us-east-2", "h200-hgx-141gb.8x"), ("us-east-2", "a100-sxm4-80gb.8x"),
        ("us-east-2", "l40s-48gb.1x"), ("us-east-2", "l40s-48gb.4x"), ("us-east-2", "cpu.2x"), ("us-east-2", "cpu.8x"),
    ];

    public static SandboxOptions Options(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions
        {
            ProvisioningDelay = TimeSpan.Zero,
            StartStopDelay = TimeSpan.Zero,
            DeletionDelay = TimeSpan.Zero,
            FluenceBalance = 100_000_000m,
        };
        foreach (var (region, type) in FluidstackTypes) options.FluidstackCapacity[$"{region}/{type}"] = 1_000_000;
        configure?.Invoke(options);
        return options;
    }

    public static Task<SandboxServer> StartAsync(Action<SandboxOptions>? configure = null) => SandboxServer.StartAsync(Options(configure));

    /// <summary>Live sandbox instances with this name.</summary>
    public static SandboxInstance[] Live(this SandboxServer sandbox, string name) =>
        sandbox.Inventory.LiveInstances().Where(i => i.Name == name).ToArray();

    /// <summary>The provider's own id inside the library's id (<c>container:uuid</c>, <c>region/uuid</c>).</summary>
    public static string RawId(string libraryId) => libraryId[(libraryId.LastIndexOfAny([':', '/']) + 1)..];

    public static SandboxProvider ToSandbox(string provider) =>
        provider == FluenceProvider.ProviderName ? SandboxProvider.Fluence : SandboxProvider.Fluidstack;

    /// <summary>The sandbox's record of an instance the library returned, or null when the sandbox does not know it.</summary>
    public static SandboxInstance? Find(this SandboxServer sandbox, GpuInstance instance) =>
        sandbox.Inventory.Instances(ToSandbox(instance.Provider)).FirstOrDefault(i => string.Equals(i.Id, RawId(instance.Id), StringComparison.OrdinalIgnoreCase));

    public static bool IsLive(this SandboxServer sandbox, string provider, string libraryId) =>
        sandbox.Inventory.LiveInstances(ToSandbox(provider)).Any(i => string.Equals(i.Id, RawId(libraryId), StringComparison.OrdinalIgnoreCase));

    /// <summary>Polls until <paramref name="condition"/> holds, at most <paramref name="limit"/>; returns whether it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Clients against a sandbox. Their time limits are generous: a busy 2-core machine never reaches them, so no verdict
/// depends on how fast it runs. A test that provokes an attempt timeout opts into <see cref="ShortAttempts"/> and holds
/// the answer for <see cref="Forever"/>, so that the timeout fires first however late the machine fires it.
/// </summary>
public static class Clients
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(2);

    /// <summary>The attempt timeout of a test that provokes one (see <see cref="ShortAttempts"/>).</summary>
    public static readonly TimeSpan ShortAttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A delay no test waits out: the sandbox holds the answer until the client gives up (the abort ends the delay).</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromHours(1);

    /// <summary>For a test that provokes attempt timeouts (with answers held for <see cref="Forever"/>) without waiting long for each.</summary>
    public static void ShortAttempts(GpuCloudOptions o) => o.Resilience.AttemptTimeout = ShortAttemptTimeout;

    public const string Image = "docker.io/fluencelabs/debian-ssh-root:11";

    public static GpuCloudOptions Options(SandboxServer sandbox, Action<GpuCloudOptions>? configure = null)
    {
        var options = new GpuCloudOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            ReadyTimeout = TimeSpan.FromMinutes(2),
            CleanupTimeout = TimeSpan.FromMinutes(2),
            Resilience = new GpuCloudResilienceOptions
            {
                MaxRetries = 3,
                RetryBaseDelay = TimeSpan.FromMilliseconds(10),
                AttemptTimeout = AttemptTimeout,
                TotalTimeout = TotalTimeout,
                MaxRetryAfter = MaxRetryAfter,
            },
        }.ConnectTo(sandbox);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The public composition: <c>new GpuCloudClient(options, loggerFactory)</c>.</summary>
    public static GpuCloudClient Facade(SandboxServer sandbox, Action<GpuCloudOptions>? configure = null, ILoggerFactory? logs = null) =>
        new(Options(sandbox, configure), logs);

    /// <summary>
    /// The same pipeline <see cref="GpuCloudClient"/> builds (provider over <see cref="GpuCloudResilienceHandler"/> over the
    /// primary handler), assembled from public types so that the primary handler is a <see cref="Transport"/>.
    /// </summary>
    public static Composed Compose(SandboxServer sandbox, Transport transport, Action<GpuCloudOptions>? configure = null, ILoggerFactory? logs = null) =>
        new(Options(sandbox, configure), transport, logs);

    public static CreateInstanceRequest FluenceRequest(GpuPlan plan, string name) => new()
    {
        Plan = plan,
        Name = name,
        SshPublicKeys = [Keys.Ed25519],
        Container = new ContainerSettings { Image = Image },
    };

    public static CreateInstanceRequest FluidstackRequest(string name) => new()
    {
        Provider = FluidstackProvider.ProviderName,
        PlanId = Sandboxes.FluidstackPlanId,
        Name = name,
        SshPublicKeys = [Keys.Ed25519],
    };

    /// <summary>The cheapest Fluence container plan with an H100 (fetched without faults).</summary>
    public static async Task<GpuPlan> FluenceContainerPlanAsync(SandboxServer sandbox)
    {
        using var client = Facade(sandbox);
        var found = await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container, GpuModels = ["H100"] });
        return found.Plans[0];
    }
}

/// <summary>A <see cref="GpuCloudClient"/> over providers built from public types, with a <see cref="Transport"/> at the bottom.</summary>
public sealed class Composed : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public Composed(GpuCloudOptions options, Transport transport, ILoggerFactory? logs)
    {
        Options = options;
        Transport = transport;
        var providers = new List<IGpuCloudProvider>();
        if (options.Fluence.IsConfigured)
        {
            var fluence = new FluenceProvider(options.Fluence, Pipeline(FluenceProvider.ProviderName));
            _owned.Add(fluence);
            providers.Add(fluence);
        }
        if (options.Fluidstack.IsConfigured)
        {
            var fluidstack = new FluidstackProvider(options.Fluidstack, Pipeline(FluidstackProvider.ProviderName), TimeProvider.System);
            _owned.Add(fluidstack);
            providers.Add(fluidstack);
        }
        Client = new GpuCloudClient(providers, options);

        HttpMessageHandler Pipeline(string provider)
        {
            var handler = new GpuCloudResilienceHandler(provider, options.Resilience, TimeProvider.System, logs?.CreateLogger("GpuCloud.Http." + provider))
            {
                InnerHandler = transport.Handler(provider),
            };
            _owned.Add(handler);
            return handler;
        }
    }

    public GpuCloudOptions Options { get; }

    public Transport Transport { get; }

    public GpuCloudClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
