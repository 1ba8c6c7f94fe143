using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;

namespace GpuCloud.Tests.Plumbing;

public partial class DependencyInjectionTests
{
    [Test]
    public async Task EnvironmentVariables_AreApplied_AndConfigurationOverridesThem()
    {
        const string envFluenceUrl = "https://env-fluence.example.test";
        const string envManagement = "https://env-atlas.example.test/api/v1alpha1";
        _environment
            .Set("FLUENCE_API_KEY", EnvFluenceKey)
            .Set("FLUENCE_BASE_URL", envFluenceUrl)
            .Set("FLUIDSTACK_TOKEN", EnvFluidstackToken)
            .Set("FLUIDSTACK_PROJECT_ID", Project.ToString())
            .Set("FLUIDSTACK_BASE_URL", envManagement);
        var http = KeysEverywhere(envFluenceUrl, envManagement);
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?>
        {
            ["GpuCloud:Fluence:ApiKey"] = FluenceKey, // overrides FLUENCE_API_KEY
            ["GpuCloud:PollInterval"] = "00:00:07",
        })), http);

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;
        var client = sp.GetRequiredService<GpuCloudClient>();
        await Guard(client.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey), "configuration wins over the environment");
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri(envFluenceUrl)));
            Assert.That(options.Fluidstack.Token, Is.EqualTo(EnvFluidstackToken));
            Assert.That(options.Fluidstack.ProjectId, Is.EqualTo(Project));
            Assert.That(options.Fluidstack.ManagementUrl, Is.EqualTo(new Uri(envManagement)));
            Assert.That(options.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(http.Sent(HttpMethod.Get, envFluenceUrl + "/v1/ssh_keys").Single().ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(http.Sent(HttpMethod.Get, envManagement + "/user/keys").Single().Authorization, Is.EqualTo("Bearer " + EnvFluidstackToken));
        }
    }

    [Test]
    public void EnvironmentVariables_AloneAreEnough_ClientCredentialsIncluded()
    {
        _environment
            .Set("FLUENCE_API_KEY", EnvFluenceKey)
            .Set("FLUIDSTACK_CLIENT_ID", "env-client")
            .Set("FLUIDSTACK_CLIENT_SECRET", EnvClientSecret)
            .Set("FLUIDSTACK_TOKEN_URL", "https://env-auth.example.test/oauth/token");
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?>())));

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;
        var client = sp.GetRequiredService<GpuCloudClient>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(EnvFluenceKey));
            Assert.That(options.Fluidstack.UsesClientCredentials, Is.True);
            Assert.That(options.Fluidstack.ClientId, Is.EqualTo("env-client"));
            Assert.That(options.Fluidstack.ClientSecret, Is.EqualTo(EnvClientSecret));
            Assert.That(options.Fluidstack.TokenUrl, Is.EqualTo(new Uri("https://env-auth.example.test/oauth/token")));
        }
    }

    [Test]
    public void EnvironmentVariables_AreOverriddenByTheCallback()
    {
        _environment.Set("FLUENCE_API_KEY", EnvFluenceKey).Set("FLUENCE_BASE_URL", "https://env-fluence.example.test");
        using var sp = Services(s => s.AddGpuCloud(o => o.Fluence.ApiKey = FluenceKey));

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri("https://env-fluence.example.test")));
        }
    }

    [Test]
    public void FromEnvironment_MapsEveryVariable_TrimsThem_AndIgnoresEmptyOnes()
    {
        var env = new Dictionary<string, string>
        {
            ["FLUENCE_API_KEY"] = "  " + EnvFluenceKey + " ",
            ["FLUENCE_BASE_URL"] = "https://f.example.test",
            ["FLUIDSTACK_TOKEN"] = "",
            ["FLUIDSTACK_CLIENT_ID"] = "cid",
            ["FLUIDSTACK_CLIENT_SECRET"] = EnvClientSecret,
            ["FLUIDSTACK_TOKEN_URL"] = "https://t.example.test/token",
            ["FLUIDSTACK_PROJECT_ID"] = Project.ToString(),
            ["FLUIDSTACK_BASE_URL"] = "https://m.example.test/api",
        };

        var options = GpuCloudOptions.FromEnvironment(name => env.GetValueOrDefault(name));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(EnvFluenceKey));
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri("https://f.example.test")));
            Assert.That(options.Fluidstack.Token, Is.Null, "an empty variable changes nothing");
            Assert.That(options.Fluidstack.ClientId, Is.EqualTo("cid"));
            Assert.That(options.Fluidstack.ClientSecret, Is.EqualTo(EnvClientSecret));
            Assert.That(options.Fluidstack.TokenUrl, Is.EqualTo(new Uri("https://t.example.test/token")));
            Assert.That(options.Fluidstack.ProjectId, Is.EqualTo(Project));
            Assert.That(options.Fluidstack.ManagementUrl, Is.EqualTo(new Uri("https://m.example.test/api")));
            Assert.That(GpuCloudOptions.FromEnvironment(_ => null).Fluence.ApiKey, Is.Null);
        }
    }

    [TestCase("FLUENCE_BASE_URL", "not a url " + EnvFluenceKey)]
    [TestCase("FLUIDSTACK_TOKEN_URL", "relative/" + EnvFluenceKey)]
    [TestCase("FLUIDSTACK_BASE_URL", "::")]
    [TestCase("FLUIDSTACK_PROJECT_ID", "project-" + EnvFluenceKey)]
    public void FromEnvironment_AMalformedVariable_IsNamed_WithoutItsValue(string name, string value)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => GpuCloudOptions.FromEnvironment(n => n == name ? value : null))!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo(name));
            Assert.That(ex.Message, Does.Contain(name));
        }
    }

    [Test]
    public void AMalformedEnvironmentVariable_FailsAtResolve_NamingIt()
    {
        _environment.Set("FLUIDSTACK_PROJECT_ID", "not-a-guid");
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())));

        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Message, Does.Contain("FLUIDSTACK_PROJECT_ID"));
    }
}
