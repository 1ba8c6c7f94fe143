namespace GpuCloud.Tests.Support;

/// <summary>
/// Saves the GpuCloud environment variables, clears them (so the machine's own settings never leak into a test),
/// lets a test set them, and restores the saved values on dispose. Tests using it must be [NonParallelizable].
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    public static readonly IReadOnlyList<string> Names =
    [
        "FLUENCE_API_KEY", "FLUENCE_BASE_URL", "FLUIDSTACK_TOKEN", "FLUIDSTACK_CLIENT_ID", "FLUIDSTACK_CLIENT_SECRET",
        "FLUIDSTACK_TOKEN_URL", "FLUIDSTACK_PROJECT_ID", "FLUIDSTACK_BASE_URL",
    ];

    private readonly Dictionary<string, string?> _saved = [];

    public EnvironmentScope()
    {
        foreach (var name in Names)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    public EnvironmentScope Set(string name, string? value)
    {
        if (!_saved.ContainsKey(name)) _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }
}
