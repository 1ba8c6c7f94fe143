using GpuCloud.Sandbox;

namespace GpuCloud.Testing;

/// <summary>
/// How a client reaches a running sandbox: its URLs and credentials, as options for the library and as the
/// environment variables <see cref="GpuCloudOptions.FromEnvironment(Func{string, string?})"/> and the CLI read.
/// </summary>
public static class SandboxConnection
{
    /// <summary>Points both providers of <paramref name="options"/> at <paramref name="sandbox"/> (Fluidstack by client credentials).</summary>
    public static GpuCloudOptions ConnectTo(this GpuCloudOptions options, SandboxServer sandbox)
    {
        options.Fluence.ApiKey = sandbox.FluenceApiKey;
        options.Fluence.BaseUrl = sandbox.FluenceBaseUrl;
        options.Fluidstack.ClientId = sandbox.FluidstackClientId;
        options.Fluidstack.ClientSecret = sandbox.FluidstackClientSecret;
        options.Fluidstack.TokenUrl = sandbox.FluidstackTokenUrl;
        options.Fluidstack.ManagementUrl = sandbox.FluidstackManagementUrl;
        options.Fluidstack.ProjectId = sandbox.FluidstackProjectId;
        return options;
    }

    /// <summary>
    /// The environment variables that reach <paramref name="sandbox"/>: Fluidstack by client credentials, or by the
    /// sandbox's static token when <paramref name="staticToken"/> is set.
    /// </summary>
    public static Dictionary<string, string> Variables(SandboxServer sandbox, bool staticToken = false)
    {
        var variables = new Dictionary<string, string>
        {
            ["FLUENCE_API_KEY"] = sandbox.FluenceApiKey,
            ["FLUENCE_BASE_URL"] = sandbox.FluenceBaseUrl.ToString(),
            ["FLUIDSTACK_BASE_URL"] = sandbox.FluidstackManagementUrl.ToString(),
            ["FLUIDSTACK_PROJECT_ID"] = sandbox.FluidstackProjectId.ToString(),
        };
        if (staticToken) variables["FLUIDSTACK_TOKEN"] = sandbox.FluidstackToken;
        else
        {
            variables["FLUIDSTACK_CLIENT_ID"] = sandbox.FluidstackClientId;
            variables["FLUIDSTACK_CLIENT_SECRET"] = sandbox.FluidstackClientSecret;
            variables["FLUIDSTACK_TOKEN_URL"] = sandbox.FluidstackTokenUrl.ToString();
        }
        return variables;
    }
}
