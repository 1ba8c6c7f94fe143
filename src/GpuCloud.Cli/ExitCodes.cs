using System.Runtime.InteropServices;

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

    /// <summary>Ended by SIGHUP (the terminal closed), after cleaning up: 128 + 1, as shells report it.</summary>
    public const int Hangup = 129;

    /// <summary>Cancelled by the user (Ctrl+C, SIGINT), after cleaning up: 128 + 2.</summary>
    public const int Cancelled = 130;

    /// <summary>Ended by SIGTERM, after cleaning up: 128 + 15.</summary>
    public const int Terminated = 143;

    /// <summary>The exit code for a command a signal stopped (SIGINT when none is known: a cancelled token in process).</summary>
    public static int For(PosixSignal? signal) => signal switch
    {
        PosixSignal.SIGTERM => Terminated,
        PosixSignal.SIGHUP => Hangup,
        _ => Cancelled,
    };
}
