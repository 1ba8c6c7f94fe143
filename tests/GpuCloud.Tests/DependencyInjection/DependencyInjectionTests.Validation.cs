using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;

namespace GpuCloud.Tests.Plumbing;

public partial class DependencyInjectionTests
{
    private static IEnumerable<TestCaseData> InvalidSettings()
    {
        TestCaseData Case(string name, string key, string? value, string named) =>
            new TestCaseData(key, value, named).SetArgDisplayNames(name);
        yield return Case("http base url", "GpuCloud:Fluence:BaseUrl", "http://example.com", "GpuCloud:Fluence:BaseUrl");
        yield return Case("negative poll interval", "GpuCloud:PollInterval", "-00:00:01", "PollInterval");
        yield return Case("zero cleanup timeout", "GpuCloud:CleanupTimeout", "00:00:00", "CleanupTimeout");
        yield return Case("CRLF in the api key", "GpuCloud:Fluence:ApiKey", FluenceKey + "\r\nX-Injected: 1", "GpuCloud:Fluence:ApiKey");
        yield return Case("non-ascii in the token", "GpuCloud:Fluidstack:Token", FluidstackToken + "\u00e9", "GpuCloud:Fluidstack:Token");
        yield return Case("http management url", "GpuCloud:Fluidstack:ManagementUrl", "http://atlas.example.com/api", "GpuCloud:Fluidstack:ManagementUrl");
        yield return Case("too many retries", "GpuCloud:Resilience:MaxRetries", "11", "MaxRetries");
        yield return Case("zero attempt timeout", "GpuCloud:Resilience:AttemptTimeout", "00:00:00", "AttemptTimeout");
    }

    [TestCaseSource(nameof(InvalidSettings))]
    public void AnInvalidSetting_FailsAtResolve_NamingIt_WithoutTheSecret(string key, string? value, string named)
    {
        var settings = FullSettings();
        settings[key] = value;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);
        var atStart = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate())!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain(named));
            Assert.That(ex.OptionsType, Is.EqualTo(typeof(GpuCloudOptions)));
            Assert.That(atStart.Message, Does.Contain(named), "ValidateOnStart: a host fails at start, not at first use");
            Assert.That(ex.Failures.Concat(atStart.Failures), Has.None.Contain("SECRET"));
        }
    }

    [TestCase("GpuCloud:Fluence:BaseUrl", "http://api.fluence.dev", "BaseUrl")]
    [TestCase("GpuCloud:Fluidstack:RegionCacheDuration", "-00:00:01", "RegionCacheDuration")]
    [TestCase("GpuCloud:Fluidstack:ProjectId", "00000000-0000-0000-0000-000000000000", "ProjectId")]
    public void ASettingTheProviderRefuses_IsCaughtByStartupValidation(string key, string value, string named)
    {
        var settings = FullSettings();
        settings[key] = value;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var atStart = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate())!);
        var atResolve = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atStart.Message, Does.Contain(named));
            Assert.That(atResolve.Message, Does.Contain(named));
        }
    }

    [Test]
    public void AnHttpTokenUrl_WithClientCredentials_FailsAtResolve()
    {
        var settings = FullSettings();
        settings.Remove("GpuCloud:Fluidstack:Token");
        settings["GpuCloud:Fluidstack:ClientId"] = ClientId;
        settings["GpuCloud:Fluidstack:ClientSecret"] = ClientSecret;
        settings["GpuCloud:Fluidstack:TokenUrl"] = "http://auth.example.com/oauth/token";
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Message, Does.Contain("GpuCloud:Fluidstack:TokenUrl"));
    }

    [Test]
    public void SeveralInvalidSettings_AreAllReported()
    {
        var settings = FullSettings();
        settings["GpuCloud:Fluence:BaseUrl"] = "http://example.com";
        settings["GpuCloud:Fluidstack:ManagementUrl"] = "http://atlas.example.com";
        settings["GpuCloud:PollInterval"] = "-00:00:01";
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Failures, Has.Some.Contain("GpuCloud:Fluence:BaseUrl")
            .And.Some.Contain("GpuCloud:Fluidstack:ManagementUrl")
            .And.Some.Contain("PollInterval"));
    }

    [TestCase("http://localhost:8080")]
    [TestCase("http://127.0.0.1:8080")]
    [TestCase("http://[::1]:8080")]
    public void PlainHttpToLoopback_IsAccepted(string url)
    {
        var settings = FullSettings();
        settings["GpuCloud:Fluence:BaseUrl"] = url;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        Assert.That(sp.GetRequiredService<GpuCloudClient>().Providers.Select(p => p.Name), Does.Contain("fluence"));
    }
}
