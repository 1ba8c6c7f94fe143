namespace GpuCloud.Providers;

// Atlas keeps the tags a create sends and returns them on every read, so each create carries a token of its own as
// a tag: after a lost answer, the instance with that token is this call's, whatever else shares its name.
internal sealed partial class FluidstackProvider : ICreateSupport
{
    /// <summary>The tag that carries the token of the create call that made an instance.</summary>
    internal const string CreateTokenTag = "gpucloud-create-token";

    /// <summary>The tag that names who created an instance through GpuCloud.</summary>
    internal const string OwnerTag = "gpucloud-owner";

    /// <summary>The tag that says when an instance should be deleted (ISO 8601, UTC).</summary>
    internal const string ExpiresAtTag = "gpucloud-expires-at";

    void ICreateSupport.ValidateCreate(CreateInstanceRequest request) => CheckBeforeSending(request);

    // Keys and values stay within Atlas's tag rules (keys 1-63 characters, values at most 255 without control
    // characters): the owner is checked by GpuCloudOptions, the token is 32 hex digits, the expiry a UTC timestamp.
    CreateInstanceRequest? ICreateSupport.MarkCreate(CreateInstanceRequest request, CreateMarks marks)
    {
        var tags = new Dictionary<string, string>(request.Tags) { [CreateTokenTag] = marks.Token, [OwnerTag] = marks.Owner };
        if (marks.ExpiresAt is { } expires)
            tags[ExpiresAtTag] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        else
            tags.Remove(ExpiresAtTag);
        return request with { Tags = tags };
    }

    CreateMarks? ICreateSupport.MarksOf(GpuInstance instance)
    {
        if (!instance.Tags.TryGetValue(CreateTokenTag, out var token)) return null;
        var expires = instance.Tags.TryGetValue(ExpiresAtTag, out var text)
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        return new CreateMarks(token, instance.Tags.GetValueOrDefault(OwnerTag) ?? "", expires);
    }

    private (string Region, string Type, IReadOnlyList<SshPublicKey> Keys) CheckBeforeSending(CreateInstanceRequest request)
    {
        var planId = InputRules.PlanIdFor(request, Name);
        if (FluidstackMapping.SplitId(planId) is not var (region, type))
            throw GpuCloudException.Invalid(nameof(request.PlanId), $"'{InputRules.Printable(planId)}' is not a Fluidstack plan id (region/instance-type).", Name);
        InputRules.RequireSafeId(region, nameof(request.PlanId), Name);
        InputRules.RequireSafeId(type, nameof(request.PlanId), Name);
        return (region, type, FluidstackValidation.Validate(request, region));
    }
}
