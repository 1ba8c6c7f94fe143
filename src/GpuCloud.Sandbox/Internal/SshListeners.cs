using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// One loopback TCP listener per running sandbox instance with SSH, so that "Connect with" points at something that
/// answers. The port is reserved (bound) when the instance turns running, but accepts connections only once
/// <see cref="SandboxOptions.SshAnswerDelay"/> has passed on the sandbox clock: until then a connect is refused, as
/// when a machine is running but its SSH server is not up yet. It then sends an SSH identification line and closes.
/// </summary>
internal sealed class SshListeners(TimeProvider time) : IDisposable
{
    public const string Banner = "SSH-2.0-GpuCloudSandbox_1.0";

    private readonly Dictionary<string, Listener> _open = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Reserves a port for <paramref name="key"/> (idempotent) that answers from <paramref name="answersFrom"/>.</summary>
    public int Open(string key, DateTimeOffset answersFrom)
    {
        lock (_open)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(key, out var existing)) return existing.Port;
            var listener = new Listener(time, answersFrom);
            _open[key] = listener;
            return listener.Port;
        }
    }

    /// <summary>Closes <paramref name="key"/>'s listener, if any: the instance ended.</summary>
    public void Close(string key)
    {
        Listener? listener;
        lock (_open)
        {
            if (!_open.Remove(key, out listener)) return;
        }
        listener.Dispose();
    }

    /// <summary>The ports currently reserved, by key (for tests and the inventory).</summary>
    public IReadOnlyDictionary<string, int> Ports
    {
        get { lock (_open) return _open.ToDictionary(p => p.Key, p => p.Value.Port, StringComparer.Ordinal); }
    }

    public void CloseAll()
    {
        Listener[] all;
        lock (_open)
        {
            all = [.. _open.Values];
            _open.Clear();
        }
        foreach (var listener in all) listener.Dispose();
    }

    public void Dispose()
    {
        lock (_open) _disposed = true;
        CloseAll();
    }

    private sealed class Listener : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private readonly ITimer? _timer;

        public Listener(TimeProvider time, DateTimeOffset answersFrom)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
            var delay = answersFrom - time.GetUtcNow();
            if (delay <= TimeSpan.Zero) Start();
            else _timer = time.CreateTimer(_ => Start(), null, delay, Timeout.InfiniteTimeSpan);
        }

        public int Port { get; }

        private void Start()
        {
            try
            {
                _socket.Listen(16);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = AcceptLoopAsync();
        }

        private async Task AcceptLoopAsync()
        {
            var banner = Encoding.ASCII.GetBytes(Banner + "\r\n");
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                using (client)
                {
                    try
                    {
                        await client.SendAsync(banner, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                        client.Shutdown(SocketShutdown.Both);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                    }
                }
            }
        }

        public void Dispose()
        {
            _timer?.Dispose();
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
