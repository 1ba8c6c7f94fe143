namespace GpuCloud.Tests;

/// <summary>Secrets never show in ToString() or in error messages.</summary>
public class SecretsTests
{
    private const string ApiKey = "flu-4f1e8a9c-secret-api-key";
    private const string Token = "eyJhbGciOi.secret-bearer-token";
    private const string ClientSecret = "client-secret-5b7d";
    private const string RegistryPassword = "ghp_registry-password-9f3a";
    private const string EnvSecret = "env-value-with-a-token-2c4e";
    private const string UserDataSecret = "user-data-password-8d1f";

    [Test]
    public void FluenceOptions_HidesTheApiKey()
    {
        var text = new FluenceOptions { ApiKey = ApiKey }.ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Not.Contain(ApiKey).And.Not.Contain("secret-api-key"));
            Assert.That(text, Does.Contain("ApiKey = (set)").And.Contain("https://api.fluence.dev"));
            Assert.That(new FluenceOptions().ToString(), Does.Contain("(not set)"));
        }
    }

    [Test]
    public void FluidstackOptions_HidesTokenAndClientSecret()
    {
        var withToken = new FluidstackOptions { Token = Token, ProjectId = FluidstackJson.ProjectId }.ToString();
        var withClient = new FluidstackOptions { ClientId = "my-client", ClientSecret = ClientSecret }.ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withToken, Does.Not.Contain(Token).And.Not.Contain("secret-bearer-token"));
            Assert.That(withToken, Does.Contain("(set)").And.Contain(FluidstackJson.ProjectId.ToString()));
            Assert.That(withClient, Does.Not.Contain(ClientSecret));
        }
    }

    [Test]
    public void GpuCloudOptions_HidesEverySecret()
    {
        var options = new GpuCloudOptions
        {
            Fluence = { ApiKey = ApiKey },
            Fluidstack = { Token = Token, ClientId = "my-client", ClientSecret = ClientSecret },
        };

        Assert.That(options.ToString(), Does.Not.Contain(ApiKey).And.Not.Contain(Token).And.Not.Contain(ClientSecret));
    }

    private static CreateInstanceRequest RequestWithSecrets() => new()
    {
        Provider = "fluence",
        PlanId = "container:abc",
        Name = "my-box",
        SshPublicKeys = [TestKeys.Ed25519],
        UserData = $"#cloud-config\npassword: {UserDataSecret}\n",
        Container = new ContainerSettings
        {
            Image = "ghcr.io/me/private:1",
            Environment = new Dictionary<string, string> { ["HF_TOKEN"] = EnvSecret },
            Registry = new RegistryCredentials("ghcr.io", "me", RegistryPassword),
        },
    };

    [Test]
    public void CreateInstanceRequest_HidesUserData_RegistryPassword_AndEnvironmentValues()
    {
        var text = RequestWithSecrets().ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Not.Contain(UserDataSecret));
            Assert.That(text, Does.Not.Contain(RegistryPassword));
            Assert.That(text, Does.Not.Contain(EnvSecret));
            Assert.That(text, Does.Contain("UserData = (redacted)"));
            Assert.That(text, Does.Contain("HF_TOKEN"), "names are fine, values are not");
            Assert.That(text, Does.Contain("my-box").And.Contain("ghcr.io/me/private:1"));
        }
    }

    [Test]
    public void CreateInstanceRequest_WithoutUserData_SaysNull()
    {
        Assert.That((RequestWithSecrets() with { UserData = null }).ToString(), Does.Contain("UserData = null"));
    }

    [Test]
    public void RegistryCredentials_HidesThePassword()
    {
        var text = new RegistryCredentials("docker.io", "me", RegistryPassword).ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Not.Contain(RegistryPassword));
            Assert.That(text, Does.Contain("docker.io").And.Contain("me").And.Contain("(redacted)"));
        }
    }

    [Test]
    public void ContainerSettings_HidesPasswordAndEnvironmentValues()
    {
        var text = RequestWithSecrets().Container!.ToString();

        Assert.That(text, Does.Not.Contain(RegistryPassword).And.Not.Contain(EnvSecret));
    }

    [Test]
    public async Task FluenceErrors_NeverCarryTheApiKey()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, FluenceJson.ContainerInstancesUrl + FluenceJson.ActiveContainerId, HttpStatusCode.Unauthorized,
            """{"code": "unauthorized", "error": "Auth token invalid or missing"}""");
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = ApiKey }, http.Handler);

        GpuCloudException? caught = null;
        try
        {
            await fluence.GetInstanceAsync("container:" + FluenceJson.ActiveContainerId);
        }
        catch (GpuCloudException ex)
        {
            caught = ex;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(caught, Is.Not.Null);
            Assert.That(caught!.ToString(), Does.Not.Contain(ApiKey));
            Assert.That(http.Requests.Single().Header("X-API-KEY"), Is.EqualTo(ApiKey), "the key was sent, only never shown");
        }
    }

    [Test]
    public async Task FluidstackErrors_NeverCarryTheToken()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, FluidstackJson.UserKeysUrl, HttpStatusCode.Unauthorized, FluidstackJson.Error("bad token"));
        var options = Build.FluidstackOptions();
        options.Token = Token;
        using var fluidstack = new FluidstackProvider(options, http.Handler, new FakeTimeProvider());

        GpuCloudException? caught = null;
        try
        {
            await fluidstack.ListSshKeysAsync();
        }
        catch (GpuCloudException ex)
        {
            caught = ex;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(caught, Is.Not.Null);
            Assert.That(caught!.ToString(), Does.Not.Contain(Token));
            Assert.That(http.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer " + Token));
        }
    }
}
