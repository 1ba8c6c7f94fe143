namespace GpuCloud.Tests.Support;

/// <summary>Recognizable secrets for the plumbing tests: none of them may ever reach a log line or an exception.</summary>
public static class PlumbingSecrets
{
    public const string FluenceKey = "fluence-SECRET-key-123";
    public const string FluidstackToken = "fluidstack-SECRET-token-456";
    public const string ClientId = "client-id-public";
    public const string ClientSecret = "client-SECRET-789";
    public const string IssuedToken1 = "issued-SECRET-token-1";
    public const string IssuedToken2 = "issued-SECRET-token-2";
    public const string RegistryPassword = "registry-SECRET-password-42";
    public const string EnvFluenceKey = "env-fluence-SECRET-key-321";
    public const string EnvFluidstackToken = "env-fluidstack-SECRET-token-654";
    public const string EnvClientSecret = "env-client-SECRET-987";

    public static readonly IReadOnlyList<string> All =
    [
        FluenceKey, FluidstackToken, ClientSecret, IssuedToken1, IssuedToken2, RegistryPassword,
        EnvFluenceKey, EnvFluidstackToken, EnvClientSecret,
    ];

    /// <summary>A token endpoint answer.</summary>
    public static string TokenJson(string token, int expiresIn = 3600) =>
        $$"""{"access_token": "{{token}}", "token_type": "Bearer", "expires_in": {{expiresIn}}}""";
}

/// <summary>
/// Collects everything a test's code under test wrote (logs at every level, exception messages and ToString)
/// and checks that no secret is in any of it.
/// </summary>
public sealed class SecretWatch
{
    private readonly List<string> _texts = [];

    public TestLogs Logs { get; } = new();

    /// <summary>How many pieces of text were checked (so a test can show it checked something).</summary>
    public int TextCount => Texts().Count();

    /// <summary>Records an exception's message and full ToString (inner exceptions and stack included).</summary>
    public T Saw<T>(T exception) where T : Exception
    {
        lock (_texts)
        {
            _texts.Add(exception.Message);
            _texts.Add(exception.ToString());
        }
        return exception;
    }

    /// <summary>Records any other text the code under test produced (e.g. a ToString).</summary>
    public void Saw(string text)
    {
        lock (_texts) _texts.Add(text);
    }

    public IEnumerable<string> Texts()
    {
        string[] own;
        lock (_texts) own = _texts.ToArray();
        return own.Concat(Logs.AllTexts);
    }

    /// <summary>Each text that contains a secret, with the secret.</summary>
    public IReadOnlyList<string> Leaks() =>
        Texts().SelectMany(t => PlumbingSecrets.All.Where(s => t.Contains(s, StringComparison.Ordinal)).Select(s => $"'{s}' in: {t}")).ToArray();

    public void AssertClean() => Assert.That(Leaks(), Is.Empty, "a secret reached a log line or an exception");
}
