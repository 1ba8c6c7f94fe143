namespace GpuCloud.Sandbox.Internal;

internal enum FluenceKind
{
    Container,
    Vm,
    BareMetal,
}

internal static class FluenceStatus
{
    public const string Initialized = "INITIALIZED";
    public const string Active = "ACTIVE";
    public const string Failed = "FAILED";
    public const string Ended = "ENDED";
}

internal static class FsState
{
    public const string Creating = "creating";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Deleting = "deleting";
    public const string OutOfStock = "out-of-stock";
    public const string Error = "error";
}

internal sealed class FluenceInstance
{
    public required string Id { get; init; }
    public required FluenceKind Kind { get; init; }
    public required string Name { get; set; }
    public required string PlanId { get; init; }
    public required string Location { get; init; }
    public required GpuModelInfo Gpu { get; init; }
    public required int Vcpu { get; init; }
    public required int MemoryGi { get; init; }
    public required int StorageGi { get; init; }
    public required int GpuCount { get; init; }
    public required decimal PricePerHour { get; init; }
    public required int Ordinal { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string Status { get; set; } = FluenceStatus.Initialized;
    public DateTimeOffset ActiveAt { get; init; }
    public bool WillFail { get; init; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public decimal TotalSpent { get; set; }

    // Containers
    public string? Image { get; set; }
    public List<(string Port, string Protocol)> Expose { get; init; } = new();
    public List<(string Name, string Value)> Environment { get; set; } = new();
    public string? StartupCommand { get; set; }
    public DateTimeOffset? UpdateAppliedAt { get; set; }

    // All kinds
    public string? SshKey { get; set; }

    // VMs and bare metal
    public string? OsImage { get; init; }

    public bool IsLive => Status is FluenceStatus.Initialized or FluenceStatus.Active;

    /// <summary>The loopback port of the instance's SSH listener while it is ACTIVE (see <see cref="SshListeners"/>).</summary>
    public int? SshPort { get; set; }

    public bool HasSsh => Kind != FluenceKind.Container || Expose.Any(p => p.Port == "22" && p.Protocol == "tcp");

    /// <summary>Where SSH really answers: the loopback listener once it is reserved, else the provider-style address.</summary>
    public string SshHost => SshPort is null ? Address : "127.0.0.1";

    public string Address => Kind switch
    {
        FluenceKind.Container => $"provider.{Gpu.Model}.sandbox.invalid",
        FluenceKind.Vm => $"203.0.113.{10 + Ordinal % 240}",
        _ => $"198.51.100.{10 + Ordinal % 240}",
    };

    public string ExternalPort(int index) => (30000 + Ordinal * 16 + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class FluenceSshKey
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required string PublicKey { get; init; }
    public required string Algorithm { get; init; }
    public required string Fingerprint { get; init; }
}

internal sealed class FsInstance
{
    public required Guid Id { get; init; }
    public required string Region { get; init; }
    public required Guid ProjectId { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Image { get; init; }
    public bool Preemptible { get; init; }
    public bool Ephemeral { get; init; }
    public string? UserData { get; init; }
    public List<Guid> Filesystems { get; init; } = new();
    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
    public required int Ordinal { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string State { get; set; } = FsState.Creating;
    public string? Ip { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public string? NextState { get; set; }
    public bool HoldsCapacity { get; set; }

    public bool IsLive => State != FsState.Deleting;
}

internal sealed class FsProject
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The region the project lives in; null means every region (the sandbox's default setup).</summary>
    public string? Region { get; init; }

    public bool IsIn(string region) => Region is null || Region == region;
}

internal sealed class FsFilesystem
{
    public required Guid Id { get; init; }
    public required string Region { get; init; }
    public required Guid ProjectId { get; init; }
    public required string Name { get; init; }
    public required string Size { get; init; }
}

internal sealed class FsInvitation
{
    public required string Id { get; init; }
    public required string Email { get; init; }
    public required string Role { get; init; }
}

/// <summary>
/// All mutable sandbox state behind one lock. Time-based transitions are applied lazily by <see cref="Advance"/>,
/// which every request (and every inventory read) calls first, so nothing runs in the background and a fake clock
/// fully controls the lifecycle.
/// </summary>
internal sealed class SandboxState
{
    public object Gate { get; } = new();
    public SandboxOptions Options { get; }
    public Catalog Catalog { get; }
    public TimeProvider Time { get; }
    public Guid DefaultProjectId { get; }
    public Guid UserId { get; }
    public SshListeners SshListeners { get; }

    public decimal FluenceBalance;
    public readonly List<FluenceInstance> FluenceInstances = new();
    public readonly List<FluenceSshKey> FluenceKeys = new();

    public readonly Dictionary<(string Region, string Type), int> Capacity = new();
    public readonly List<FsInstance> FsInstances = new();
    public readonly List<FsProject> Projects = new();
    public readonly List<FsFilesystem> Filesystems = new();
    public readonly List<(string Name, string Key)> UserKeys = new();
    public readonly List<FsInvitation> Invitations = new();
    public readonly Dictionary<string, DateTimeOffset> IssuedTokens = new(StringComparer.Ordinal);

    private readonly Dictionary<(SandboxProvider, string), int> _createRequests = new();
    private Random _random;
    private int _ordinal;

    public SandboxState(SandboxOptions options)
    {
        Options = options;
        Time = options.TimeProvider;
        SshListeners = new SshListeners(Time);
        Catalog = new Catalog(options.Seed);
        DefaultProjectId = options.FluidstackProjectId ?? Catalog.StableGuid(options.Seed, "fluidstack-project");
        UserId = Catalog.StableGuid(options.Seed, "fluence-user");
        _random = new Random(options.Seed);
        ResetUnlocked();
    }

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Reset()
    {
        lock (Gate) ResetUnlocked();
    }

    private void ResetUnlocked()
    {
        _random = new Random(Options.Seed);
        _ordinal = 0;
        SshListeners.CloseAll();
        FluenceBalance = Options.FluenceBalance;
        FluenceInstances.Clear();
        FluenceKeys.Clear();
        FsInstances.Clear();
        Filesystems.Clear();
        UserKeys.Clear();
        Invitations.Clear();
        IssuedTokens.Clear();
        _createRequests.Clear();
        Projects.Clear();
        if (Options.FluidstackRegionalProjects)
        {
            // Projects are regional: two in the first region, none in the second.
            var first = Catalog.Regions[0].Name;
            Projects.Add(new FsProject { Id = DefaultProjectId, Name = "sandbox", Region = first, Tags = { ["owner"] = "gpucloud-sandbox" } });
            Projects.Add(new FsProject { Id = Options.FluidstackSecondProjectId, Name = "second", Region = first });
        }
        else
        {
            Projects.Add(new FsProject { Id = DefaultProjectId, Name = "sandbox", Tags = { ["owner"] = "gpucloud-sandbox" } });
        }
        Capacity.Clear();
        foreach (var region in Catalog.Regions)
        {
            foreach (var type in region.InstanceTypes)
            {
                var key = region.Name + "/" + type.Name;
                Capacity[(region.Name, type.Name)] = Options.FluidstackCapacity.TryGetValue(key, out var c) ? c : type.Capacity;
            }
        }
    }

    public int NextOrdinal() => ++_ordinal;

    /// <summary>A random (seeded) version-4 UUID.</summary>
    public Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public int NextRandom(int maxExclusive) => _random.Next(maxExclusive);

    public void CountCreateRequest(SandboxProvider provider, string name)
    {
        _createRequests.TryGetValue((provider, name), out var n);
        _createRequests[(provider, name)] = n + 1;
    }

    public int CreateRequestCount(SandboxProvider provider, string name)
    {
        lock (Gate) return _createRequests.TryGetValue((provider, name), out var n) ? n : 0;
    }

    public IReadOnlyDictionary<string, int> CreateRequestCounts(SandboxProvider provider)
    {
        lock (Gate)
        {
            return _createRequests.Where(kv => kv.Key.Item1 == provider)
                .ToDictionary(kv => kv.Key.Item2, kv => kv.Value, StringComparer.Ordinal);
        }
    }

    public decimal GetFluenceBalance()
    {
        lock (Gate)
        {
            Advance();
            return FluenceBalance;
        }
    }

    public void SetFluenceBalance(decimal value)
    {
        lock (Gate) FluenceBalance = value;
    }

    public IReadOnlyList<SandboxInstance> Snapshot(SandboxProvider? provider)
    {
        lock (Gate)
        {
            Advance();
            var list = new List<SandboxInstance>();
            if (provider is null or SandboxProvider.Fluence)
            {
                list.AddRange(FluenceInstances.Select(i => new SandboxInstance(
                    SandboxProvider.Fluence, i.Id, i.Name,
                    i.Kind switch { FluenceKind.Container => "container", FluenceKind.Vm => "vm", _ => "baremetal" },
                    i.Location, i.Status, i.CreatedAt, i.IsLive)));
            }

            if (provider is null or SandboxProvider.Fluidstack)
            {
                list.AddRange(FsInstances.Select(i => new SandboxInstance(
                    SandboxProvider.Fluidstack, i.Id.ToString(), i.Name, "instance", i.Region, i.State, i.CreatedAt, i.IsLive)));
            }

            return list.OrderBy(i => i.CreatedAt).ToArray();
        }
    }

    public int GetCapacity(string region, string type)
    {
        lock (Gate) return Capacity.TryGetValue((region, type), out var c) ? c : throw UnknownType(region, type);
    }

    public void SetCapacity(string region, string type, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        lock (Gate)
        {
            if (!Capacity.ContainsKey((region, type))) throw UnknownType(region, type);
            Capacity[(region, type)] = capacity;
        }
    }

    private static ArgumentException UnknownType(string region, string type) =>
        new($"The sandbox has no instance type '{type}' in region '{region}'.");

    /// <summary>Applies every transition that is due on the sandbox clock. Call under <see cref="Gate"/>.</summary>
    public void Advance()
    {
        var now = Now;
        foreach (var i in FluenceInstances)
        {
            if (i.Status != FluenceStatus.Initialized || now < i.ActiveAt) continue;
            i.UpdatedAt = i.ActiveAt;
            if (i.WillFail)
            {
                // A failed provisioning is refunded in full.
                i.Status = FluenceStatus.Failed;
                i.EndedAt = i.ActiveAt;
                FluenceBalance += i.PricePerHour * Catalog.UpfrontHours;
            }
            else
            {
                i.Status = FluenceStatus.Active;
                i.ActivatedAt = i.ActiveAt;
                if (i.HasSsh) i.SshPort = SshListeners.Open(i.Id, i.ActiveAt + Options.SshAnswerDelay);
            }
        }

        for (var index = 0; index < FsInstances.Count; index++)
        {
            var i = FsInstances[index];
            while (i.DueAt is { } due && now >= due && i.NextState is { } next)
            {
                i.DueAt = null;
                i.NextState = null;
                i.UpdatedAt = due;
                if (next == "gone")
                {
                    ReleaseCapacity(i);
                    FsInstances.RemoveAt(index);
                    index--;
                    break;
                }

                i.State = next;
                if (next == FsState.Running && i.Ip is null)
                {
                    var regionIndex = Catalog.Regions.ToList().FindIndex(r => r.Name == i.Region) + 1;
                    i.Ip = $"10.{regionIndex}.{i.Ordinal / 250 % 250}.{i.Ordinal % 250 + 2}";
                }

                if (next == FsState.Error) ReleaseCapacity(i);
            }
        }
    }

    public void ReleaseCapacity(FsInstance i)
    {
        if (!i.HoldsCapacity) return;
        i.HoldsCapacity = false;
        Capacity[(i.Region, i.Type)] = Capacity[(i.Region, i.Type)] + 1;
    }

    /// <summary>Hours billed for an active (or ended) Fluence instance: the started clock hours, at least one.</summary>
    public static int BilledHours(FluenceInstance i, DateTimeOffset until)
    {
        if (i.ActivatedAt is not { } start) return 0;
        var elapsed = until - start;
        return Math.Max(1, (int)Math.Floor(elapsed.TotalHours) + 1);
    }
}
