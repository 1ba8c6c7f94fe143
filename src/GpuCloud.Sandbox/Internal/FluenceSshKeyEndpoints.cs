using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// Fluence's account SSH-key API (<c>/v1/ssh_keys</c>, main API). Errors use the main API's
/// <c>{"code","error"}</c> envelope, not the GPU API's <c>detail</c>.
/// </summary>
internal static class FluenceSshKeyEndpoints
{
    private const int DefaultPerPage = 10;

    private static readonly string[] Algorithms =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    public static void Map(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        var state = sandbox.State;
        var keys = app.MapGroup("/v1/ssh_keys").AddEndpointFilter(async (context, next) =>
        {
            if (!FluenceEndpoints.HasApiKey(context.HttpContext.Request, sandbox.Options.FluenceApiKey))
                return Error(StatusCodes.Status401Unauthorized, "unauthorized", "Auth token invalid or missing");
            return await next(context).ConfigureAwait(false);
        });

        keys.MapGet("", (HttpContext http) => List(http, state));
        keys.MapPost("", (Func<HttpContext, Task<IResult>>)(http => CreateAsync(http, state)));
        // Only the bulk delete: the newer main-API spec and Fluence's own client remove keys with POST /v1/ssh_keys/delete
        // and no longer document DELETE /v1/ssh_keys/{id}.
        keys.MapPost("/delete", (Func<HttpContext, Task<IResult>>)(http => DeleteAsync(http, state)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, SandboxState state)
    {
        var (node, parseError, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (parseError is not null || node is not JsonObject body || body["ids"] is not JsonArray ids)
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
        var wanted = new HashSet<Guid>();
        foreach (var item in ids)
        {
            if (Wire.AsString(item) is not { } text || !Guid.TryParse(text, out var id))
                return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
            wanted.Add(id);
        }

        lock (state.Gate)
        {
            var removed = state.FluenceKeys.Where(k => wanted.Contains(k.Id)).ToList();
            state.FluenceKeys.RemoveAll(k => wanted.Contains(k.Id));
            return Wire.Json(removed.Select(k => ToDto(state, k)).ToArray());
        }
    }

    private static IResult Error(int status, string code, string message) => Wire.Json(new FluenceApiErrorDto(code, message), status);

    private static UserSshKeyDto ToDto(SandboxState state, FluenceSshKey k) =>
        new(k.Id, state.UserId, k.Name, k.PublicKey, k.Algorithm, k.Fingerprint);

    private static IResult List(HttpContext http, SandboxState state)
    {
        var query = http.Request.Query;
        long page = 1, perPage = DefaultPerPage;
        if (query.TryGetValue("page", out var rawPage) && (!long.TryParse(rawPage[^1], NumberStyles.None, CultureInfo.InvariantCulture, out page)))
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
        if (query.TryGetValue("perPage", out var rawPerPage) && (!long.TryParse(rawPerPage[^1], NumberStyles.None, CultureInfo.InvariantCulture, out perPage)))
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
        // The main API numbers pages from 1 ("One-based page number", offset (page - 1) * perPage, Fluence API spec in
        // fluencelabs/terraform-provider-cloudless): page 0 is refused, as a strict server may.
        if (page < 1) return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters: page is one-based");
        if (perPage < 1) perPage = DefaultPerPage;

        HashSet<Guid>? ids = null;
        if (query.TryGetValue("ids", out var rawIds))
        {
            ids = new HashSet<Guid>();
            foreach (var text in rawIds.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (!Guid.TryParse(text, out var id)) return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
                ids.Add(id);
            }
        }

        lock (state.Gate)
        {
            var all = state.FluenceKeys;
            var filtered = ids is null ? all : all.Where(k => ids.Contains(k.Id)).ToList();
            var totalPages = (filtered.Count + perPage - 1) / perPage;
            var items = filtered.Skip((int)Math.Min(int.MaxValue, (page - 1) * perPage)).Take((int)Math.Min(int.MaxValue, perPage))
                .Select(k => ToDto(state, k)).ToArray();
            return Wire.Json(new SshKeyPageDto(items, new PaginationInfoDto(all.Count, filtered.Count, totalPages, page, perPage)));
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SandboxState state)
    {
        var (node, parseError, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (parseError is not null || node is not JsonObject body
            || Wire.AsString(body["name"]) is not { } name || Wire.AsString(body["publicKey"]) is not { } publicKey)
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters");
        if (name.Length is 0 or > 25 || !Regex.IsMatch(name, "^[a-z0-9-]+$"))
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Wrong parameters: name must be 1-25 lowercase letters, digits or hyphens");
        if (!TryParsePublicKey(publicKey, out var algorithm, out var fingerprint, out var normalized))
            return Error(StatusCodes.Status422UnprocessableEntity, "unprocessable_entity", "Unable to process the entity: unsupported or malformed public key");

        lock (state.Gate)
        {
            if (state.FluenceKeys.Any(k => k.Fingerprint == fingerprint))
                // Same algorithm and base64 body, whatever the comment: Fluence answers 409 "SshKey already exists"
                // (its own mock in fluencelabs/terraform-provider-cloudless, internal/client/mock/ssh_keys.go).
                return Error(StatusCodes.Status409Conflict, "conflict", "SshKey already exists");
            var key = new FluenceSshKey { Id = state.NewGuid(), Name = name, PublicKey = normalized, Algorithm = algorithm, Fingerprint = fingerprint };
            state.FluenceKeys.Add(key);
            return Wire.Json(ToDto(state, key));
        }
    }

    /// <summary>
    /// Accepts an OpenSSH public key line whose base64 blob starts with its own algorithm name (SSH wire format);
    /// the fingerprint is OpenSSH's <c>SHA256:</c> form.
    /// </summary>
    internal static bool TryParsePublicKey(string line, out string algorithm, out string fingerprint, out string normalized)
    {
        algorithm = fingerprint = normalized = "";
        var parts = line.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !Algorithms.Contains(parts[0], StringComparer.Ordinal)) return false;
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (blob.Length < 4 + parts[0].Length + 16) return false;
        var length = BinaryPrimitives.ReadInt32BigEndian(blob);
        if (length != parts[0].Length || Encoding.ASCII.GetString(blob, 4, length) != parts[0]) return false;
        algorithm = parts[0];
        fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
        normalized = string.Join(' ', parts);
        return true;
    }
}
