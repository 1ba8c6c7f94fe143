namespace GpuCloud;

/// <summary>Adds one header to every request; the value is never logged.</summary>
internal sealed class HeaderHandler(string name, Func<CancellationToken, ValueTask<string>> value) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A fixed key or a cached token is ready at once: then no async frame is needed for this hop.
        var pending = value(cancellationToken);
        return pending.IsCompletedSuccessfully ? Send(request, pending.Result, cancellationToken) : SendWhenReadyAsync(request, pending, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendWhenReadyAsync(HttpRequestMessage request, ValueTask<string> pending, CancellationToken cancellationToken) =>
        await Send(request, await pending.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private Task<HttpResponseMessage> Send(HttpRequestMessage request, string headerValue, CancellationToken cancellationToken)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, headerValue);
        return base.SendAsync(request, cancellationToken);
    }
}
