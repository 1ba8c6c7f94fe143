namespace GpuCloud.Tests;

/// <summary>The checks and readings every provider shares: whose plan it is, what a provider's message says, settings problems.</summary>
public class ProviderRulesTests
{
    [Test]
    public void APlanOfAnotherProvider_IsRefusedBeforeSending()
    {
        var request = new CreateInstanceRequest { Plan = Build.Plan("othercloud", "p1", 1m), Name = "gpu" };

        var ex = Assert.Throws<GpuCloudException>(() => InputRules.PlanIdFor(request, "testcloud"))!;

        Assert.That((ex.Code, ex.Field, ex.Provider), Is.EqualTo((GpuCloudErrorCode.InvalidRequest, "Plan", "testcloud")));
        Assert.That(ex.Message, Is.EqualTo("testcloud: Plan: the plan belongs to othercloud, not testcloud."));
    }

    [Test]
    public void APlanOfThisProvider_GivesItsId_WhateverTheCaseOfTheName()
    {
        var request = new CreateInstanceRequest { Plan = Build.Plan("TestCloud", "p1", 1m), Name = "gpu" };

        Assert.That(InputRules.PlanIdFor(request, "testcloud"), Is.EqualTo("p1"));
    }

    [Test]
    public void ARequestWithoutAPlan_IsRefusedBeforeSending()
    {
        var ex = Assert.Throws<GpuCloudException>(() => InputRules.PlanIdFor(new CreateInstanceRequest { Name = "gpu" }, "testcloud"))!;

        Assert.That((ex.Code, ex.Field), Is.EqualTo((GpuCloudErrorCode.InvalidRequest, "PlanId")));
    }

    [TestCase("Plan is out of stock", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase("instance type h100 is OUT-OF-STOCK in eu-1", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase("insufficient capacity", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase("no capacity left", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase("Insufficient funds on the account", GpuCloudErrorCode.InsufficientFunds)]
    [TestCase("Insufficient balance to deploy instance", GpuCloudErrorCode.InsufficientFunds)]
    public void AProvidersMessage_GivesTheCodeItImplies(string message, GpuCloudErrorCode code) =>
        Assert.That(ErrorTranslation.CodeFromMessage(message), Is.EqualTo(code));

    [TestCase("Instance not found")]
    [TestCase("")]
    [TestCase(null)]
    public void AMessageThatSaysNeither_ImpliesNoCode(string? message) =>
        Assert.That(ErrorTranslation.CodeFromMessage(message), Is.Null);

    [Test]
    public void EverySettingsProblemIsKept_EachNamedWithThePrefix()
    {
        var problems = new OptionProblems("Cloud.")
            .Require(false, "Timeout", "must be positive.")
            .Require(true, "Fine", "never shown.")
            .Check("Url", name => throw new ArgumentException($"{name} must be HTTPS.", name))
            .Check("Key", _ => { })
            .ToList();

        Assert.That(problems.Select(p => (p.Message, p.ParamName)), Is.EqualTo(new[]
        {
            ("Cloud.Timeout must be positive. (Parameter 'Cloud.Timeout')", "Cloud.Timeout"),
            ("Cloud.Url must be HTTPS. (Parameter 'Cloud.Url')", "Cloud.Url"),
        }));
    }

    [Test]
    public void BothProvidersOptions_ListEveryProblemWithTheGivenPrefix()
    {
        var fluence = new FluenceOptions { ApiKey = "", BaseUrl = new Uri("http://example.com") }.Problems("GpuCloud:Fluence:");
        var fluidstack = new FluidstackOptions { Token = "t", RegionCacheDuration = TimeSpan.FromSeconds(-1), ProjectId = Guid.Empty }.Problems("GpuCloud:Fluidstack:");

        Assert.That(fluence.Select(p => p.ParamName), Is.EqualTo(new[] { "GpuCloud:Fluence:ApiKey", "GpuCloud:Fluence:BaseUrl" }));
        Assert.That(fluidstack.Select(p => p.ParamName), Is.EqualTo(new[] { "GpuCloud:Fluidstack:RegionCacheDuration", "GpuCloud:Fluidstack:ProjectId" }));
    }

    [Test]
    public void ARequestWithoutAPlan_SaysAPlanIsRequired_AndANullRequestIsAnArgumentNullException()
    {
        var ex = Assert.Throws<GpuCloudException>(() => InputRules.PlanIdFor(new CreateInstanceRequest { Name = "gpu" }, "testcloud"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Is.EqualTo("testcloud: PlanId: a plan is required."));
            Assert.That(Assert.Throws<ArgumentNullException>(() => InputRules.PlanIdFor(null!, "testcloud"))!.ParamName, Is.EqualTo("request"));
        }
    }

    [Test]
    public void AMissingUrlOrSecret_IsRequired_NamingTheSetting()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.Throws<ArgumentException>(() => InputRules.RequireHttps(null, "Cloud.BaseUrl"))!.Message, Is.EqualTo("Cloud.BaseUrl is required. (Parameter 'Cloud.BaseUrl')"));
            Assert.That(Assert.Throws<ArgumentException>(() => InputRules.RequireHeaderSecret(" ", "Cloud.ApiKey"))!.Message, Is.EqualTo("Cloud.ApiKey is required. (Parameter 'Cloud.ApiKey')"));
        }
    }

    [Test]
    public void ASecret_MayHoldEveryVisibleAsciiCharacter_UpToTheTilde()
    {
        var visible = new string(Enumerable.Range('!', '~' - '!' + 1).Select(c => (char)c).ToArray());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(InputRules.RequireHeaderSecret(visible, "Cloud.ApiKey"), Is.EqualTo(visible));
            Assert.Throws<ArgumentException>(() => InputRules.RequireHeaderSecret("key\u007f", "Cloud.ApiKey"), "DEL is a control character");
        }
    }

    [Test]
    public void AnId_OfUpTo200Characters_IsAccepted_ALongerOneIsRefused()
    {
        var longest = new string('a', 200);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(InputRules.RequireSafeId(longest, "instanceId", "testcloud"), Is.EqualTo(longest));
            var ex = Assert.Throws<GpuCloudException>(() => InputRules.RequireSafeId(longest + "a", "instanceId", "testcloud"))!;
            Assert.That(ex.Message, Is.EqualTo("testcloud: instanceId: is too long to be an id."));
        }
    }

    [Test]
    public void AnIdWithASeparator_IsRefused_ShowingIt()
    {
        var ex = Assert.Throws<GpuCloudException>(() => InputRules.RequireSafeId("a/b", "instanceId", "testcloud"))!;

        Assert.That(ex.Message, Is.EqualTo("testcloud: instanceId: 'a/b' is not a valid id (letters, digits, '-', '_' and '.' only)."));
    }

    [Test]
    public void SeveralProblems_AreThrownTogether_NamedAfterTheFirst()
    {
        var ex = Assert.Throws<ArgumentException>(() => InputRules.ThrowIfAny(
        [
            new ArgumentException("Cloud.Url must be HTTPS.", "Cloud.Url"),
            new ArgumentException("Cloud.Key is required.", "Cloud.Key"),
        ]))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo("Cloud.Url"));
            Assert.That(ex.Message, Does.StartWith("Cloud.Url must be HTTPS. (Parameter 'Cloud.Url') Cloud.Key is required."));
            Assert.DoesNotThrow(() => InputRules.ThrowIfAny([]));
        }
    }

    [Test]
    public void AShownValue_IsCutAfter60Characters()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(InputRules.Printable(new string('x', 60)), Is.EqualTo(new string('x', 60)));
            Assert.That(InputRules.Printable(new string('x', 61)), Is.EqualTo(new string('x', 60) + "..."));
            Assert.That(InputRules.Printable("a\r\nb"), Is.EqualTo("a??b"));
        }
    }
}
