using GpuCloud;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;
using static GpuCloud.GpuCloudErrorCode;
using static GpuCloud.Reliability.Tests.Expect;

namespace GpuCloud.Reliability.Tests;

/// <summary>How an operation's primary request is treated by the library's rules.</summary>
public enum OpKind
{
    /// <summary>GET: retried on transient faults.</summary>
    Read,

    /// <summary>DELETE (Fluence: a GET, then DELETE), or Fluence's key removal by ids (a POST that is safe to repeat): retried on transient faults.</summary>
    Idempotent,

    /// <summary>POST other than a create (start, stop, key add): never retried once sent.</summary>
    Post,

    /// <summary>POST creating an instance: never retried; an unknown outcome is looked up by name.</summary>
    Create,
}

/// <summary>What the operation needs before the fault is armed.</summary>
public enum Setup
{
    None,
    Instance,
    StoppedInstance,
    Key,
}

/// <summary>What a successful outcome must show.</summary>
public enum Check
{
    Plans,
    ListHasInstance,
    GotInstance,
    Created,
    Deleted,
    Stopped,
    Started,
    ListHasKey,
    KeyAdded,
    KeyRemoved,
}

/// <summary>
/// An expected outcome: success, a <see cref="GpuCloudException"/> code, or not applicable. Every cell asserts the
/// library's intended behaviour; none records a known bug (<see cref="Note"/> explains an outcome a caller might not expect).
/// </summary>
public sealed record Expect
{
    public GpuCloudErrorCode? Code { get; init; }

    public bool NotApplicable { get; init; }

    /// <summary>Why the library's behaviour is accepted although a caller might expect otherwise (reported, not ignored).</summary>
    public string? Note { get; init; }

    public static readonly Expect Ok = new();

    public static readonly Expect NA = new() { NotApplicable = true };

    public static Expect Fail(GpuCloudErrorCode code) => new() { Code = code };

    public Expect Because(string note) => this with { Note = note };

    public override string ToString() => NotApplicable ? "n/a" : Code?.ToString() ?? "ok";
}

/// <summary>Where an operation's faults are injected: its primary request (path prefix and method).</summary>
public readonly record struct Scope(string Prefix, string? Method);

/// <summary>
/// One facade operation of the matrix. <see cref="Calls"/> is how many requests it makes one after the other (each
/// bounded by the total timeout), which gives its deadline. The prefix may contain <c>{id}</c> (the setup instance's raw id).
/// </summary>
public sealed record Operation(string Name, string Provider, OpKind Kind, int Calls, bool AnswerHasBody, bool AnswerIsArray, Setup Setup,
    string Prefix, string Method, Check Check, Func<MatrixCell, Task<object?>> Run)
{
    public override string ToString() => Name;
}

/// <summary>
/// One fault: sandbox rules and/or client-side response transforms for a scope, and the expected outcome per
/// <see cref="OpKind"/>. <see cref="Only"/> limits it to some operations; <see cref="NeedsBody"/> skips operations whose
/// answer has no body (a body fault cannot apply to a 204).
/// </summary>
public sealed record Fault(string Name, Expect Read, Expect Idempotent, Expect Post, Expect Create)
{
    public Func<Scope, FaultRule[]> Sandbox { get; init; } = _ => [];

    public Func<Scope, ResponseTransform[]> Client { get; init; } = _ => [];

    /// <summary>Inject on every method of the operation's path, not only its primary method.</summary>
    public bool WholePath { get; init; }

    public bool NeedsBody { get; init; }

    /// <summary>Client settings of the cell, over <see cref="Clients.Options"/> (null: those).</summary>
    public Action<GpuCloudOptions>? Configure { get; init; }

    public string[]? Only { get; init; }

    /// <summary>Success must show <see cref="InstanceState.Unknown"/> for the instances involved.</summary>
    public bool UnknownState { get; init; }

    /// <summary>When the outcome is <see cref="GpuCloudErrorCode.RateLimited"/>, the <see cref="GpuCloudException.RetryAfter"/> it must carry (null: none).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public override string ToString() => Name;
}

/// <summary>The state of one matrix cell, handed to the operation.</summary>
public sealed class MatrixCell(SandboxServer sandbox, GpuCloudClient client, GpuPlan fluencePlan)
{
    public const string CreateName = "rel-create";
    public const string SetupName = "rel-setup";
    public const string AddedKeyName = "reladd";

    public SandboxServer Sandbox { get; } = sandbox;

    public GpuCloudClient Client { get; } = client;

    public GpuPlan FluencePlan { get; } = fluencePlan;

    public GpuInstance? Instance { get; set; }

    public string InstanceId => Instance?.Id ?? throw new InvalidOperationException("no setup instance");

    public SshKey? Key { get; set; }

    public CreateInstanceRequest CreateRequest(string provider) => provider == "fluence"
        ? Clients.FluenceRequest(FluencePlan, CreateName)
        : Clients.FluidstackRequest(CreateName);
}

/// <summary>The matrix as data: operations, faults, and the cells whose outcome differs from the per-kind rule.</summary>
public static class FaultMatrix
{
    private const string Fs = "fluidstack";
    private const string Fl = "fluence";
    private const string FsInstances = "/fluidstack/regions/" + Sandboxes.Region + "/api/v1alpha1/instances";

    public static readonly Operation[] Operations =
    [
        new("fluence.plans", Fl, OpKind.Read, 1, true, true, Setup.None, "/gpu/plans", "GET", Check.Plans, async c => await c.Client.ListPlansAsync(new PlanQuery { Providers = [Fl] })),
        new("fluidstack.plans", Fs, OpKind.Read, 2, true, true, Setup.None, "/fluidstack/regions/", "GET", Check.Plans, async c => await c.Client.ListPlansAsync(new PlanQuery { Providers = [Fs] })),
        new("fluence.list", Fl, OpKind.Read, 1, true, true, Setup.Instance, "/gpu/instances", "GET", Check.ListHasInstance, async c => await c.Client.ListInstancesAsync(Fl)),
        new("fluidstack.list", Fs, OpKind.Read, 1, true, true, Setup.Instance, "/fluidstack/api/v1alpha1/instances", "GET", Check.ListHasInstance, async c => await c.Client.ListInstancesAsync(Fs)),
        new("fluence.get", Fl, OpKind.Read, 1, true, false, Setup.Instance, "/gpu/instances/", "GET", Check.GotInstance, async c => await c.Client.GetInstanceAsync(Fl, c.InstanceId)),
        new("fluidstack.get", Fs, OpKind.Read, 1, true, false, Setup.Instance, FsInstances + "/", "GET", Check.GotInstance, async c => await c.Client.GetInstanceAsync(Fs, c.InstanceId)),
        new("fluence.create", Fl, OpKind.Create, 3, true, false, Setup.None, "/gpu/instances", "POST", Check.Created, async c => await c.Client.CreateInstanceAsync(c.CreateRequest(Fl))),
        new("fluidstack.create", Fs, OpKind.Create, 2, true, false, Setup.None, FsInstances, "POST", Check.Created, async c => await c.Client.CreateInstanceAsync(c.CreateRequest(Fs))),
        new("fluence.delete", Fl, OpKind.Idempotent, 2, false, false, Setup.Instance, "/gpu/instances/", "DELETE", Check.Deleted, async c => { await c.Client.DeleteInstanceAsync(Fl, c.InstanceId); return null; }),
        new("fluidstack.delete", Fs, OpKind.Idempotent, 1, false, false, Setup.Instance, FsInstances + "/", "DELETE", Check.Deleted, async c => { await c.Client.DeleteInstanceAsync(Fs, c.InstanceId); return null; }),
        new("fluidstack.stop", Fs, OpKind.Post, 1, false, false, Setup.Instance, FsInstances + "/{id}/actions/stop", "POST", Check.Stopped, async c => { await c.Client.StopInstanceAsync(Fs, c.InstanceId); return null; }),
        new("fluidstack.start", Fs, OpKind.Post, 1, false, false, Setup.StoppedInstance, FsInstances + "/{id}/actions/start", "POST", Check.Started, async c => { await c.Client.StartInstanceAsync(Fs, c.InstanceId); return null; }),
        new("fluence.keys.list", Fl, OpKind.Read, 1, true, false, Setup.Key, "/v1/ssh_keys", "GET", Check.ListHasKey, async c => await c.Client.ListSshKeysAsync(Fl)),
        new("fluidstack.keys.list", Fs, OpKind.Read, 1, true, true, Setup.Key, "/fluidstack/api/v1alpha1/user/keys", "GET", Check.ListHasKey, async c => await c.Client.ListSshKeysAsync(Fs)),
        new("fluence.keys.add", Fl, OpKind.Post, 3, true, false, Setup.None, "/v1/ssh_keys", "POST", Check.KeyAdded, async c => await c.Client.AddSshKeyAsync(MatrixCell.AddedKeyName, Keys.Rsa2048, Fl)),
        new("fluidstack.keys.add", Fs, OpKind.Post, 3, false, false, Setup.None, "/fluidstack/api/v1alpha1/user/keys", "POST", Check.KeyAdded, async c => await c.Client.AddSshKeyAsync(MatrixCell.AddedKeyName, Keys.Rsa2048, Fs)),
        new("fluence.keys.remove", Fl, OpKind.Idempotent, 1, true, false, Setup.Key, "/v1/ssh_keys/delete", "POST", Check.KeyRemoved, async c => { await c.Client.RemoveSshKeyAsync(Fl, c.Key!.Id); return null; }),
        new("fluidstack.keys.remove", Fs, OpKind.Idempotent, 1, false, false, Setup.Key, "/fluidstack/api/v1alpha1/user/keys/", "DELETE", Check.KeyRemoved, async c => { await c.Client.RemoveSshKeyAsync(Fs, c.Key!.Id); return null; }),
    ];

    private static FaultRule Status(int status, Scope s, int? count, TimeSpan? retryAfter = null) =>
        new() { Kind = FaultKind.Status, StatusCode = status, PathPrefix = s.Prefix, Method = s.Method, Count = count, RetryAfter = retryAfter };

    private static FaultRule Of(FaultKind kind, Scope s, int? count, bool after = false, TimeSpan delay = default, int chunk = 16) =>
        new() { Kind = kind, PathPrefix = s.Prefix, Method = s.Method, Count = count, AfterHandler = after, Delay = delay, ChunkSize = chunk };


    private static readonly Expect PU = Fail(ProviderUnavailable);

    private static readonly Expect TO = Fail(GpuCloudErrorCode.Timeout);

    /// <summary>Faults: one line each. Columns: Read, Idempotent, Post, Create.</summary>
    public static readonly Fault[] Faults =
    [
        new("429 Retry-After 1s", Ok, Ok, Fail(RateLimited), Fail(RateLimited)) { Sandbox = s => [Status(429, s, 1, TimeSpan.FromSeconds(1))], RetryAfter = TimeSpan.FromSeconds(1) },
        new("429 without Retry-After", Ok, Ok, Fail(RateLimited), Fail(RateLimited)) { Sandbox = s => [Status(429, s, 1)], Client = s => [Transforms.StripRetryAfter(s.Prefix, s.Method)] },
        new("429 Retry-After 5s over MaxRetryAfter", Fail(RateLimited), Fail(RateLimited), Fail(RateLimited), Fail(RateLimited)) { Sandbox = s => [Status(429, s, 1, TimeSpan.FromSeconds(5))], RetryAfter = TimeSpan.FromSeconds(5) },
        new("500 twice", Ok, Ok, PU, PU) { Sandbox = s => [Status(500, s, 2)] },
        new("502 twice", Ok, Ok, PU, PU) { Sandbox = s => [Status(502, s, 2)] },
        new("503 twice", Ok, Ok, PU, PU) { Sandbox = s => [Status(503, s, 2)] },
        new("504 twice", Ok, Ok, TO, TO) { Sandbox = s => [Status(504, s, 2)] },
        new("503 always", PU, PU, PU, PU) { Sandbox = s => [Status(503, s, null)] },
        new("connection dropped before the handler", Ok, Ok, PU, PU) { Sandbox = s => [Of(FaultKind.DropConnection, s, 1)] },
        new("connection dropped after the handler", Ok, Ok, PU, Ok) { Sandbox = s => [Of(FaultKind.DropConnection, s, 1, after: true)] },
        new("slow headers past the attempt timeout", Ok, Ok, TO, TO) { Sandbox = s => [Of(FaultKind.Latency, s, 1, delay: Clients.Forever)], Configure = Clients.ShortAttempts },
        new("slow body past the attempt timeout", Ok, Ok, TO, Ok) { Sandbox = s => [Of(FaultKind.SlowBody, s, 1, delay: Clients.Forever, chunk: 16)], NeedsBody = true, Configure = Clients.ShortAttempts },
        new("malformed JSON", Fail(InvalidResponse), Fail(InvalidResponse), Fail(InvalidResponse), Fail(InvalidResponse)) { Sandbox = s => [Of(FaultKind.MalformedJson, s, null)], NeedsBody = true },
        new("malformed JSON after the handler", Fail(InvalidResponse), Fail(InvalidResponse), Fail(InvalidResponse), Ok) { Sandbox = s => [Of(FaultKind.MalformedJson, s, null, after: true)], NeedsBody = true },
        new("truncated JSON", Fail(InvalidResponse), Fail(InvalidResponse), Fail(InvalidResponse), Ok) { Sandbox = s => [Of(FaultKind.TruncatedJson, s, null)], NeedsBody = true },
        new("HTML 502 page twice", Ok, Ok, PU, PU) { Sandbox = s => [Of(FaultKind.HtmlError, s, 2)] },
        new("HTML 502 page always", PU, PU, PU, PU) { Sandbox = s => [Of(FaultKind.HtmlError, s, null)] },
        new("empty body", Fail(InvalidResponse), Fail(InvalidResponse), Fail(InvalidResponse), Ok) { Client = s => [Transforms.EmptyBody(s.Prefix, s.Method)], NeedsBody = true },
        new("unknown enum value", Ok, Ok, Ok, Ok) { Sandbox = s => [Of(FaultKind.UnknownEnum, s, null)], WholePath = true, UnknownState = true },
        new("missing optional fields", Ok, Ok, Ok, Ok) { Client = s => [Transforms.MissingOptionalFields(s.Prefix, null)], WholePath = true, Only = ["fluence.plans", "fluidstack.plans", "fluence.list", "fluence.get", "fluence.create"] },
        new("extra fields", Ok, Ok, Ok, Ok) { Client = s => [Transforms.ExtraFields(s.Prefix, null)], WholePath = true, NeedsBody = true },
        new("50 MB JSON array", Ok, NA, NA, NA) { Client = s => [Transforms.HugeArray(s.Prefix, s.Method, count: 1)], Only = ["fluence.plans", "fluidstack.plans", "fluence.list", "fluidstack.list", "fluidstack.keys.list"] },
    ];

    /// <summary>Cells whose outcome differs from the per-kind rule of their fault: one line each, with the reason.</summary>
    public static readonly Dictionary<(string Fault, string Operation), Expect> Overrides = new()
    {
        [("connection dropped after the handler", "fluence.delete")] = Ok,
        [("unknown enum value", "fluence.delete")] = Fail(Conflict).Because("Fluence terminates only ACTIVE instances; the library refuses a state it does not know (HIBERNATING) locally instead of letting the provider decide"),
    };

    public static Operation Operation(string name) => Operations.Single(o => o.Name == name);

    public static Fault Fault(string name) => Faults.Single(f => f.Name == name);

    public static Expect Expected(Fault fault, Operation op)
    {
        if (Overrides.TryGetValue((fault.Name, op.Name), out var overridden)) return overridden;
        if (fault.Only is { } only && !only.Contains(op.Name)) return NA;
        if (fault.NeedsBody && !op.AnswerHasBody) return NA;
        return op.Kind switch
        {
            OpKind.Read => fault.Read,
            OpKind.Idempotent => fault.Idempotent,
            OpKind.Post => fault.Post,
            _ => fault.Create,
        };
    }

    public static Scope ScopeOf(Fault fault, Operation op, MatrixCell cell)
    {
        var prefix = op.Prefix.Replace("{id}", cell.Instance is { } i ? Sandboxes.RawId(i.Id) : "", StringComparison.Ordinal);
        return new Scope(prefix, fault.WholePath ? null : op.Method);
    }
}
