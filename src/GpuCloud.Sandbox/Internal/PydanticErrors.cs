using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// Collects request-validation errors in the Fluence GPU API's FastAPI/Pydantic 422 shape:
/// <c>{"detail":[{"type","loc","msg","input","ctx"}]}</c>.
/// </summary>
internal sealed class PydanticErrors
{
    private readonly JsonArray _items = new();

    public bool Any => _items.Count > 0;

    public void Add(string type, object[] loc, string msg, JsonNode? input, JsonObject? ctx = null)
    {
        var locArray = new JsonArray();
        foreach (var part in loc)
            locArray.Add(part is int i ? JsonValue.Create(i) : JsonValue.Create(Convert.ToString(part, CultureInfo.InvariantCulture)));

        _items.Add(new JsonObject
        {
            ["type"] = type,
            ["loc"] = locArray,
            ["msg"] = msg,
            ["input"] = input?.DeepClone(),
            ["ctx"] = ctx ?? new JsonObject(),
        });
    }

    public void ValueError(object[] loc, string message, JsonNode? input) =>
        Add("value_error", loc, "Value error, " + message, input, new JsonObject { ["error"] = new JsonObject() });

    public IResult ToResult() => Wire.Json(new JsonObject { ["detail"] = _items.DeepClone() }, StatusCodes.Status422UnprocessableEntity);

    public static IResult Single(string type, object[] loc, string msg, JsonNode? input, JsonObject? ctx = null)
    {
        var errors = new PydanticErrors();
        errors.Add(type, loc, msg, input, ctx);
        return errors.ToResult();
    }

    /// <summary>The error for a body that is missing or not JSON, or null when the body is a usable JSON object.</summary>
    public static IResult? CheckBody(JsonNode? node, string? parseError, bool empty)
    {
        if (empty) return Single("missing", ["body"], "Field required", null);
        if (parseError is not null)
            return Single("json_invalid", ["body", 0], "JSON decode error", new JsonObject(), new JsonObject { ["error"] = parseError });
        if (node is not JsonObject)
            return Single("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", node);
        return null;
    }

    // ------------------------------------------------------------------------------------ field checks

    private static object[] Loc(object[] prefix, params object[] more) => prefix.Concat(more).ToArray();

    /// <summary>Reads a string field. Reports missing (when required), wrong type, length and pattern errors.</summary>
    public string? String(JsonObject parent, string key, object[] prefix, bool required, bool nullable = false,
        int? minLength = null, int? maxLength = null, string? pattern = null)
    {
        var loc = Loc(prefix, key);
        if (!parent.TryGetPropertyValue(key, out var node))
        {
            if (required) Add("missing", loc, "Field required", parent);
            return null;
        }

        if (node is null)
        {
            if (!nullable) Add("string_type", loc, "Input should be a valid string", null);
            return null;
        }

        var value = Wire.AsString(node);
        if (value is null)
        {
            Add("string_type", loc, "Input should be a valid string", node);
            return null;
        }

        if (minLength is { } min && value.Length < min)
        {
            Add("string_too_short", loc, $"String should have at least {min} character{(min == 1 ? "" : "s")}", node,
                new JsonObject { ["min_length"] = min });
            return null;
        }

        if (maxLength is { } max && value.Length > max)
        {
            Add("string_too_long", loc, $"String should have at most {max} character{(max == 1 ? "" : "s")}", node,
                new JsonObject { ["max_length"] = max });
            return null;
        }

        if (pattern is not null && !Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant))
        {
            Add("string_pattern_mismatch", loc, $"String should match pattern '{pattern}'", node, new JsonObject { ["pattern"] = pattern });
            return null;
        }

        return value;
    }

    /// <summary>Reads an object field; null when absent, JSON null (if allowed) or invalid.</summary>
    public JsonObject? Object(JsonObject parent, string key, object[] prefix, bool required, bool nullable = false)
    {
        var loc = Loc(prefix, key);
        if (!parent.TryGetPropertyValue(key, out var node))
        {
            if (required) Add("missing", loc, "Field required", parent);
            return null;
        }

        if (node is null && nullable) return null;
        if (node is JsonObject obj) return obj;
        Add("model_attributes_type", loc, "Input should be a valid dictionary or object to extract fields from", node);
        return null;
    }

    /// <summary>Reads a list field with optional length bounds.</summary>
    public JsonArray? List(JsonObject parent, string key, object[] prefix, bool required, bool nullable = false,
        int? minItems = null, int? maxItems = null)
    {
        var loc = Loc(prefix, key);
        if (!parent.TryGetPropertyValue(key, out var node))
        {
            if (required) Add("missing", loc, "Field required", parent);
            return null;
        }

        if (node is null && nullable) return null;
        if (node is not JsonArray array)
        {
            Add("list_type", loc, "Input should be a valid list", node);
            return null;
        }

        if (minItems is { } min && array.Count < min)
        {
            Add("too_short", loc, $"List should have at least {min} item{(min == 1 ? "" : "s")} after validation, not {array.Count}", array,
                new JsonObject { ["field_type"] = "List", ["min_length"] = min, ["actual_length"] = array.Count });
            return null;
        }

        if (maxItems is { } max && array.Count > max)
        {
            Add("too_long", loc, $"List should have at most {max} item{(max == 1 ? "" : "s")} after validation, not {array.Count}", array,
                new JsonObject { ["field_type"] = "List", ["max_length"] = max, ["actual_length"] = array.Count });
            return null;
        }

        return array;
    }

    /// <summary>Checks a string against a fixed set (Pydantic's <c>enum</c> error).</summary>
    public string? Enum(JsonObject parent, string key, object[] prefix, string[] allowed, string? defaultValue)
    {
        var loc = Loc(prefix, key);
        if (!parent.TryGetPropertyValue(key, out var node) || node is null) return defaultValue;
        var value = Wire.AsString(node);
        if (value is not null && allowed.Contains(value, StringComparer.Ordinal)) return value;
        var expected = allowed.Length == 1
            ? $"'{allowed[0]}'"
            : string.Join(", ", allowed[..^1].Select(a => $"'{a}'")) + $" or '{allowed[^1]}'";
        Add("enum", loc, $"Input should be {expected}", node, new JsonObject { ["expected"] = expected });
        return null;
    }

    /// <summary>Parses an optional integer query parameter (FastAPI <c>int_parsing</c>, <c>greater_than_equal</c>).</summary>
    public static bool TryQueryInt(HttpRequest request, string name, out int? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!request.Query.TryGetValue(name, out var raw) || raw.Count == 0) return true;
        var text = raw[^1] ?? "";
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            error = Single("int_parsing", ["query", name], "Input should be a valid integer, unable to parse string as an integer", JsonValue.Create(text));
            return false;
        }

        if (parsed < 0)
        {
            error = Single("greater_than_equal", ["query", name], "Input should be greater than or equal to 0", JsonValue.Create(text),
                new JsonObject { ["ge"] = 0 });
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>A UUID path parameter, as FastAPI validates one.</summary>
    public static IResult? CheckUuidPath(string name, string value)
    {
        if (Guid.TryParse(value, out _)) return null;
        return Single("uuid_parsing", ["path", name],
            "Input should be a valid UUID, unable to parse the string as a UUID", JsonValue.Create(value),
            new JsonObject { ["error"] = "invalid UUID: " + JsonEncodedText.Encode(value).ToString() });
    }
}
