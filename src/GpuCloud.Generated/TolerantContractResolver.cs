using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace GpuCloud.Generated;

/// <summary>
/// Serializer contracts shared by every generated client. Providers' responses are data, not contracts:
/// a field the spec marks required but the server leaves out or sends as null must not fail the whole
/// response, so the generated <c>Required</c> settings are relaxed to <see cref="Required.Default"/>.
/// The facade validates what it actually needs.
/// </summary>
public sealed class TolerantContractResolver : DefaultContractResolver
{
    /// <summary>The one shared instance; Newtonsoft caches contracts per resolver instance.</summary>
    public static TolerantContractResolver Instance { get; } = new();

    private TolerantContractResolver()
    {
    }

    /// <inheritdoc />
    protected override JsonProperty CreateProperty(System.Reflection.MemberInfo member, MemberSerialization memberSerialization)
    {
        var property = base.CreateProperty(member, memberSerialization);
        property.Required = Required.Default;
        // `format: byte` fields (Fluidstack's userData) arrive as null, base64 with or without a newline, or raw text
        // such as "#cloud-config ...": none of them may fail the read.
        if (property.PropertyType == typeof(byte[])) property.Converter = LenientBytesConverter.Instance;
        return property;
    }

    /// <summary>Reads base64 (whitespace and line breaks allowed) as its bytes, anything else as its UTF-8 text; writes base64.</summary>
    private sealed class LenientBytesConverter : JsonConverter<byte[]?>
    {
        public static LenientBytesConverter Instance { get; } = new();

        public override byte[]? ReadJson(JsonReader reader, Type objectType, byte[]? existingValue, bool hasExistingValue, JsonSerializer serializer)
        {
            switch (reader.TokenType)
            {
                case JsonToken.Null:
                    return null;
                case JsonToken.String:
                    var text = (string)reader.Value!;
                    var buffer = new byte[text.Length];
                    return Convert.TryFromBase64String(RemoveWhitespace(text), buffer, out var written)
                        ? buffer.AsSpan(0, written).ToArray()
                        : System.Text.Encoding.UTF8.GetBytes(text);
                case JsonToken.Bytes:
                    return (byte[]?)reader.Value;
                default:
                    // An object or number where bytes belong: not a value this field can hold; leave it out.
                    reader.Skip();
                    return null;
            }
        }

        public override void WriteJson(JsonWriter writer, byte[]? value, JsonSerializer serializer)
        {
            if (value is null) writer.WriteNull();
            else writer.WriteValue(Convert.ToBase64String(value));
        }

        private static string RemoveWhitespace(string text) =>
            text.AsSpan().IndexOfAny(" \t\r\n") < 0 ? text : string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
    }
}
