using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GpuCloud.Sandbox.Internal;

/// <summary>Applies the fired <see cref="FaultRule"/>s to one request (see <see cref="SandboxFaults"/> for the order).</summary>
internal sealed class FaultMiddleware
{
    public const string ControlPrefix = "/_sandbox";
    private readonly RequestDelegate _next;
    private readonly SandboxContext _sandbox;

    public FaultMiddleware(RequestDelegate next, SandboxContext sandbox)
    {
        _next = next;
        _sandbox = sandbox;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith(ControlPrefix, StringComparison.OrdinalIgnoreCase))
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        var fired = _sandbox.Faults.Fire(path, http.Request.Method);
        if (fired.Count == 0)
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        var time = _sandbox.Options.TimeProvider;
        foreach (var latency in fired.Where(r => r.Kind == FaultKind.Latency))
            await Task.Delay(latency.Delay, time, http.RequestAborted).ConfigureAwait(false);

        var replace = fired.FirstOrDefault(r => r.Kind is FaultKind.Status or FaultKind.DropConnection or FaultKind.MalformedJson or FaultKind.HtmlError);
        var transforms = fired.Where(r => r.Kind is FaultKind.TruncatedJson or FaultKind.UnknownEnum or FaultKind.SlowBody).ToList();
        if (replace is { AfterHandler: false })
        {
            await ReplaceAsync(http, replace, path, originalStatus: StatusCodes.Status200OK).ConfigureAwait(false);
            return;
        }

        if (replace is null && transforms.Count == 0)
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        // Run the real request into a buffer, then fault or transform what it produced.
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await _next(http).ConfigureAwait(false);
        }
        finally
        {
            http.Response.Body = original;
        }

        if (replace is not null)
        {
            var status = http.Response.StatusCode;
            http.Response.Headers.Clear();
            await ReplaceAsync(http, replace, path, status).ConfigureAwait(false);
            return;
        }

        var body = buffer.ToArray();
        if (body.Length == 0) return;
        foreach (var rule in transforms.Where(r => r.Kind == FaultKind.UnknownEnum)) body = ReplaceStatuses(body, rule, path);
        if (transforms.Any(r => r.Kind == FaultKind.TruncatedJson) && body.Length > 1) body = body[..(body.Length / 2)];
        http.Response.ContentLength = body.Length;
        if (transforms.FirstOrDefault(r => r.Kind == FaultKind.SlowBody) is { } slow)
        {
            for (var offset = 0; offset < body.Length; offset += slow.ChunkSize)
            {
                if (offset > 0) await Task.Delay(slow.Delay, time, http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(slow.ChunkSize, body.Length - offset)), http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }

            return;
        }

        await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
    }

    private async Task ReplaceAsync(HttpContext http, FaultRule rule, string path, int originalStatus)
    {
        switch (rule.Kind)
        {
            case FaultKind.DropConnection:
                http.Abort();
                return;

            case FaultKind.MalformedJson:
                http.Response.StatusCode = originalStatus;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"id\": \"5e1f\", \"state\": running,, \"items\": [1, 2", http.RequestAborted).ConfigureAwait(false);
                return;

            case FaultKind.HtmlError:
            {
                var status = rule.StatusCode == 0 ? StatusCodes.Status502BadGateway : rule.StatusCode;
                var title = $"{status} {Reason(status)}";
                http.Response.StatusCode = status;
                http.Response.ContentType = "text/html";
                await http.Response.WriteAsync(
                    $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                    http.RequestAborted).ConfigureAwait(false);
                return;
            }

            default:
            {
                var status = rule.StatusCode;
                http.Response.StatusCode = status;
                var retryAfter = rule.RetryAfter ?? (status == StatusCodes.Status429TooManyRequests ? TimeSpan.FromSeconds(1) : null);
                if (retryAfter is { } wait)
                    http.Response.Headers.RetryAfter = Math.Max(0, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(ErrorBody(path, status), http.RequestAborted).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>The provider's own error envelope for an injected status.</summary>
    private static string ErrorBody(string path, int status)
    {
        var reason = Reason(status);
        object body;
        if (path.StartsWith("/gpu", StringComparison.OrdinalIgnoreCase)) body = new FluenceDetailErrorDto(reason);
        else if (path.StartsWith("/v1", StringComparison.OrdinalIgnoreCase)) body = new FluenceApiErrorDto(MainApiCode(status), reason);
        else if (path.StartsWith("/oauth", StringComparison.OrdinalIgnoreCase))
            body = new OAuthErrorDto(status == 429 ? "too_many_requests" : "temporarily_unavailable", reason);
        else body = new FsErrorDto(reason);
        return JsonSerializer.Serialize(body, Wire.Options);
    }

    private static string MainApiCode(int status) => status switch
    {
        429 => "too_many_requests",
        503 => "service_unavailable",
        _ => "internal_server_error",
    };

    private static string Reason(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };

    private static byte[] ReplaceStatuses(byte[] body, FaultRule rule, string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body;
        }

        if (root is null) return body;
        var fluidstack = path.StartsWith("/fluidstack", StringComparison.OrdinalIgnoreCase);
        var value = rule.Value ?? (fluidstack ? "hibernating" : "HIBERNATING");
        string[] keys = fluidstack ? ["state"] : ["instance_status", "status"];
        Replace(root, keys, value);
        return Encoding.UTF8.GetBytes(root.ToJsonString(Wire.Options));
    }

    private static void Replace(JsonNode node, string[] keys, string value)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var child = obj[key];
                    if (keys.Contains(key) && Wire.AsString(child) is not null) obj[key] = value;
                    else if (child is not null) Replace(child, keys, value);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null) Replace(child, keys, value);
                }

                break;
        }
    }
}
