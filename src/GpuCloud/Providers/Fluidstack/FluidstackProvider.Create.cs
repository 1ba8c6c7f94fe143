using GpuCloud.Errors;
using GpuCloud.Http;
using GpuCloud.Instances;
using GpuCloud.SshKeys;

namespace GpuCloud.Providers.Fluidstack;

// Atlas keeps the tags a create sends and returns them on every read, so each create carries a token of its own as
// a tag: after a lost answer, the instance with that token is this call's, whatever else shares its name.
public sealed partial class FluidstackProvider : ICreateSupport
{
    /// <summary>The tag that carries the token of the create call that made an instance.</summary>
    internal const string CreateTokenTag = "gpucloud-create-token";

    void ICreateSupport.ValidateCreate(CreateInstanceRequest request) => CheckBeforeSending(request);

    CreateInstanceRequest? ICreateSupport.MarkCreate(CreateInstanceRequest request, string token) =>
        request with { Tags = new Dictionary<string, string>(request.Tags) { [CreateTokenTag] = token } };

    string? ICreateSupport.CreateTokenOf(GpuInstance instance) =>
        instance.Tags.TryGetValue(CreateTokenTag, out var token) ? token : null;

    private (string Region, string Type, IReadOnlyList<SshPublicKey> Keys) CheckBeforeSending(CreateInstanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan is { } given && !string.Equals(given.Provider, Name, StringComparison.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Plan), $"the plan belongs to {given.Provider}, not {Name}.", Name);
        var planId = request.TargetPlanId ?? throw GpuCloudException.Invalid(nameof(request.PlanId), "a plan is required.", Name);
        if (FluidstackMapping.SplitId(planId) is not var (region, type))
            throw GpuCloudException.Invalid(nameof(request.PlanId), $"'{EndpointRules.Printable(planId)}' is not a Fluidstack plan id (region/instance-type).", Name);
        EndpointRules.RequireSafeId(region, nameof(request.PlanId), Name);
        EndpointRules.RequireSafeId(type, nameof(request.PlanId), Name);
        return (region, type, FluidstackValidation.Validate(request, region));
    }
}
