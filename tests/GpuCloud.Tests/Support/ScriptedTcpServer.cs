using System.Net.Sockets;

namespace GpuCloud.Tests.Support;

/// <summary>What a <see cref="ScriptedTcpServer"/> does with one accepted connection.</summary>
public abstract record ServerReply
{
    /// <summary>Sends the text, then closes.</summary>
    public sealed record Send(string Text) : ServerReply;

    /// <summary>Sends nothing and keeps the connection open until the server is disposed.</summary>
    public sealed record Silent : ServerReply;

    public static ServerReply Banner(string banner = "SSH-2.0-OpenSSH_9.6") => new Send(banner + "\r\n");
}

/// <summary>
/// A loopback TCP server whose reply to the n-th connection (1-based) is scripted by the test: an SSH server that
/// answers at once, late, never, with something that is not SSH, or closes mid-line. No timing involved.
/// </summary>
public sealed class ScriptedTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, ServerReply> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _loop;
    private int _connections;

    public ScriptedTcpServer(Func<int, ServerReply> script)
    {
        _script = script;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var n = Interlocked.Increment(ref _connections);
            switch (_script(n))
            {
                case ServerReply.Send send:
                    try
                    {
                        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(send.Text), _stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                    {
                    }
                    client.Dispose();
                    break;
                default:
                    lock (_held) _held.Add(client);
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_held)
        {
            foreach (var c in _held) c.Dispose();
        }
        _stop.Dispose();
    }
}
