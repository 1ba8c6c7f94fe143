using System.Net;
using GpuCloud.Errors;
using GpuCloud.Http;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Providers.Fluidstack;

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
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly string? _static;
    private (string Token, DateTimeOffset Expires)? _cached;

    public FluidstackTokenSource(FluidstackOptions options, HttpMessageHandler inner, TimeProvider time)
    {
        _options = options;
        _time = time;
        if (!options.UsesClientCredentials)
        {
            _static = EndpointRules.RequireHeaderSecret(options.Token, "Fluidstack.Token");
            return;
        }
        EndpointRules.RequireHeaderSecret(options.ClientSecret, "Fluidstack.ClientSecret");
        _tokenUrl = EndpointRules.RequireHttps(options.TokenUrl, "Fluidstack.TokenUrl");
        // The token request must not pass through the bearer handler: it authenticates with the form body.
        _http = new HttpClient(inner, disposeHandler: false) { Timeout = options.RequestTimeout };
    }

    /// <summary>How many tokens were fetched from the token endpoint (for tests and diagnostics).</summary>
    public int Fetches { get; private set; }

    public bool CanRefresh => _static is null;

    public async ValueTask<string> GetTokenAsync(CancellationToken ct)
    {
        if (_static is not null) return _static;
        if (Valid(_cached) is { } token) return token;
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Whoever held the lock may have refreshed already.
            if (Valid(_cached) is { } fresh) return fresh;
            var (value, lifetime) = await FetchAsync(ct).ConfigureAwait(false);
            _cached = (value, _time.GetUtcNow() + lifetime);
            return value;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forgets a token the API refused, unless another caller already replaced it.</summary>
    public void Invalidate(string refused)
    {
        if (_cached is { } c && c.Token == refused) _cached = null;
    }

    private string? Valid((string Token, DateTimeOffset Expires)? cached) =>
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
            response = await _http!.PostAsync(_tokenUrl, form, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ErrorTranslation.FromTransport(FluidstackErrors.Provider, ex, ct) is { } translated)
        {
            throw translated;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new GpuCloudException(GpuCloudErrorCode.Unauthorized,
                    $"fluidstack: the token endpoint refused the client credentials (HTTP {(int)response.StatusCode}).", FluidstackErrors.Provider)
                { StatusCode = response.StatusCode };
            if (!response.IsSuccessStatusCode)
                throw new GpuCloudException(ErrorTranslation.CodeForStatus((int)response.StatusCode),
                    $"fluidstack: the token endpoint answered HTTP {(int)response.StatusCode}.", FluidstackErrors.Provider)
                { StatusCode = response.StatusCode, RetryAfter = response.Headers.RetryAfter?.Delta };
            try
            {
                var json = JObject.Parse(body);
                var token = json.Value<string>("access_token");
                var seconds = json.Value<double?>("expires_in") ?? 3600;
                if (string.IsNullOrWhiteSpace(token)) throw new FormatException("no access_token");
                Fetches++;
                return (token, TimeSpan.FromSeconds(Math.Max(seconds, 1)));
            }
            catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or FormatException or InvalidCastException)
            {
                // The body is not echoed: a malformed token response may still contain a token.
                throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "fluidstack: the token endpoint's answer could not be read.", FluidstackErrors.Provider, ex);
            }
        }
    }

    public void Dispose()
    {
        _http?.Dispose();
        _refresh.Dispose();
    }
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
