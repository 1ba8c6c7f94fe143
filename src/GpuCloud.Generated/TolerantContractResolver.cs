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
        return property;
    }
}
