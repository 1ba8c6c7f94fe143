namespace GpuCloud.Cli;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>
    /// A provider or API error (one line: provider, error code, message); also a list command whose every target failed
    /// (<c>plans</c>, <c>instances list</c>). A partial failure is a success with the failures listed.
    /// </summary>
    public const int ProviderError = 1;

    /// <summary>A usage or validation error.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled by the user (Ctrl+C), after cleaning up.</summary>
    public const int Cancelled = 130;
}
