using System.Text;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace GpuCloud.SpecDrift;

/// <summary>One difference between two OpenAPI documents.</summary>
/// <param name="Breaking">Whether code generated from the old document could stop compiling or working against the new one.</param>
/// <param name="Change">What happened, e.g. "removed operation".</param>
/// <param name="Subject">Where, e.g. "DELETE /vms/{id} (deleteVm)" or "Vm.status".</param>
internal sealed record DriftItem(bool Breaking, string Change, string Subject);

/// <summary>
/// Compares operations (with their parameters), component schemas, their properties, required-ness, types and
/// enum values. Enum values count as breaking only when removed: the generated clients read them as strings.
/// </summary>
internal static class Drift
{
    public static async Task<(OpenApiDocument? Document, IReadOnlyList<string> Errors)> LoadAsync(string path)
    {
        if (!File.Exists(path)) return (null, ["no such file"]);
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        await using var stream = File.OpenRead(path);
        var format = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "json" : "yaml";
        var result = await OpenApiDocument.LoadAsync(stream, format, settings);
        var errors = result.Diagnostic?.Errors.Select(e => $"{e.Pointer} {e.Message}".Trim()).ToList() ?? [];
        return (result.Document, result.Document is null && errors.Count == 0 ? ["not an OpenAPI document"] : errors);
    }

    public static IReadOnlyList<DriftItem> Compare(OpenApiDocument before, OpenApiDocument after)
    {
        var items = new List<DriftItem>();
        var oldOps = Operations(before);
        var newOps = Operations(after);
        foreach (var (key, op) in newOps.Where(o => !oldOps.ContainsKey(o.Key))) items.Add(new(false, "added operation", Label(key, op)));
        foreach (var (key, op) in oldOps.Where(o => !newOps.ContainsKey(o.Key))) items.Add(new(true, "removed operation", Label(key, op)));
        foreach (var (key, oldOp) in oldOps)
        {
            if (!newOps.TryGetValue(key, out var newOp)) continue;
            var oldParams = Parameters(oldOp);
            var newParams = Parameters(newOp);
            foreach (var (name, p) in newParams.Where(p => !oldParams.ContainsKey(p.Key)))
                items.Add(new(p.Required, p.Required ? "added required parameter" : "added optional parameter", $"{Label(key, newOp)} {name}"));
            foreach (var name in oldParams.Keys.Where(n => !newParams.ContainsKey(n)))
                items.Add(new(true, "removed parameter", $"{Label(key, newOp)} {name}"));
            foreach (var (name, p) in newParams.Where(p => oldParams.TryGetValue(p.Key, out var o) && o.Required != p.Value.Required))
                items.Add(new(true, p.Required ? "parameter now required" : "parameter now optional", $"{Label(key, newOp)} {name}"));
        }

        var oldSchemas = Schemas(before);
        var newSchemas = Schemas(after);
        foreach (var name in newSchemas.Keys.Where(n => !oldSchemas.ContainsKey(n))) items.Add(new(false, "added schema", name));
        foreach (var name in oldSchemas.Keys.Where(n => !newSchemas.ContainsKey(n))) items.Add(new(true, "removed schema", name));
        foreach (var (name, oldSchema) in oldSchemas)
        {
            if (!newSchemas.TryGetValue(name, out var newSchema)) continue;
            CompareSchema(name, oldSchema, newSchema, items);
        }
        return items.OrderByDescending(i => i.Breaking).ThenBy(i => i.Change, StringComparer.Ordinal).ThenBy(i => i.Subject, StringComparer.Ordinal).ToList();
    }

    private static void CompareSchema(string name, IOpenApiSchema before, IOpenApiSchema after, List<DriftItem> items)
    {
        CompareEnum(name, before, after, items);
        var oldProps = before.Properties ?? new Dictionary<string, IOpenApiSchema>();
        var newProps = after.Properties ?? new Dictionary<string, IOpenApiSchema>();
        var oldRequired = before.Required ?? new HashSet<string>();
        var newRequired = after.Required ?? new HashSet<string>();
        foreach (var prop in newProps.Keys.Where(p => !oldProps.ContainsKey(p)))
        {
            var required = newRequired.Contains(prop);
            items.Add(new(required, required ? "added required property" : "added property", $"{name}.{prop}"));
        }
        foreach (var prop in oldProps.Keys.Where(p => !newProps.ContainsKey(p))) items.Add(new(true, "removed property", $"{name}.{prop}"));
        foreach (var (prop, oldProp) in oldProps)
        {
            if (!newProps.TryGetValue(prop, out var newProp)) continue;
            var was = oldRequired.Contains(prop);
            var now = newRequired.Contains(prop);
            // The generated property's nullability follows required-ness, so either way its C# type changes.
            if (was != now) items.Add(new(true, now ? "property now required" : "property now optional", $"{name}.{prop}"));
            var oldType = Describe(oldProp);
            var newType = Describe(newProp);
            if (oldType != newType) items.Add(new(true, "property type changed", $"{name}.{prop}: {oldType} -> {newType}"));
            CompareEnum($"{name}.{prop}", oldProp, newProp, items);
        }
    }

    private static void CompareEnum(string subject, IOpenApiSchema before, IOpenApiSchema after, List<DriftItem> items)
    {
        // A reference's enum is compared where the referenced schema is.
        if (before is OpenApiSchemaReference || after is OpenApiSchemaReference) return;
        var oldValues = EnumValues(before);
        var newValues = EnumValues(after);
        foreach (var v in newValues.Except(oldValues)) items.Add(new(false, "added enum value", $"{subject} {v}"));
        foreach (var v in oldValues.Except(newValues)) items.Add(new(true, "removed enum value", $"{subject} {v}"));
    }

    private static List<string> EnumValues(IOpenApiSchema schema) =>
        (schema.Enum ?? []).Select(v => v?.ToJsonString() ?? "null")
            .Concat((schema.Items is { } items and not OpenApiSchemaReference ? items.Enum ?? [] : []).Select(v => v?.ToJsonString() ?? "null"))
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>A schema's shape in a few words: a reference's name, or its type and format (of its items for an array).</summary>
    private static string Describe(IOpenApiSchema schema) => schema switch
    {
        OpenApiSchemaReference r => r.Reference.Id ?? "(reference)",
        { Type: { } type } when type.HasFlag(JsonSchemaType.Array) => $"array of {(schema.Items is null ? "any" : Describe(schema.Items))}",
        { Type: { } type } => type.ToString().ToLowerInvariant().Replace(", ", "|") + (schema.Format is { } f ? $" ({f})" : ""),
        { AllOf.Count: > 0 } => "allOf " + string.Join(", ", schema.AllOf.Select(Describe)),
        { AnyOf.Count: > 0 } => "anyOf " + string.Join(", ", schema.AnyOf.Select(Describe)),
        { OneOf.Count: > 0 } => "oneOf " + string.Join(", ", schema.OneOf.Select(Describe)),
        _ => "any",
    };

    private static SortedDictionary<string, OpenApiOperation> Operations(OpenApiDocument document)
    {
        var operations = new SortedDictionary<string, OpenApiOperation>(StringComparer.Ordinal);
        foreach (var (path, item) in document.Paths ?? [])
            foreach (var (method, op) in item.Operations ?? [])
                operations[$"{method.Method.ToUpperInvariant()} {path}"] = op;
        return operations;
    }

    private static string Label(string key, OpenApiOperation op) => op.OperationId is { } id ? $"{key} ({id})" : key;

    private static Dictionary<string, IOpenApiParameter> Parameters(OpenApiOperation op) =>
        (op.Parameters ?? []).Where(p => p.Name is not null).GroupBy(p => $"{p.In?.ToString().ToLowerInvariant()}:{p.Name}").ToDictionary(g => g.Key, g => g.First());

    private static SortedDictionary<string, IOpenApiSchema> Schemas(OpenApiDocument document) =>
        new(document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>(), StringComparer.Ordinal);

    public static string Report(string beforePath, string afterPath, IReadOnlyList<DriftItem> items)
    {
        var text = new StringBuilder();
        text.Append("Spec drift: ").Append(beforePath).Append(" -> ").Append(afterPath).Append('\n');
        foreach (var item in items)
            text.Append("  ").Append(item.Breaking ? "breaking" : "additive").Append("  ").Append(item.Change.PadRight(26)).Append(item.Subject).Append('\n');
        var breaking = items.Count(i => i.Breaking);
        var additive = items.Count - breaking;
        text.Append(items.Count == 0
            ? "No change to operations, parameters, schemas, properties or enum values.\n"
            : $"{breaking} breaking, {additive} additive: " + (breaking > 0
                ? "regenerating is a breaking change (bump the minor while GpuCloud.Generated is 0.x, the major from 1.0).\n"
                : "regenerating only adds (bump the patch).\n"));
        return text.ToString();
    }
}
