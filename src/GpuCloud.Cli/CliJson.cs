using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuCloud.Cli;

/// <summary>
/// <c>--output json</c>: the facade records as camelCase JSON (<c>provider</c>, <c>gpu.memoryGiB</c>, <c>pricePerHour</c>, ...),
/// enums as lower-case strings (<c>running</c>, <c>virtualmachine</c>, <c>sxm</c>). Field names follow the records, so they are stable.
/// </summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(new LowerCase()) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));

    private sealed class LowerCase : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
