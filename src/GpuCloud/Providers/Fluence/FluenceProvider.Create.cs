namespace GpuCloud.Providers;

// Fluence keeps no tags or labels on an instance, so a create cannot mark what it makes: the create path tells its
// instance from older ones with the same name by a list taken before the create instead.
internal sealed partial class FluenceProvider : ICreateSupport
{
    void ICreateSupport.ValidateCreate(CreateInstanceRequest request) => CheckBeforeSending(request);

    CreateInstanceRequest? ICreateSupport.MarkCreate(CreateInstanceRequest request, CreateMarks marks) => null;

    CreateMarks? ICreateSupport.MarksOf(GpuInstance instance) => null;

    /// <summary>
    /// Everything the plan does not decide, checked before any request; the OS image and location rules need the plan
    /// itself, which a read-only lookup fetches when only its id was given.
    /// </summary>
    private (string PlanId, WorkloadType Workload, string RawPlanId, SshPublicKey? Key) CheckBeforeSending(CreateInstanceRequest request)
    {
        var planId = InputRules.PlanIdFor(request, Name);
        var (maybeWorkload, rawPlanId) = FluenceMapping.SplitId(planId);
        var workload = maybeWorkload
            ?? throw GpuCloudException.Invalid(nameof(request.PlanId), $"'{InputRules.Printable(planId)}' is not a Fluence plan id (expected container:, vm: or baremetal:).", Name);
        InputRules.RequireSafeId(rawPlanId, nameof(request.PlanId), Name);
        return (planId, workload, rawPlanId, FluenceValidation.Validate(request, workload, request.Plan));
    }
}
