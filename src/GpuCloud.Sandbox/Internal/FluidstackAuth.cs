using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// The OAuth2 client-credentials token endpoint (<c>POST /oauth/token</c>, as Fluidstack's Auth0 tenant answers it)
/// and the bearer check of both Fluidstack APIs.
/// </summary>
internal static class FluidstackAuth
{
    public static void Map(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        app.MapPost("/oauth/token", async (HttpContext http) =>
        {
            var options = sandbox.Options;
            var fields = await ReadFieldsAsync(http.Request).ConfigureAwait(false);
            if (fields is null)
                return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "The request body must be application/x-www-form-urlencoded or JSON.");

            fields.TryGetValue("grant_type", out var grantType);
            fields.TryGetValue("client_id", out var clientId);
            fields.TryGetValue("client_secret", out var clientSecret);
            fields.TryGetValue("audience", out var audience);
            ReadBasicCredentials(http.Request, ref clientId, ref clientSecret);

            if (string.IsNullOrEmpty(grantType))
                return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "Missing required parameter: grant_type");
            if (grantType != "client_credentials")
                return OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", $"Unsupported grant type: {grantType}");
            if (!string.Equals(clientId, options.FluidstackClientId, StringComparison.Ordinal)
                || !string.Equals(clientSecret, options.FluidstackClientSecret, StringComparison.Ordinal))
                return OAuthError(StatusCodes.Status401Unauthorized, "access_denied", "Unauthorized");
            if (!string.IsNullOrEmpty(audience) && !string.Equals(audience, options.FluidstackAudience, StringComparison.Ordinal))
                return OAuthError(StatusCodes.Status403Forbidden, "access_denied", $"Service not enabled within domain: {audience}");

            var state = sandbox.State;
            lock (state.Gate)
            {
                var now = state.Now;
                var expires = now + options.TokenLifetime;
                var token = IssueJwt(sandbox, clientId!, audience ?? options.FluidstackAudience, now, expires, state.NewGuid());
                state.IssuedTokens[token] = expires;
                return Wire.Json(new OAuthTokenDto(token, "Bearer", (long)options.TokenLifetime.TotalSeconds));
            }
        });
    }

    private static IResult OAuthError(int status, string error, string description) =>
        Wire.Json(new OAuthErrorDto(error, description), status);

    private static async Task<Dictionary<string, string>?> ReadFieldsAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            return form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        }

        var (node, error, empty) = await Wire.ReadJsonAsync(request).ConfigureAwait(false);
        if (empty) return new Dictionary<string, string>(StringComparer.Ordinal);
        if (error is not null || node is not System.Text.Json.Nodes.JsonObject obj) return null;
        return obj.Where(p => Wire.AsString(p.Value) is not null)
            .ToDictionary(p => p.Key, p => Wire.AsString(p.Value)!, StringComparer.Ordinal);
    }

    private static void ReadBasicCredentials(HttpRequest request, ref string? clientId, ref string? clientSecret)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) return;
            clientId ??= Uri.UnescapeDataString(decoded[..colon]);
            clientSecret ??= Uri.UnescapeDataString(decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            // Not Basic credentials after all; the form fields decide.
        }
    }

    /// <summary>An HS256 JWT (the sandbox's own random key) carrying iss, sub, aud, iat, exp, jti.</summary>
    private static string IssueJwt(SandboxContext sandbox, string clientId, string audience, DateTimeOffset now, DateTimeOffset expires, Guid jti)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = new Uri(sandbox.BaseUrl, "oauth/").ToString(),
            ["sub"] = clientId + "@clients",
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["gty"] = "client-credentials",
            ["jti"] = jti.ToString("N"),
        }));
        var signature = B64(HMACSHA256.HashData(sandbox.TokenKey, Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    /// <summary>
    /// Null when the request carries the static token or an unexpired issued token; otherwise the 401
    /// <c>{"message"}</c> response.
    /// </summary>
    public static IResult? Check(HttpContext http, SandboxContext sandbox)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Unauthorized(http, "Unauthorized: missing bearer token");
        var token = header[7..].Trim();
        if (string.Equals(token, sandbox.Options.FluidstackToken, StringComparison.Ordinal)) return null;
        var state = sandbox.State;
        lock (state.Gate)
        {
            if (!state.IssuedTokens.TryGetValue(token, out var expires)) return Unauthorized(http, "Unauthorized: invalid token");
            if (state.Now >= expires) return Unauthorized(http, "Unauthorized: token expired");
        }

        return null;
    }

    private static IResult Unauthorized(HttpContext http, string message)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Wire.Json(new FsErrorDto(message), StatusCodes.Status401Unauthorized);
    }
}
