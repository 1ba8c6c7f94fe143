using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GpuCloud;

/// <summary>
/// One attempt at reaching an SSH endpoint: TCP connect, then (for <see cref="ReadinessProbe.SshBanner"/>) the server's
/// identification line. Provider-neutral; the caller decides how often and until when to try.
/// </summary>
/// <remarks>
/// The attempt's timeouts run on the real clock, not the wait's <see cref="TimeProvider"/>: they bound real socket I/O,
/// and a fake clock would otherwise have to be advanced under a connect in flight.
/// </remarks>
internal sealed class SshEndpointProbe(ReadinessProbe kind, TimeSpan connectTimeout, TimeSpan bannerTimeout)
{
    /// <summary>RFC 4253 4.2: the identification line is at most 255 characters including CR LF.</summary>
    private const int MaxLineLength = 255;

    /// <summary>RFC 4253 4.2 lets a server send other lines first; a few are allowed, not an endless stream.</summary>
    private const int MaxLines = 16;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan DefaultBannerTimeout = TimeSpan.FromSeconds(5);

    public SshEndpointProbe(ReadinessProbe kind)
        : this(kind, DefaultConnectTimeout, DefaultBannerTimeout)
    {
    }

    public ReadinessProbe Kind { get; } = kind;

    /// <summary>Tries once. Never throws for network failures: they are a "did not answer" with a detail.</summary>
    public async Task<ProbeAttempt> ProbeAsync(SshEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        IPAddress[] addresses;
        using (var resolve = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            resolve.CancelAfter(connectTimeout);
            try
            {
                addresses = IPAddress.TryParse(endpoint.Host, out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(endpoint.Host, resolve.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return ProbeAttempt.NoAnswer($"{endpoint.Host} did not resolve");
            }
        }
        if (addresses.Length == 0) return ProbeAttempt.NoAnswer($"{endpoint.Host} did not resolve");
        var reachable = addresses.Where(IsLoopbackOrPublic).ToArray();
        if (reachable.Length == 0)
            return ProbeAttempt.NotProbed($"{endpoint.Host} ({addresses[0]}) is not a loopback or public address; it was not probed");

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(reachable, endpoint.Port, attempt.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ProbeAttempt.NoAnswer(ex is SocketException se ? $"connect failed ({se.SocketErrorCode})" : "connect timed out");
        }
        if (Kind == ReadinessProbe.Tcp) return ProbeAttempt.Reached(null);

        attempt.CancelAfter(bannerTimeout);
        try
        {
            return await ReadBannerAsync(socket, attempt.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException || ex is IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ProbeAttempt.NoAnswer(ex is OperationCanceledException ? "no SSH identification line in time" : "the connection failed while reading");
        }
    }

    private static async Task<ProbeAttempt> ReadBannerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new List<byte>(MaxLineLength);
        var buffer = new byte[512];
        var lines = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0) return ProbeAttempt.NoAnswer("the connection closed before an SSH identification line");
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b != (byte)'\n')
                {
                    if (line.Count >= MaxLineLength) return ProbeAttempt.NoAnswer("the server sent a line too long for SSH");
                    line.Add(b);
                    continue;
                }
                var text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
                if (text.StartsWith("SSH-2.0-", StringComparison.Ordinal) || text.StartsWith("SSH-1.99-", StringComparison.Ordinal))
                    return ProbeAttempt.Reached(Printable(text));
                if (text.StartsWith("SSH-", StringComparison.Ordinal))
                    return ProbeAttempt.NoAnswer($"the server speaks an unsupported SSH version ({Printable(text)})");
                if (++lines >= MaxLines) return ProbeAttempt.NoAnswer("the server sent no SSH identification line");
                line.Clear();
            }
        }
    }

    private static string Printable(string text) => new(text.Select(c => c is < ' ' or > '~' ? '?' : c).ToArray());

    /// <summary>
    /// Loopback, or an address routable on the internet. Private (RFC 1918, unique local), shared (RFC 6598), link-local,
    /// documentation, unspecified and multicast addresses are reachable only from some network, maybe not this one.
    /// </summary>
    internal static bool IsLoopbackOrPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
                || (b[0] == 100 && b[1] is >= 64 and < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8));
        }
        return false;
    }
}

/// <summary>The outcome of one probe attempt.</summary>
internal sealed record ProbeAttempt(bool Answered, string? Banner, bool Skipped, string Detail)
{
    public static ProbeAttempt Reached(string? banner) => new(true, banner, false, banner ?? "connected");

    public static ProbeAttempt NoAnswer(string detail) => new(false, null, false, detail);

    public static ProbeAttempt NotProbed(string reason) => new(false, null, true, reason);
}
