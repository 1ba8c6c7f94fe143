using System.Buffers;
using System.Net;

namespace GpuCloud;

/// <summary>
/// A response body read in full inside the attempt, held in a buffer rented from <see cref="ArrayPool{T}.Shared"/>
/// and returned when the content (or its response) is disposed.
/// </summary>
/// <remarks>
/// <see cref="HttpContent.LoadIntoBufferAsync()"/> would allocate a new body-sized array per response (on the large
/// object heap for a catalog of thousands of plans), which the profile showed as the largest allocation the facade
/// adds over the raw client. Streams handed out stop reading once the content is disposed, so a returned buffer is
/// never read through them.
/// </remarks>
internal sealed class PooledBodyContent : HttpContent
{
    private const int InitialSize = 16 * 1024;

    private byte[]? _buffer;
    private readonly int _length;

    private PooledBodyContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>Reads <paramref name="source"/> to its end into a pooled buffer, then disposes it.</summary>
    /// <param name="source">The content to read; its headers are copied.</param>
    /// <param name="maxBytes">
    /// The largest body accepted; a larger one throws <see cref="HttpRequestException"/> with
    /// <see cref="HttpRequestError.ConfigurationLimitExceeded"/>, which is not retried.
    /// </param>
    /// <param name="cancellationToken">The attempt's token.</param>
    public static async Task<PooledBodyContent> ReadAsync(HttpContent source, long maxBytes, CancellationToken cancellationToken)
    {
        var declared = source.Headers.ContentLength;
        if (declared > maxBytes) throw TooLarge(maxBytes);
        // One byte beyond the declared length, so the read that meets the end needs no bigger buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(declared is { } n ? (int)Math.Min(n + 1, maxBytes + 1) : InitialSize);
        var length = 0;
        try
        {
            var stream = await source.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    // Never beyond the limit here: every read that passes it throws below.
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)length * 2, maxBytes + 1));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0) break;
                    length += read;
                    if (length > maxBytes) throw TooLarge(maxBytes);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var content = new PooledBodyContent(buffer, length);
        // Copied as received (NonValidated): parsing them here would be wasted work for the reader to repeat.
        foreach (var (name, values) in source.Headers.NonValidated)
        {
            if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (values.Count == 1) content.Headers.TryAddWithoutValidation(name, values.ToString());
            else content.Headers.TryAddWithoutValidation(name, values);
        }
        source.Dispose();
        return content;
    }

    private static HttpRequestException TooLarge(long maxBytes) =>
        new(HttpRequestError.ConfigurationLimitExceeded, $"The response body is larger than {maxBytes} bytes, the most this client reads.");

    private ReadOnlyMemory<byte> Body => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBodyContent))).AsMemory(0, _length);

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Body).AsTask();

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Body, cancellationToken).AsTask();

    /// <inheritdoc />
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(Body.Span);

    /// <inheritdoc />
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new BodyStream(this));

    /// <inheritdoc />
    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => CreateContentReadStreamAsync();

    /// <inheritdoc />
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new BodyStream(this);

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        base.Dispose(disposing);
    }

    /// <summary>A read-only, seekable view of the body that fails once the content has been disposed.</summary>
    private sealed class BodyStream(PooledBodyContent owner) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => owner._length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, owner._length);
        }

        public override int Read(Span<byte> buffer)
        {
            var available = owner.Body.Span[_position..];
            var count = Math.Min(available.Length, buffer.Length);
            available[..count].CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int ReadByte() => _position < owner._length ? owner.Body.Span[_position++] : -1;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => owner._length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
