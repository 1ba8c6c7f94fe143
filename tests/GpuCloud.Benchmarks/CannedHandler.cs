using System.Net;

namespace GpuCloud.Benchmarks;

/// <summary>Answers every request from memory by path: no network, so only client-side costs are measured.</summary>
internal sealed class CannedHandler(IReadOnlyDictionary<string, byte[]> bodies) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var response = bodies.TryGetValue(path, out var body)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }
            : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{\"detail\":\"not found\"}") };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
