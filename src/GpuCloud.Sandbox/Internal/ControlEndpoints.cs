using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// The sandbox's own control API (never faulted, no auth; the listener is loopback-only):
/// <c>GET /_sandbox/inventory</c>, <c>GET|POST|DELETE /_sandbox/faults</c>, <c>DELETE /_sandbox/faults/{id}</c>,
/// <c>POST /_sandbox/reset</c>, <c>POST /_sandbox/fluence/balance</c>, <c>POST /_sandbox/fluidstack/capacity</c>.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxContext sandbox, SandboxInventory inventory)
    {
        var control = app.MapGroup(FaultMiddleware.ControlPrefix);
        control.MapGet("/inventory", () => Wire.Json(Inventory(inventory)));
        MapFaults(control, sandbox.Faults);
        control.MapPost("/reset", () =>
        {
            sandbox.Reset();
            return Wire.Empty(StatusCodes.Status204NoContent);
        });
        control.MapPost("/fluence/balance", (Func<HttpContext, Task<IResult>>)(http => SetFluenceBalanceAsync(http, sandbox.State)));
        control.MapPost("/fluidstack/capacity", (Func<HttpContext, Task<IResult>>)(http => SetFluidstackCapacityAsync(http, sandbox.State)));
    }

    private static JsonObject Inventory(SandboxInventory inventory)
    {
        var instances = inventory.Instances();
        return new JsonObject
        {
            ["fluenceBalance"] = inventory.FluenceBalance,
            ["createRequests"] = new JsonObject
            {
                ["fluence"] = Counts(inventory.CreateRequestCounts(SandboxProvider.Fluence)),
                ["fluidstack"] = Counts(inventory.CreateRequestCounts(SandboxProvider.Fluidstack)),
            },
            ["live"] = new JsonObject
            {
                ["fluence"] = instances.Count(i => i.Provider == SandboxProvider.Fluence && i.IsLive),
                ["fluidstack"] = instances.Count(i => i.Provider == SandboxProvider.Fluidstack && i.IsLive),
            },
            ["instances"] = new JsonArray(instances.Select(i => (JsonNode)new JsonObject
            {
                ["provider"] = i.Provider == SandboxProvider.Fluence ? "fluence" : "fluidstack",
                ["id"] = i.Id,
                ["name"] = i.Name,
                ["kind"] = i.Kind,
                ["location"] = i.Location,
                ["state"] = i.State,
                ["createdAt"] = i.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                ["isLive"] = i.IsLive,
            }).ToArray()),
        };
    }

    private static void MapFaults(RouteGroupBuilder control, SandboxFaults faults)
    {
        control.MapGet("/faults", () => Wire.Json(new JsonObject { ["rules"] = Rules(faults.Rules) }));
        control.MapPost("/faults", (Func<HttpContext, Task<IResult>>)(http => AddFaultsAsync(http, faults)));
        control.MapDelete("/faults", () =>
        {
            faults.Clear();
            return Wire.Empty(StatusCodes.Status204NoContent);
        });
        control.MapDelete("/faults/{id:int}", (int id) =>
            faults.Remove(id) ? Wire.Empty(StatusCodes.Status204NoContent) : Bad("no such rule", StatusCodes.Status404NotFound));
    }

    private static async Task<IResult> AddFaultsAsync(HttpContext http, SandboxFaults faults)
    {
        var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (error is not null || node is null) return Bad("expected a fault rule object or an array of them");
        var items = node is JsonArray array ? array.ToList() : [node];
        var rules = new List<FaultRule>();
        foreach (var item in items)
        {
            if (item is not JsonObject obj) return Bad("each fault rule must be an object");
            if (TryParseRule(obj, out var rule, out var problem)) rules.Add(rule!);
            else return Bad(problem!);
        }

        try
        {
            foreach (var rule in rules) faults.Add(rule);
        }
        catch (ArgumentException e)
        {
            return Bad(e.Message);
        }

        return Wire.Json(new JsonObject { ["rules"] = Rules(rules) }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetFluenceBalanceAsync(HttpContext http, SandboxState state)
    {
        var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (error is not null || node is not JsonObject obj || obj["balance"] is not JsonValue value || !value.TryGetValue<decimal>(out var balance))
            return Bad("expected {\"balance\": <number>}");
        state.SetFluenceBalance(balance);
        return Wire.Empty(StatusCodes.Status204NoContent);
    }

    private static async Task<IResult> SetFluidstackCapacityAsync(HttpContext http, SandboxState state)
    {
        var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (error is not null || node is not JsonObject obj
            || Wire.AsString(obj["region"]) is not { } region || Wire.AsString(obj["type"]) is not { } type
            || obj["capacity"] is not JsonValue value || !value.TryGetValue<int>(out var capacity))
            return Bad("expected {\"region\": \"...\", \"type\": \"...\", \"capacity\": <int>}");
        try
        {
            state.SetCapacity(region, type, capacity);
        }
        catch (ArgumentException e)
        {
            return Bad(e.Message);
        }

        return Wire.Empty(StatusCodes.Status204NoContent);
    }

    private static IResult Bad(string message, int status = StatusCodes.Status400BadRequest) =>
        Wire.Json(new JsonObject { ["message"] = message }, status);

    private static JsonObject Counts(IReadOnlyDictionary<string, int> counts)
    {
        var obj = new JsonObject();
        foreach (var (name, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal)) obj[name] = count;
        return obj;
    }

    private static JsonArray Rules(IEnumerable<FaultRule> rules) => new(rules.Select(r => (JsonNode)new JsonObject
    {
        ["id"] = r.Id,
        ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(r.Kind.ToString()),
        ["status"] = r.StatusCode == 0 ? null : r.StatusCode,
        ["retryAfterSeconds"] = r.RetryAfter is { } ra ? ra.TotalSeconds : null,
        ["pathPrefix"] = r.PathPrefix,
        ["method"] = r.Method,
        ["count"] = r.Count,
        ["remaining"] = r.Remaining,
        ["fired"] = r.Fired,
        ["probability"] = r.Probability,
        ["delayMs"] = r.Delay.TotalMilliseconds,
        ["chunkSize"] = r.ChunkSize,
        ["afterHandler"] = r.AfterHandler,
        ["value"] = r.Value,
    }).ToArray());

    /// <summary>
    /// Reads <c>{"kind", "status", "retryAfterSeconds", "pathPrefix", "method", "count", "probability", "delayMs",
    /// "chunkSize", "afterHandler", "value"}</c>. Kinds: latency, status, dropConnection, malformedJson, truncatedJson,
    /// htmlError, unknownEnum, slowBody, provisioningFailure (case-insensitive; "drop" and "html" also work).
    /// </summary>
    private static bool TryParseRule(JsonObject obj, out FaultRule? rule, out string? problem)
    {
        rule = null;
        problem = null;
        try
        {
            var kindText = Wire.AsString(obj["kind"]);
            if (kindText is null) return Fail("\"kind\" is required", out problem);
            FaultKind kind;
            switch (kindText.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant())
            {
                case "drop": kind = FaultKind.DropConnection; break;
                case "html": kind = FaultKind.HtmlError; break;
                case "error": kind = FaultKind.Status; break;
                default:
                    if (!Enum.TryParse(kindText.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out kind)
                        || !Enum.IsDefined(kind))
                        return Fail($"unknown fault kind \"{kindText}\"", out problem);
                    break;
            }

            rule = new FaultRule
            {
                Kind = kind,
                StatusCode = obj["status"]?.GetValue<int>() ?? 0,
                RetryAfter = obj["retryAfterSeconds"] is { } ra ? TimeSpan.FromSeconds(ra.GetValue<double>()) : null,
                PathPrefix = Wire.AsString(obj["pathPrefix"]),
                Method = Wire.AsString(obj["method"]),
                Count = obj["count"]?.GetValue<int>(),
                Probability = obj["probability"]?.GetValue<double>() ?? 1.0,
                Delay = obj["delayMs"] is { } d ? TimeSpan.FromMilliseconds(d.GetValue<double>()) : TimeSpan.Zero,
                ChunkSize = obj["chunkSize"]?.GetValue<int>() ?? 16,
                AfterHandler = obj["afterHandler"]?.GetValue<bool>() ?? false,
                Value = Wire.AsString(obj["value"]),
            };
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return Fail("invalid fault rule: " + e.Message, out problem);
        }
    }

    private static bool Fail(string message, out string? problem)
    {
        problem = message;
        return false;
    }
}
