using System.Collections;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Generated;

/// <summary>An item of a response list that could not be read and was left out of the list.</summary>
/// <param name="Path">Where in the response the item was (e.g. <c>data[0].availability_by_number[0].options[3]</c>).</param>
/// <param name="Id">The item's <c>id</c> (or <c>instance_id</c>, or <c>name</c>) when it has one; otherwise <see langword="null"/>.</param>
/// <param name="Reason">What could not be read.</param>
public sealed record SkippedListItem(string Path, string? Id, string Reason);

/// <summary>
/// Deserializer settings under which one unreadable item of a response list costs that item, never the list:
/// offers come from many suppliers, and one odd value (a fractional count, an object where a number belongs) must
/// not hide every other offer. Every list of generated objects is read as a JSON tree first and each item is
/// converted on its own, so a value of any wrong kind stays inside its item (Newtonsoft's error event alone cannot
/// do this: its text reader cannot resume after an object or array where a value belongs). The innermost list
/// holding the bad value loses one item; errors outside any list (a single object's own field, malformed JSON)
/// still fail the response.
/// </summary>
public static class ListItemTolerance
{
    /// <summary>Makes <paramref name="settings"/> skip unreadable list items, reporting each to <paramref name="skipped"/>.</summary>
    /// <param name="settings">Settings to change (and return).</param>
    /// <param name="skipped">Told about every item left out.</param>
    public static JsonSerializerSettings Apply(JsonSerializerSettings settings, Action<SkippedListItem> skipped)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(skipped);
        settings.Converters.Add(new ItemListConverter(skipped));
        settings.Converters.Add(StrictIntegerConverter.Instance);
        return settings;
    }

    /// <summary>
    /// Integers stay integers: items are converted from a JSON tree, whose reader would round 185.5 into 186 without a
    /// word; a fractional or out-of-range number where the spec says integer is an odd value, and fails its item.
    /// </summary>
    private sealed class StrictIntegerConverter : JsonConverter
    {
        public static StrictIntegerConverter Instance { get; } = new();

        public override bool CanWrite => false;

        public override bool CanConvert(Type objectType) =>
            objectType == typeof(int) || objectType == typeof(int?) || objectType == typeof(long) || objectType == typeof(long?);

        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
        {
            var wide = objectType == typeof(long) || objectType == typeof(long?);
            switch (reader.TokenType)
            {
                case JsonToken.Null when Nullable.GetUnderlyingType(objectType) is not null:
                    return null;
                case JsonToken.Integer:
                    var integer = reader.Value is System.Numerics.BigInteger big ? (object)big : Convert.ToInt64(reader.Value, System.Globalization.CultureInfo.InvariantCulture);
                    return integer is long l && (wide || l is >= int.MinValue and <= int.MaxValue)
                        ? wide ? l : (object)(int)l
                        : throw new JsonSerializationException($"{reader.Value} at '{reader.Path}' is out of range.");
                case JsonToken.String when long.TryParse((string)reader.Value!, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                                           && (wide || parsed is >= int.MinValue and <= int.MaxValue):
                    return wide ? parsed : (object)(int)parsed;
                default:
                    throw new JsonSerializationException($"Expected an integer at '{reader.Path}', found {reader.TokenType} {reader.Value}.");
            }
        }

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();
    }

    private sealed class ItemListConverter(Action<SkippedListItem> skipped) : JsonConverter
    {
        public override bool CanWrite => false;

        // Lists of strings or numbers are values of an item: an odd one there costs the item that holds it.
        public override bool CanConvert(Type objectType) => ElementOf(objectType) is not null;

        private static Type? ElementOf(Type type) =>
            type.IsGenericType
            && type.GetGenericTypeDefinition() is var open
            && (open == typeof(List<>) || open == typeof(IList<>) || open == typeof(ICollection<>) || open == typeof(IEnumerable<>) || open == typeof(IReadOnlyList<>))
            && type.GetGenericArguments()[0] is { IsClass: true } element
            && element != typeof(string)
            && element.Namespace?.StartsWith("GpuCloud.Generated", StringComparison.Ordinal) == true
                ? element
                : null;

        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
        {
            if (reader.TokenType == JsonToken.Null) return null;
            // Inside an item being converted the tree exists already: take it instead of copying it.
            JToken token;
            if (reader is JTokenReader { CurrentToken: { } current })
            {
                token = current;
                reader.Skip();
            }
            else
            {
                var prefix = reader.Path;
                token = JToken.ReadFrom(reader);
                // The tree starts at this list: remember where it sits in the response, for the paths of skipped items.
                token.AddAnnotation(new ResponsePath(prefix));
            }
            if (token is not JArray array)
                throw new JsonSerializationException($"Expected a list at '{token.Path}', found {token.Type}.");

            var element = ElementOf(objectType)!;
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element), array.Count)!;
            foreach (var item in array)
            {
                object? value;
                try
                {
                    value = item.Type == JTokenType.Null ? null : item.ToObject(element, serializer);
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidCastException or OverflowException or ArgumentException)
                {
                    skipped(new SkippedListItem(PathOf(item), IdOf(item), ex.Message));
                    continue;
                }
                list.Add(value);
            }
            return list;
        }

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();

        private static string PathOf(JToken item)
        {
            var prefix = item.Root.Annotation<ResponsePath>()?.Prefix;
            return string.IsNullOrEmpty(prefix) ? item.Path : item.Path.StartsWith('[') ? prefix + item.Path : prefix + "." + item.Path;
        }

        private sealed record ResponsePath(string Prefix);

        private static string? IdOf(JToken item)
        {
            if (item is not JObject obj) return null;
            foreach (var name in new[] { "id", "instance_id", "name" })
                if (obj[name] is JValue { Value: { } value } && value.ToString() is { Length: > 0 } text) return text;
            // A plan wrapped in an envelope (Fluence container plans: {"plan": {"id": ...}, "attributes": ...}).
            foreach (var property in obj.Properties())
                if (property.Value is JObject inner && inner["id"] is JValue { Value: { } innerId }) return innerId.ToString();
            return null;
        }
    }
}
