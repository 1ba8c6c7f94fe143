using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace GpuCloud.Sandbox.Tests.Support;

/// <summary>
/// Deserializes a raw response into a DTO generated from the spec, strictly:
/// <list type="bullet">
/// <item>MissingMemberHandling.Error with the generated <c>[JsonExtensionData]</c> bags switched off, so a field the
/// spec does not define fails;</item>
/// <item>a case-sensitive walk of the JSON against the contracts (Newtonsoft matches names case-insensitively);</item>
/// <item>properties the spec marks required and non-nullable (generated as <c>Required.DisallowNull</c>) must be present.</item>
/// </list>
/// </summary>
public static class StrictJson
{
    private static readonly StrictContractResolver Resolver = new();

    private static readonly JsonSerializerSettings Settings = new()
    {
        MissingMemberHandling = MissingMemberHandling.Error,
        ContractResolver = Resolver,
        DateParseHandling = DateParseHandling.DateTimeOffset,
    };

    public static T Deserialize<T>(string json)
    {
        T? value;
        try
        {
            value = JsonConvert.DeserializeObject<T>(json, Settings);
        }
        catch (JsonException e)
        {
            throw new AssertionException($"Response does not match {typeof(T).Name} strictly: {e.Message}\n{Trim(json)}");
        }

        Assert.That(value, Is.Not.Null, $"Response deserialized to null as {typeof(T).Name}");
        var problems = new List<string>();
        Walk(JToken.Parse(json), typeof(T), "$", problems);
        if (problems.Count > 0)
            throw new AssertionException($"Response does not match {typeof(T).Name} strictly:\n  {string.Join("\n  ", problems)}\n{Trim(json)}");
        return value!;
    }

    private static string Trim(string json) => json.Length > 600 ? json[..600] + "..." : json;

    private static void Walk(JToken token, Type type, string path, List<string> problems)
    {
        if (token.Type == JTokenType.Null) return;
        type = Nullable.GetUnderlyingType(type) ?? type;
        var contract = Resolver.ResolveContract(type);
        switch (contract)
        {
            case JsonObjectContract obj when token is JObject jobj:
                foreach (var property in jobj.Properties())
                {
                    var match = obj.Properties.FirstOrDefault(p => string.Equals(p.PropertyName, property.Name, StringComparison.Ordinal));
                    if (match is null) problems.Add($"{path}.{property.Name} is not defined by the spec");
                    else Walk(property.Value, match.PropertyType!, $"{path}.{property.Name}", problems);
                }

                break;
            case JsonArrayContract array when token is JArray jarray:
                var i = 0;
                foreach (var item in jarray) Walk(item, array.CollectionItemType ?? typeof(object), $"{path}[{i++}]", problems);
                break;
            case JsonDictionaryContract dictionary when token is JObject jdict:
                foreach (var property in jdict.Properties())
                    Walk(property.Value, dictionary.DictionaryValueType ?? typeof(object), $"{path}.{property.Name}", problems);
                break;
        }
    }

    private sealed class StrictContractResolver : DefaultContractResolver
    {
        protected override JsonObjectContract CreateObjectContract(Type objectType)
        {
            var contract = base.CreateObjectContract(objectType);
            contract.ExtensionDataGetter = null;
            contract.ExtensionDataSetter = null;
            contract.MissingMemberHandling = MissingMemberHandling.Error;
            return contract;
        }

        protected override JsonProperty CreateProperty(System.Reflection.MemberInfo member, MemberSerialization memberSerialization)
        {
            var property = base.CreateProperty(member, memberSerialization);
            if (property.Required == Required.DisallowNull) property.Required = Required.Always;
            return property;
        }
    }
}
