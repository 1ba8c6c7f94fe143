namespace GpuCloud.Sandbox.Internal;

/// <summary>What the endpoint handlers share: state, faults, options and the listener's base URL.</summary>
internal sealed class SandboxContext
{
    public SandboxContext(SandboxOptions options)
    {
        Options = options;
        State = new SandboxState(options);
        Faults = new SandboxFaults(options.Seed);
        foreach (var rule in options.Faults) Faults.Add(rule);
        TokenKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    }

    public SandboxOptions Options { get; }
    public SandboxState State { get; }
    public SandboxFaults Faults { get; }
    public byte[] TokenKey { get; }

    /// <summary>The listener's root URL, ending with a slash; set once the server is bound.</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1/");

    /// <summary>Back to the starting point: seeded state, and only the faults given in the options (re-armed).</summary>
    public void Reset()
    {
        State.Reset();
        Faults.Clear();
        foreach (var rule in Options.Faults) Faults.Add(rule.Clone());
    }

    public string RegionUrl(string region) => new Uri(BaseUrl, $"fluidstack/regions/{region}").ToString();
}
