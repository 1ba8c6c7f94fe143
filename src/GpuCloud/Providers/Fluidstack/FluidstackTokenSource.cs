using System.Net;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Providers;

/// <summary>
/// Bearer tokens for Fluidstack: a static token, or OAuth2 client credentials (cached, refreshed before expiry,
/// one refresh in flight however many callers wait). Tokens and the client secret never reach a log or a message.
/// </summary>
internal sealed class FluidstackTokenSource : IDisposable
{
    private readonly FluidstackOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient? _http;
    private readonly Uri? _tokenUrl;
    private readonly Lock _gate = new();
    private readonly string? _static;
    private CachedToken? _cached;
    private Task<CachedToken>? _inflight;

    private sealed record CachedToken(string Token, DateTimeOffset Expires);

    public FluidstackTokenSource(FluidstackOptions options, HttpMessageHandler inner, TimeProvider time)
    {
        _options = options;
        _time = time;
        if (!options.UsesClientCredentials)
        {
            _static = InputRules.RequireHeaderSecret(options.Token, "Fluidstack.Token");
            return;
        }
        InputRules.RequireHeaderSecret(options.ClientSecret, "Fluidstack.ClientSecret");
        _tokenUrl = InputRules.RequireHttps(options.TokenUrl, "Fluidstack.TokenUrl");
        // The token request must not pass through the bearer handler: it authenticates with the form body.
        _http = HttpStack.Client(inner, disposeHandler: false);
    }

    /// <summary>How many tokens were fetched from the token endpoint (for tests and diagnostics).</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    private int _fetches;

    public bool CanRefresh => _static is null;

    /// <summary>
    /// The current token. However many callers arrive while none is valid, one request goes to the token endpoint and
    /// all of them share its result, success or failure; each caller's own token only stops its own wait.
    /// </summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken ct)
    {
        if (_static is not null) return _static;
        if (Valid(Volatile.Read(ref _cached)) is { } token) return token;
        Task<CachedToken> fetch;
        lock (_gate)
        {
            if (Valid(_cached) is { } fresh) return fresh;
            fetch = _inflight ??= FetchAndStoreAsync();
        }
        return (await fetch.WaitAsync(ct).ConfigureAwait(false)).Token;
    }

    private async Task<CachedToken> FetchAndStoreAsync()
    {
        // Started under the lock: leave it before any work, so the finally below can never run inside it.
        await Task.Yield();
        try
        {
            // Shared by every waiter, so no one caller's cancellation may end it; the pipeline's total timeout bounds it.
            var (value, lifetime) = await FetchAsync(CancellationToken.None).ConfigureAwait(false);
            var cached = new CachedToken(value, _time.GetUtcNow() + lifetime);
            Volatile.Write(ref _cached, cached);
            return cached;
        }
        finally
        {
            lock (_gate) _inflight = null;
        }
    }

    /// <summary>Forgets a token the API refused, unless another caller already replaced it.</summary>
    public void Invalidate(string refused)
    {
        lock (_gate)
        {
            if (_cached is { } c && c.Token == refused) _cached = null;
        }
    }

    private string? Valid(CachedToken? cached) =>
        cached is { } c && c.Expires - _options.TokenRefreshMargin > _time.GetUtcNow() ? c.Token : null;

    private async Task<(string Token, TimeSpan Lifetime)> FetchAsync(CancellationToken ct)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = _options.ClientId!,
            ["client_secret"] = _options.ClientSecret!,
            ["audience"] = _options.Audience,
        });
        HttpResponseMessage response;
        try
        {
            // Asking for a token changes nothing at the server: the POST is retried on 429 and 5xx (honouring Retry-After)
            // like any idempotent call, so a burst does not take Fluidstack out of a whole command.
            using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl) { Content = form };
            request.Options.Set(GpuCloudResilienceHandler.RepeatableKey, true);
            response = await _http!.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ErrorTranslation.FromTransport(FluidstackErrors.Provider, ex, ct) is { } translated)
        {
            throw translated;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var (error, reason) = OAuthError(body);
                throw new GpuCloudException(RefusalCode(error),
                    $"the token endpoint refused the token request (HTTP {status}){(reason is null ? ", with no reason given." : ": " + reason)}", FluidstackErrors.Provider)
                { StatusCode = response.StatusCode, ProviderMessage = reason };
            }
            if (!response.IsSuccessStatusCode)
            {
                var reason = OAuthError(body).Reason;
                throw new GpuCloudException(ErrorTranslation.CodeForStatus(status),
                    $"the token endpoint answered HTTP {status}{(reason is null ? "." : ": " + reason)}", FluidstackErrors.Provider)
                { StatusCode = response.StatusCode, ProviderMessage = reason, RetryAfter = RetryAfterHeader.Read(response, _time) };
            }
            try
            {
                var json = JObject.Parse(body);
                var token = json.Value<string>("access_token");
                var seconds = json.Value<double?>("expires_in") ?? 3600;
                if (string.IsNullOrWhiteSpace(token)) throw new FormatException("no access_token");
                Interlocked.Increment(ref _fetches);
                return (token, TimeSpan.FromSeconds(Math.Max(seconds, 1)));
            }
            catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or FormatException or InvalidCastException)
            {
                // The body is not echoed: a malformed token response may still contain a token.
                throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "the token endpoint's answer could not be read.", FluidstackErrors.Provider, ex);
            }
        }
    }

    /// <summary>
    /// An OAuth error response (RFC 6749 §5.2: <c>error</c>, <c>error_description</c>), or a gateway's <c>message</c>: the
    /// provider's stated reason, on one line, at most 300 characters, never with the client secret in it.
    /// </summary>
    private (string? Error, string? Reason) OAuthError(string body)
    {
        JObject json;
        try
        {
            if (JToken.Parse(body) is not JObject parsed) return (null, null);
            json = parsed;
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return (null, null);
        }
        var error = (json["error"] as JValue)?.Value?.ToString();
        var description = ((json["error_description"] ?? json["message"]) as JValue)?.Value?.ToString();
        var reason = string.Join(": ", new[] { error, description }.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (reason.Length == 0) return (error, null);
        if (!string.IsNullOrEmpty(_options.ClientSecret)) reason = reason.Replace(_options.ClientSecret, "(secret)", StringComparison.Ordinal);
        reason = new string(reason.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return (error, reason.Length > 300 ? reason[..300] + "..." : reason);
    }

    /// <summary>
    /// A refusal is not always a wrong secret (RFC 6749 §5.2): a malformed request, a grant or scope the client may not
    /// use, an unknown audience are the caller's to fix, so they are <see cref="GpuCloudErrorCode.InvalidRequest"/>.
    /// </summary>
    private static GpuCloudErrorCode RefusalCode(string? error) => error switch
    {
        "invalid_request" or "unsupported_grant_type" or "invalid_scope" => GpuCloudErrorCode.InvalidRequest,
        "unauthorized_client" => GpuCloudErrorCode.Forbidden,
        _ => GpuCloudErrorCode.Unauthorized,
    };

    public void Dispose() => _http?.Dispose();
}

/// <summary>Adds the bearer token; when the API answers 401 to a refreshable token, refreshes once and resends.</summary>
internal sealed class FluidstackBearerHandler(FluidstackTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !tokens.CanRefresh) return response;

        response.Dispose();
        tokens.Invalidate(token);
        token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
