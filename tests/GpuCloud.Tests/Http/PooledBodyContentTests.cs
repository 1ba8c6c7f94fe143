using System.Net.Http.Headers;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// The pooled buffer a response body is read into inside its attempt: the bytes and headers survive, the size cap
/// holds with and without a declared length, and nothing reads the buffer after it went back to the pool.
/// </summary>
public class PooledBodyContentTests
{
    private static byte[] Body(int size) => Enumerable.Range(0, size).Select(i => (byte)('a' + i % 26)).ToArray();

    /// <summary>A body without a declared length that arrives a few bytes per read, as a chunked response does.</summary>
    private static HttpContent Chunked(byte[] body, int chunk = 7)
    {
        var content = new StreamContent(new DribbleStream(body, chunk));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(16 * 1024)]
    [TestCase(100_003)]
    public async Task ChunkedBody_OfAnySize_IsReadWhole_WithItsHeaders(int size)
    {
        var body = Body(size);
        using var content = await PooledBodyContent.ReadAsync(Chunked(body), 1 << 20, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await content.ReadAsByteArrayAsync(), Is.EqualTo(body));
            Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
            Assert.That(content.Headers.ContentLength, Is.EqualTo(size));
        }
    }

    [Test]
    public async Task DeclaredLength_BodyReadsAsStreamAndAsString()
    {
        var json = "{\"id\":\"b54672e2\",\"name\":\"worker\"}";
        using var content = await PooledBodyContent.ReadAsync(new StringContent(json, Encoding.UTF8, "application/json"), 1 << 20, CancellationToken.None);

        using var reader = new StreamReader(await content.ReadAsStreamAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo(json));
            Assert.That(await content.ReadAsStringAsync(), Is.EqualTo(json), "an error body is read as text after the stream");
        }
    }

    [Test]
    public void DeclaredLengthOverTheCap_FailsBeforeReading()
    {
        var source = new ByteArrayContent(Body(2048));
        var ex = Assert.ThrowsAsync<HttpRequestException>(() => PooledBodyContent.ReadAsync(source, 1024, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("1024"));
    }

    [Test]
    public void UndeclaredBodyOverTheCap_FailsOnceItPassesTheCap()
    {
        var stream = new DribbleStream(Body(5000), 100);
        var ex = Assert.ThrowsAsync<HttpRequestException>(() => PooledBodyContent.ReadAsync(new StreamContent(stream), 1024, CancellationToken.None));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Message, Does.Contain("1024"));
            Assert.That(stream.Position, Is.LessThan(5000), "reading stops at the cap instead of taking the whole body");
        }
    }

    [Test]
    public void BodyExactlyAtTheCap_IsAccepted()
    {
        Assert.DoesNotThrowAsync(async () =>
        {
            using var content = await PooledBodyContent.ReadAsync(Chunked(Body(1024)), 1024, CancellationToken.None);
            Assert.That(content.Headers.ContentLength, Is.EqualTo(1024));
        });
    }

    [Test]
    public void CancelledWhileReading_Throws_AndTheSourceIsLeftForTheCaller()
    {
        using var cts = new CancellationTokenSource();
        var stream = new DribbleStream(Body(1000), 10) { OnRead = count => { if (count == 3) cts.Cancel(); } };
        Assert.CatchAsync<OperationCanceledException>(() => PooledBodyContent.ReadAsync(new StreamContent(stream), 1 << 20, cts.Token));
    }

    [Test]
    public async Task AStreamKeptPastDispose_FailsInsteadOfReadingTheReturnedBuffer()
    {
        var content = await PooledBodyContent.ReadAsync(Chunked(Body(300)), 1 << 20, CancellationToken.None);
        var stream = await content.ReadAsStreamAsync();
        var first = new byte[10];
        Assert.That(await stream.ReadAsync(first), Is.EqualTo(10));

        content.Dispose();

        Assert.Throws<ObjectDisposedException>(() => stream.ReadExactly(new byte[10]));
    }

    [Test]
    public async Task Handler_HandsTheGeneratedClientABodyAlreadyRead_ThatDisposingTheResponseReturns()
    {
        var body = Body(40_000);
        var inner = new ScriptedHandler();
        inner.OnAny((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Chunked(body, 1000) }));
        using var handler = new GpuCloudResilienceHandler("test", new GpuCloudResilienceOptions()) { InnerHandler = inner };
        using var client = new HttpClient(handler);

        var response = await client.GetAsync("https://api.example.test/items", HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content, Is.TypeOf<PooledBodyContent>(), "read inside the attempt");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        }
        response.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
    }

    [Test]
    public void Handler_BodyOverTheLimit_FailsAtOnce_WithoutRetrying_AsAnInvalidResponse()
    {
        var inner = new ScriptedHandler();
        inner.OnAny((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Chunked(Body(5000), 100) }));
        using var handler = new GpuCloudResilienceHandler("test", new GpuCloudResilienceOptions()) { InnerHandler = inner, MaxBodyBytes = 1000 };
        using var client = new HttpClient(handler);

        var ex = Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://api.example.test/items"));
        var translated = GpuCloud.ErrorTranslation.FromTransport("test", ex!, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.HttpRequestError, Is.EqualTo(HttpRequestError.ConfigurationLimitExceeded));
            Assert.That(inner.Count, Is.EqualTo(1), "a body over the limit would be over it again: no retry");
            Assert.That(translated?.Code, Is.EqualTo(GpuCloud.GpuCloudErrorCode.InvalidResponse));
        }
    }

    [Test]
    public async Task TheBodyStream_SeeksAndReadsLikeAMemoryStream()
    {
        var body = Body(100);
        using var content = await PooledBodyContent.ReadAsync(Chunked(body), 1 << 20, CancellationToken.None);
        using var stream = await content.ReadAsStreamAsync();
        using var expected = new MemoryStream(body, writable: false);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((stream.CanRead, stream.CanSeek, stream.CanWrite), Is.EqualTo((true, true, false)));
            Assert.That(stream.Length, Is.EqualTo(100));
            Assert.That(stream.ReadByte(), Is.EqualTo(body[0]));
            Assert.That(stream.Position, Is.EqualTo(1));
            Assert.That(stream.Seek(10, SeekOrigin.Begin), Is.EqualTo(10));
            Assert.That(stream.ReadByte(), Is.EqualTo(body[10]));
            Assert.That(stream.Seek(-3, SeekOrigin.Current), Is.EqualTo(8));
            Assert.That(stream.ReadByte(), Is.EqualTo(body[8]));
            Assert.That(stream.Seek(-4, SeekOrigin.End), Is.EqualTo(96));
            var tail = new byte[10];
            Assert.That(stream.Read(tail, 0, 10), Is.EqualTo(4), "only what is left");
            Assert.That(tail[..4], Is.EqualTo(body[96..]));
            Assert.That(stream.ReadByte(), Is.EqualTo(-1), "the end");
            Assert.That(stream.Read(tail, 0, 10), Is.Zero, "the end");
            stream.Position = -5;
            Assert.That(stream.Position, Is.Zero, "a position before the start is the start");
            stream.Position = 1000;
            Assert.That(stream.Position, Is.EqualTo(100), "a position past the end is the end");
            Assert.That(() => stream.Write([1], 0, 1), Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.SetLength(5), Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Flush(), Throws.Nothing);
        }
    }

    [Test]
    public async Task TheBodyStream_ReadsAsynchronously_AndHonoursACancelledToken()
    {
        var body = Body(50);
        using var content = await PooledBodyContent.ReadAsync(Chunked(body), 1 << 20, CancellationToken.None);
        using var stream = await content.ReadAsStreamAsync();
        var first = new byte[20];

        Assert.That(await stream.ReadAsync(first, 0, 20, CancellationToken.None), Is.EqualTo(20));
        Assert.That(first, Is.EqualTo(body[..20]));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        Assert.That(async () => await stream.ReadAsync(first, 0, 20, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(stream.Position, Is.EqualTo(20), "a cancelled read reads nothing");
    }

    [Test]
    public async Task TheBody_WritesToAStream_InEveryWay()
    {
        var body = Body(3000);
        using var content = await PooledBodyContent.ReadAsync(Chunked(body), 1 << 20, CancellationToken.None);

        using var asynchronously = new MemoryStream();
        await content.CopyToAsync(asynchronously);
        using var withToken = new MemoryStream();
        await content.CopyToAsync(withToken, CancellationToken.None);
        using var synchronously = new MemoryStream();
        content.CopyTo(synchronously, null, CancellationToken.None);
        using var read = content.ReadAsStream();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(asynchronously.ToArray(), Is.EqualTo(body));
            Assert.That(withToken.ToArray(), Is.EqualTo(body));
            Assert.That(synchronously.ToArray(), Is.EqualTo(body));
            Assert.That(read.Length, Is.EqualTo(3000));
        }
    }

    [Test]
    public async Task Headers_AreCopied_MultipleValuesIncluded_AndTheLengthIsTheBodys()
    {
        var source = new DisposalTrackingContent(Body(10));
        source.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        source.Headers.ContentLanguage.Add("en");
        source.Headers.ContentLanguage.Add("de");
        source.Headers.TryAddWithoutValidation("X-Odd", "not parsed");

        using var content = await PooledBodyContent.ReadAsync(source, 1 << 20, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(content.Headers.ContentLanguage, Is.EqualTo(new[] { "en", "de" }));
            Assert.That(content.Headers.GetValues("X-Odd"), Is.EqualTo(new[] { "not parsed" }));
            Assert.That(content.Headers.ContentLength, Is.EqualTo(10), "the body's length");
            Assert.That(source.Disposed, Is.True, "the source is released once read");
        }
    }

    [Test]
    public async Task ADeclaredLengthAtTheCap_IsReadWhole()
    {
        var body = Body(1024);
        using var content = await PooledBodyContent.ReadAsync(new ByteArrayContent(body), 1024, CancellationToken.None);
        Assert.That(await content.ReadAsByteArrayAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task ABodyLongerThanItsDeclaredLength_IsStillCapped()
    {
        // A declared length is a hint for the buffer, not a promise: the cap counts what arrives.
        var source = new StreamContent(new DribbleStream(Body(3000), 500));
        source.Headers.ContentLength = 100;
        Assert.That(async () => await PooledBodyContent.ReadAsync(source, 1000, CancellationToken.None),
            Throws.InstanceOf<HttpRequestException>().With.Message.Contains("1000"));
        var fits = new StreamContent(new DribbleStream(Body(900), 500));
        fits.Headers.ContentLength = 100;
        using var content = await PooledBodyContent.ReadAsync(fits, 1000, CancellationToken.None);
        Assert.That(await content.ReadAsByteArrayAsync(), Is.EqualTo(Body(900)));
    }

    /// <summary>A body with a declared length that records whether it was disposed.</summary>
    private sealed class DisposalTrackingContent(byte[] body) : ByteArrayContent(body)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A non-seekable stream (so no length is declared) that returns at most <c>chunk</c> bytes per read.</summary>
    private sealed class DribbleStream(byte[] data, int chunk) : Stream
    {
        private int _position;
        private int _reads;

        public Action<int>? OnRead { get; init; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            OnRead?.Invoke(++_reads);
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Read(buffer.Span);
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(n);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
