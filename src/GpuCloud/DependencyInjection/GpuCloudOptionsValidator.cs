using GpuCloud;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="GpuCloudOptions"/> at start with messages that name the setting and never show a secret.</summary>
internal sealed class GpuCloudOptionsValidator : IValidateOptions<GpuCloudOptions>
{
    public ValidateOptionsResult Validate(string? name, GpuCloudOptions options)
    {
        var failures = new List<string>();
        void Check(Action check)
        {
            try { check(); }
            catch (ArgumentException ex) { failures.Add(ex.Message); }
        }
        Check(options.Validate);
        // The same checks the providers' constructors make, so a bad setting fails at start, not at first use.
        foreach (var (registration, settings) in options.ProviderSettings)
            if (registration.IsConfigured(settings))
                failures.AddRange(registration.Problems(settings, $"GpuCloud:{registration.SectionName}:").Select(p => p.Message));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
