namespace GpuCloud;

/// <summary>
/// Sends through a handler that belongs to someone else (<see cref="GpuCloudOptions.Transport"/>) and never disposes
/// it: a pipeline that disposes what it holds (<c>IHttpClientFactory</c> rotating its primary handlers) disposes only
/// this loan.
/// </summary>
internal sealed class BorrowedHandler(HttpMessageHandler owner) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(owner, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);
}
