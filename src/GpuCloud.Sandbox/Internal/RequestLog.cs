using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// Every request that reached a provider API (the control API itself is not counted), in arrival order: lets a test prove
/// that a command sent nothing (a usage error) or exactly what it should. <c>GET /_sandbox/requests</c> lists them,
/// <c>DELETE /_sandbox/requests</c> starts the log afresh.
/// </summary>
internal sealed class RequestLog
{
    private readonly ConcurrentQueue<string> _requests = new();

    /// <summary>"METHOD /path" of each request so far.</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    public void Clear() => _requests.Clear();

    /// <summary>Records each provider request as it arrives, before faults or handlers can answer it.</summary>
    public void Use(IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments(FaultMiddleware.ControlPrefix, StringComparison.OrdinalIgnoreCase))
            _requests.Enqueue($"{http.Request.Method} {http.Request.Path}");
        return next(http);
    });

    public void Map(IEndpointRouteBuilder app)
    {
        var control = app.MapGroup(FaultMiddleware.ControlPrefix);
        control.MapGet("/requests", () =>
        {
            var requests = Requests;
            return Wire.Json(new JsonObject { ["count"] = requests.Count, ["requests"] = new JsonArray(requests.Select(r => (JsonNode)r).ToArray()) });
        });
        control.MapDelete("/requests", () =>
        {
            Clear();
            return Wire.Empty(StatusCodes.Status204NoContent);
        });
    }
}
