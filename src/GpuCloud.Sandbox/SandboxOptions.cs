namespace GpuCloud.Sandbox;

/// <summary>
/// Settings of a <see cref="SandboxServer"/>. Every value has a default that suits a human trying the sandbox by
/// hand; tests usually set <see cref="TimeProvider"/> (a fake clock) or zero delays.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>
    /// The one listener, e.g. <c>http://127.0.0.1:5080</c>. Only <c>http</c> on a loopback host (127.0.0.0/8, ::1 or
    /// <c>localhost</c>) is accepted. When null, <see cref="Port"/> on 127.0.0.1 is used.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>Port on 127.0.0.1 when <see cref="Urls"/> is null; 0 (the default) picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The clock behind every timestamp, state transition, token expiry and injected delay (latency, slow bodies).
    /// Defaults to <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Time from a create request to the provisioned state: Fluence INITIALIZED → ACTIVE (or FAILED), Fluidstack
    /// creating → running (or out-of-stock / error). Default 2 s.
    /// </summary>
    public TimeSpan ProvisioningDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Time from a Fluence instance with SSH turning ACTIVE until its loopback SSH listener answers (connects are refused
    /// before): the "running but not reachable yet" gap of real machines. Default 1 s.
    /// </summary>
    public TimeSpan SshAnswerDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time a Fluidstack instance spends in stopping or starting before stopped or running. Default 2 s.</summary>
    public TimeSpan StartStopDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time a Fluidstack instance spends in deleting before it is gone (404). Default 2 s.</summary>
    public TimeSpan DeletionDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Lifetime of access tokens issued by <c>POST /oauth/token</c> (<c>expires_in</c>). Default 1 h.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Fluence account balance in USDC. A deploy takes <c>upfront_hours</c> (3) hours of the plan's price; when the
    /// balance cannot cover that the deploy fails with 400 "Insufficient balance to deploy instance". Default 1000.
    /// </summary>
    public decimal FluenceBalance { get; set; } = 1000m;

    /// <summary>Seed of the catalog ids, generated instance ids and probabilistic faults. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The Fluence API key expected in <c>X-API-KEY</c>.</summary>
    public string FluenceApiKey { get; set; } = "sandbox-fluence-api-key";

    /// <summary>A static Fluidstack bearer token that never expires (besides tokens issued by <c>/oauth/token</c>).</summary>
    public string FluidstackToken { get; set; } = "sandbox-fluidstack-static-token";

    /// <summary>The OAuth client id accepted by <c>POST /oauth/token</c>.</summary>
    public string FluidstackClientId { get; set; } = "sandbox-client-id";

    /// <summary>The OAuth client secret accepted by <c>POST /oauth/token</c>.</summary>
    public string FluidstackClientSecret { get; set; } = "sandbox-client-secret";

    /// <summary>The OAuth audience accepted by <c>POST /oauth/token</c> (an omitted audience is accepted too).</summary>
    public string FluidstackAudience { get; set; } = "https://api.fluidstack.io";

    /// <summary>The sandbox's Fluidstack project (the <c>X-PROJECT-ID</c> to send). Null derives one from <see cref="Seed"/>.</summary>
    public Guid? FluidstackProjectId { get; set; }

    /// <summary>
    /// Overrides of the seeded Fluidstack capacity, keyed <c>"region/instance-type"</c>
    /// (e.g. <c>"eu-north-1/h100-hgx-80gb.8x" = 1</c>).
    /// </summary>
    public IDictionary<string, int> FluidstackCapacity { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// Atlas projects are regional (the official Go client's example asks for "an existing Atlas project in this
    /// region"). When true, the sandbox's project lives in <c>eu-north-1</c> only, beside a second project there
    /// (<see cref="FluidstackSecondProjectId"/>), and <c>us-east-2</c> has none: its capacity and instance calls answer
    /// 403. Default false: the one project is in every region, as older setups assume.
    /// </summary>
    public bool FluidstackRegionalProjects { get; set; }

    /// <summary>The second project in <c>eu-north-1</c> when <see cref="FluidstackRegionalProjects"/> is on.</summary>
    public Guid FluidstackSecondProjectId { get; set; } = Guid.Parse("5ec0d000-0000-4000-8000-000000000002");

    /// <summary>
    /// How an instance's <c>userData</c> is sent back. The spec says base64 (<c>format: byte</c>), but null, base64
    /// with a trailing newline and raw <c>#cloud-config</c> text all occur in Fluidstack's examples. Default
    /// <see cref="UserDataEcho.Base64"/>.
    /// </summary>
    public UserDataEcho FluidstackUserData { get; set; } = UserDataEcho.Base64;

    /// <summary>
    /// When true, one list in each API carries one item that cannot be read as its schema says: a Fluence VM offer
    /// whose memory count is 1.5 (the docs type counts as integers) and a Fluidstack instance type whose cpu is 1.5.
    /// For checking that one odd value costs one item, never the list. Default false.
    /// </summary>
    public bool ServeMalformedListItem { get; set; }

    /// <summary>Fault rules active from the start (see <see cref="SandboxFaults"/>).</summary>
    public IList<FaultRule> Faults { get; } = new List<FaultRule>();

    /// <summary>When true, one line per request (method, path, status) is written to standard output.</summary>
    public bool LogRequests { get; set; }
}

/// <summary>How the sandbox sends back a Fluidstack instance's <c>userData</c>.</summary>
public enum UserDataEcho
{
    /// <summary>Base64 of what was sent, as the spec says.</summary>
    Base64,

    /// <summary>Base64 with a trailing newline, as some examples show.</summary>
    Base64WithNewline,

    /// <summary>The decoded text itself (e.g. <c>#cloud-config ...</c>), as other examples show.</summary>
    RawText,

    /// <summary>Always null.</summary>
    Null,
}
