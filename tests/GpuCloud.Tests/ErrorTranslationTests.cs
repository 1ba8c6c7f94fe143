using System.Net;
using System.Net.Http.Headers;
using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Tests.Support;
using RichardSzalay.MockHttp;

namespace GpuCloud.Tests;

/// <summary>Every error envelope and status of both providers, transport failures, and the caller's own cancellation.</summary>
public class ErrorTranslationTests
{
    private const string ContainerId = FluenceJson.ActiveContainerId;
    private static readonly string ContainerUrl = FluenceJson.ContainerInstancesUrl + ContainerId;
    private static readonly string FluidstackInstanceUrl = FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid;
    private const string FluidstackInstanceId = "sandbox/" + FluidstackJson.InstanceGuid;

    private static CreateInstanceRequest ContainerRequest() => new()
    {
        Plan = new GpuPlan
        {
            Provider = "fluence", Id = "container:" + FluenceJson.H200PlanId, Name = "h200", Workload = WorkloadType.Container,
            Gpu = GpuModelCatalog.Parse("h200", 1), Locations = ["US"],
        },
        Name = "my-gpu-container",
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    private static async Task<GpuCloudException> Caught(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (GpuCloudException ex)
        {
            return ex;
        }
        Assert.Fail("Expected a GpuCloudException.");
        throw new UnreachableException();
    }

    private sealed class UnreachableException : Exception;

    private static void Respond(RecordingHttp http, HttpMethod method, string url, int status, string body, string mediaType = "application/json",
        string? retryAfter = null) =>
        http.Raw(method, url, (HttpStatusCode)status, body, mediaType, h =>
        {
            if (retryAfter is not null) h.TryAddWithoutValidation("Retry-After", retryAfter);
        });

    private static async Task<GpuCloudException> FluenceGet(int status, string body, string mediaType = "application/json", string? retryAfter = null)
    {
        using var http = new RecordingHttp();
        Respond(http, HttpMethod.Get, ContainerUrl, status, body, mediaType, retryAfter);
        using var fluence = Build.Fluence(http);
        return await Caught(() => fluence.GetInstanceAsync("container:" + ContainerId));
    }

    private static async Task<GpuCloudException> FluenceDeploy(int status, string body)
    {
        using var http = new RecordingHttp();
        Respond(http, HttpMethod.Post, FluenceJson.ContainerInstancesUrl, status, body);
        using var fluence = Build.Fluence(http);
        return await Caught(() => fluence.CreateInstanceAsync(ContainerRequest()));
    }

    // ------------------------------------------------------------------------------------------- Fluence

    [Test]
    public async Task Fluence_400_InsufficientBalance_IsInsufficientFunds()
    {
        var ex = await FluenceDeploy(400, """{"detail": "Insufficient balance to deploy instance"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InsufficientFunds));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Insufficient balance to deploy instance"));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(ex.Message, Does.Contain("Insufficient balance to deploy instance"));
            Assert.That(ex.IsTransient, Is.False);
        }
    }

    [Test]
    public async Task Fluence_400_PlanNoLongerAvailable_IsCapacityUnavailable()
    {
        var ex = await FluenceDeploy(400, """{"detail": "Plan is no longer available"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.IsTransient, Is.True);
        }
    }

    [Test]
    public async Task Fluence_400_OtherBusinessError_IsInvalidRequest_WithTheMessage()
    {
        const string detail = "Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04";
        var ex = await FluenceDeploy(400, $$"""{"detail": "{{detail}}"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.ProviderMessage, Is.EqualTo(detail));
        }
    }

    private const string ValidationBody = """
        {"detail": [{"type": "value_error", "loc": ["body", "container_settings", "expose", 0, "port"],
                     "msg": "Value error, Port must be between 1 and 65535", "input": "999999999", "ctx": {"error": {}}}]}
        """;

    [Test]
    public async Task Fluence_422_ValidationList_IsInvalidRequest_WithTheField()
    {
        var ex = await FluenceDeploy(422, ValidationBody);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(ex.Field, Does.StartWith("container_settings.expose").And.EndWith("port"));
            Assert.That(ex.ProviderMessage, Does.Contain("Value error, Port must be between 1 and 65535"));
            Assert.That(ex.ProviderMessage, Does.Not.Contain("body"), "the 'body' part of loc is dropped");
        }
    }

    [Test]
    public async Task Fluence_422_FieldUsesIndexBrackets_AsDocumented()
    {
        var ex = await FluenceDeploy(422, ValidationBody);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("container_settings.expose[0].port"));
            Assert.That(ex.ProviderMessage, Is.EqualTo("container_settings.expose[0].port: Value error, Port must be between 1 and 65535"));
        }
    }

    [Test]
    public async Task Fluence_422_SeveralItems_AreAllReported_FirstFieldWins()
    {
        var ex = await FluenceDeploy(422, """
            {"detail": [{"loc": ["body", "name"], "msg": "too long"}, {"loc": ["body", "plan_id"], "msg": "required"}]}
            """);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("name"));
            Assert.That(ex.ProviderMessage, Is.EqualTo("name: too long; plan_id: required"));
        }
    }

    [Test]
    public async Task Fluence_403_NoSuchApiKey_IsUnauthorized()
    {
        var ex = await FluenceGet(403, """{"error": "Auth failed. No such API Key"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Auth failed. No such API Key"));
            Assert.That(ex.IsTransient, Is.False);
        }
    }

    [Test]
    public async Task Fluence_403_OtherwiseForbidden()
    {
        var ex = await FluenceGet(403, """{"code": "forbidden", "error": "Not allowed to call this endpoint"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Forbidden));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Not allowed to call this endpoint"));
        }
    }

    [Test]
    public async Task Fluence_401()
    {
        var ex = await FluenceGet(401, """{"code": "unauthorized", "error": "Auth token invalid or missing"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Auth token invalid or missing"));
        }
    }

    [Test]
    public async Task Fluence_MainApiInsufficientBalanceCode_IsInsufficientFunds()
    {
        var ex = await FluenceGet(409, """{"code": "insufficient_balance", "error": "Top up first"}""");

        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InsufficientFunds));
    }

    // Statuses, with the envelope Fluence uses; the status decides the code.
    [TestCase(404, """{"detail": "Instance not found"}""", GpuCloudErrorCode.NotFound, "Instance not found", false)]
    [TestCase(409, """{"detail": "An update is already in progress"}""", GpuCloudErrorCode.Conflict, "An update is already in progress", false)]
    [TestCase(410, """{"detail": "gone"}""", GpuCloudErrorCode.NotFound, "gone", false)]
    [TestCase(402, """{"detail": "pay up"}""", GpuCloudErrorCode.InsufficientFunds, "pay up", false)]
    [TestCase(500, """{"detail": "Internal error"}""", GpuCloudErrorCode.ProviderUnavailable, "Internal error", true)]
    [TestCase(502, """{"detail": "Bad gateway"}""", GpuCloudErrorCode.ProviderUnavailable, "Bad gateway", true)]
    [TestCase(503, """{"detail": "Maintenance"}""", GpuCloudErrorCode.ProviderUnavailable, "Maintenance", true)]
    [TestCase(501, """{"detail": "Not implemented"}""", GpuCloudErrorCode.NotSupported, "Not implemented", false)]
    [TestCase(504, """{"detail": "Upstream timeout"}""", GpuCloudErrorCode.Timeout, "Upstream timeout", true)]
    [TestCase(418, """{"detail": "teapot"}""", GpuCloudErrorCode.Unknown, "teapot", false)]
    public async Task Fluence_Statuses(int status, string body, GpuCloudErrorCode code, string message, bool transient)
    {
        var ex = await FluenceGet(status, body);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderMessage, Is.EqualTo(message));
            Assert.That(ex.IsTransient, Is.EqualTo(transient));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
        }
    }

    [Test]
    public async Task Fluence_429_WithRetryAfter()
    {
        var ex = await FluenceGet(429, """{"detail": "Too many requests"}""", retryAfter: "7");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.ProviderMessage, Is.EqualTo("Too many requests"));
        }
    }

    [Test]
    public async Task Fluence_429_WithoutRetryAfter()
    {
        var ex = await FluenceGet(429, "");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.RetryAfter, Is.Null);
            Assert.That(ex.ProviderMessage, Is.Null);
        }
    }

    [TestCase(502, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(503, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(500, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(403, GpuCloudErrorCode.Forbidden)]
    [TestCase(404, GpuCloudErrorCode.NotFound)]
    public async Task Fluence_HtmlFromAProxy_HasNoMessage_ButTheStatusCode(int status, GpuCloudErrorCode code)
    {
        var ex = await FluenceGet(status, "<html><body><h1>Service Unavailable</h1></body></html>", "text/html");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderMessage, Is.Null);
            Assert.That(ex.Message, Does.Not.Contain("<html>"));
        }
    }

    [Test]
    public async Task Fluence_MessageEnvelope_OnADeclaredStatus_KeepsTheMessage()
    {
        var ex = await FluenceGet(500, """{"message": "upstream exploded"}""");

        Assert.That(ex.ProviderMessage, Is.EqualTo("upstream exploded"));
    }

    [Test]
    public async Task Fluence_MessageEnvelope_OnAnUndeclaredStatus_KeepsTheMessage()
    {
        var ex = await FluenceGet(503, """{"message": "upstream exploded"}""");

        Assert.That(ex.ProviderMessage, Is.EqualTo("upstream exploded"));
    }

    [TestCase("{not json")]
    [TestCase("<html>ok</html>")]
    [TestCase("[1, 2, 3]")]
    public async Task Fluence_UnreadableSuccessBody_IsInvalidResponse(string body)
    {
        var ex = await FluenceGet(200, body);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ex.IsTransient, Is.False);
        }
    }

    [Test]
    public async Task Fluence_ConnectionFailure_IsProviderUnavailable()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, ContainerUrl).Throw(new HttpRequestException("Connection refused"));
        using var fluence = Build.Fluence(http);

        var ex = await Caught(() => fluence.GetInstanceAsync("container:" + ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.InnerException, Is.InstanceOf<HttpRequestException>());
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.Message, Does.Contain("Connection refused"));
        }
    }

    [Test]
    public async Task Fluence_BrokenStream_IsProviderUnavailable()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, ContainerUrl).Throw(new IOException("connection reset"));
        using var fluence = Build.Fluence(http);

        var ex = await Caught(() => fluence.GetInstanceAsync("container:" + ContainerId));

        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
    }

    [Test]
    public async Task Fluence_RequestTimeout_NotTheCallersCancellation_IsTimeout()
    {
        using var http = new RecordingHttp();
        // What HttpClient throws when its own Timeout elapses.
        http.Mock.When(HttpMethod.Get, ContainerUrl).Throw(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()));
        using var fluence = Build.Fluence(http);

        var ex = await Caught(() => fluence.GetInstanceAsync("container:" + ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.IsTransient, Is.True);
        }
    }

    [Test]
    public void Fluence_CallersCancellation_IsNotWrapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerUrl, FluenceJson.ContainerDetail());
        using var fluence = Build.Fluence(http);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await fluence.GetInstanceAsync("container:" + ContainerId, cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Fluence_CallersCancellation_DuringPlanSearch_IsNotWrapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluenceJson.ContainerPlansUrl, FluenceJson.ContainerPlans);
        using var fluence = Build.Fluence(http);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await fluence.ListPlansAsync(new PlanQuery(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Fluence_CallersCancellation_WhileTheResponseIsAwaited_IsNotWrapped()
    {
        using var http = new RecordingHttp();
        using var cts = new CancellationTokenSource();
        http.Mock.When(HttpMethod.Get, ContainerUrl).Respond(async (HttpRequestMessage _) =>
        {
            // The caller gives up while the provider is still answering.
            await cts.CancelAsync();
            cts.Token.ThrowIfCancellationRequested();
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var fluence = Build.Fluence(http);

        Assert.That(async () => await fluence.GetInstanceAsync("container:" + ContainerId, cts.Token),
            Throws.InstanceOf<OperationCanceledException>().And.Not.InstanceOf<GpuCloudException>());
    }

    // ------------------------------------------------------------------------------------------- Fluidstack

    private static async Task<GpuCloudException> FluidstackGet(int status, string body, string mediaType = "application/json", string? retryAfter = null)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        Respond(http, HttpMethod.Get, FluidstackInstanceUrl, status, body, mediaType, retryAfter);
        using var fluidstack = Build.Fluidstack(http);
        return await Caught(() => fluidstack.GetInstanceAsync(FluidstackInstanceId));
    }

    private static async Task<GpuCloudException> FluidstackCreate(int status, string body)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        Respond(http, HttpMethod.Post, FluidstackJson.Sandbox + "/instances", status, body);
        using var fluidstack = Build.Fluidstack(http);
        return await Caught(() => fluidstack.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack", PlanId = "sandbox/h100-hgx-80gb.8x", Name = "instance-1",
        }));
    }

    [TestCase(400, "invalid instance type", GpuCloudErrorCode.InvalidRequest)]
    [TestCase(403, "project access denied", GpuCloudErrorCode.Forbidden)]
    [TestCase(404, "project not found", GpuCloudErrorCode.NotFound)]
    [TestCase(500, "internal error", GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(501, "Not implemented", GpuCloudErrorCode.NotSupported)]
    [TestCase(400, "Instance type h100-hgx-80gb.8x is out of stock", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase(400, "instance type is out-of-stock in this region", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase(500, "Insufficient capacity for h100-hgx-80gb.8x", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase(400, "No capacity left", GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase(400, "Insufficient funds on the account", GpuCloudErrorCode.InsufficientFunds)]
    [TestCase(403, "insufficient balance", GpuCloudErrorCode.InsufficientFunds)]
    public async Task Fluidstack_Create_MessageEnvelope(int status, string message, GpuCloudErrorCode code)
    {
        var ex = await FluidstackCreate(status, FluidstackJson.Error(message));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderMessage, Is.EqualTo(message));
            Assert.That(ex.Provider, Is.EqualTo("fluidstack"));
            Assert.That(ex.Message, Does.Contain(message));
        }
    }

    [TestCase(403, GpuCloudErrorCode.Forbidden)]
    [TestCase(404, GpuCloudErrorCode.NotFound)]
    [TestCase(409, GpuCloudErrorCode.Conflict)]
    [TestCase(500, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(502, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(503, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(504, GpuCloudErrorCode.Timeout)]
    [TestCase(401, GpuCloudErrorCode.Unauthorized)]
    public async Task Fluidstack_Get_Statuses(int status, GpuCloudErrorCode code)
    {
        var ex = await FluidstackGet(status, FluidstackJson.Error("the message"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(code));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.ProviderMessage, Is.EqualTo("the message"));
        }
    }

    [Test]
    public async Task Fluidstack_Management401_IsUnauthorized()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, FluidstackJson.UserKeysUrl, HttpStatusCode.Unauthorized, FluidstackJson.Error("invalid token"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = await Caught(() => fluidstack.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.ProviderMessage, Is.EqualTo("invalid token"));
        }
    }

    [Test]
    public async Task Fluidstack_429_WithRetryAfter()
    {
        var ex = await FluidstackGet(429, FluidstackJson.Error("slow down"), retryAfter: "7");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.ProviderMessage, Is.EqualTo("slow down"));
        }
    }

    [TestCase(502)]
    [TestCase(500)]
    [TestCase(404)]
    public async Task Fluidstack_HtmlFromAProxy_HasNoMessage(int status)
    {
        var ex = await FluidstackGet(status, "<html>nginx</html>", "text/html");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(ErrorTranslation.CodeForStatus(status)));
            Assert.That(ex.ProviderMessage, Is.Null);
        }
    }

    [Test]
    public async Task Fluidstack_MalformedSuccessBody_IsInvalidResponse()
    {
        var ex = await FluidstackGet(200, "{\"id\": ");

        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
    }

    [Test]
    public async Task Fluidstack_ConnectionFailure_IsProviderUnavailable()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, FluidstackJson.RegionsUrl).Throw(new HttpRequestException("Name or service not known"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = await Caught(() => fluidstack.GetInstanceAsync(FluidstackInstanceId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.InnerException, Is.InstanceOf<HttpRequestException>());
        }
    }

    [Test]
    public void Fluidstack_CallersCancellation_IsNotWrapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        using var fluidstack = Build.Fluidstack(http);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await fluidstack.GetInstanceAsync(FluidstackInstanceId, cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(async () => await fluidstack.ListPlansAsync(new PlanQuery(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(async () => await fluidstack.ListSshKeysAsync(cts.Token), Throws.InstanceOf<OperationCanceledException>());
        }
    }

    // ------------------------------------------------------------------------------------------- the shared pieces

    [TestCase(400, GpuCloudErrorCode.InvalidRequest)]
    [TestCase(422, GpuCloudErrorCode.InvalidRequest)]
    [TestCase(401, GpuCloudErrorCode.Unauthorized)]
    [TestCase(402, GpuCloudErrorCode.InsufficientFunds)]
    [TestCase(403, GpuCloudErrorCode.Forbidden)]
    [TestCase(404, GpuCloudErrorCode.NotFound)]
    [TestCase(410, GpuCloudErrorCode.NotFound)]
    [TestCase(408, GpuCloudErrorCode.Timeout)]
    [TestCase(504, GpuCloudErrorCode.Timeout)]
    [TestCase(409, GpuCloudErrorCode.Conflict)]
    [TestCase(429, GpuCloudErrorCode.RateLimited)]
    [TestCase(501, GpuCloudErrorCode.NotSupported)]
    [TestCase(500, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(502, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(503, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(599, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(200, GpuCloudErrorCode.InvalidResponse)]
    [TestCase(204, GpuCloudErrorCode.InvalidResponse)]
    [TestCase(302, GpuCloudErrorCode.Unknown)]
    [TestCase(418, GpuCloudErrorCode.Unknown)]
    public void CodeForStatus(int status, GpuCloudErrorCode code)
    {
        Assert.That(ErrorTranslation.CodeForStatus(status), Is.EqualTo(code));
    }

    [TestCase(GpuCloudErrorCode.RateLimited, true)]
    [TestCase(GpuCloudErrorCode.ProviderUnavailable, true)]
    [TestCase(GpuCloudErrorCode.Timeout, true)]
    [TestCase(GpuCloudErrorCode.CapacityUnavailable, true)]
    [TestCase(GpuCloudErrorCode.InvalidRequest, false)]
    [TestCase(GpuCloudErrorCode.Unauthorized, false)]
    [TestCase(GpuCloudErrorCode.Forbidden, false)]
    [TestCase(GpuCloudErrorCode.NotFound, false)]
    [TestCase(GpuCloudErrorCode.Conflict, false)]
    [TestCase(GpuCloudErrorCode.InsufficientFunds, false)]
    [TestCase(GpuCloudErrorCode.NotSupported, false)]
    [TestCase(GpuCloudErrorCode.InvalidResponse, false)]
    [TestCase(GpuCloudErrorCode.Unknown, false)]
    public void IsTransient(GpuCloudErrorCode code, bool transient)
    {
        Assert.That(new GpuCloudException(code, "x").IsTransient, Is.EqualTo(transient));
    }

    [Test]
    public void RetryAfter_DeltaSeconds_AndHttpDate_AgainstTheGivenClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        static Dictionary<string, IEnumerable<string>> H(string name, string value) => new() { [name] = [value] };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "7"), time), Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(ErrorTranslation.RetryAfter(H("retry-after", " 120 "), time), Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "Sun, 01 Mar 2026 12:00:30 GMT"), time), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "Sun, 01 Mar 2026 11:00:00 GMT"), time), Is.EqualTo(TimeSpan.Zero), "a past date means now");
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "soon"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "-5"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(H("X-Other", "7"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(null, time), Is.Null);
        }
    }

    [Test]
    public void FluenceEnvelopes()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluenceErrors.ParseBody("""{"detail": "Insufficient balance to deploy instance"}"""),
                Is.EqualTo(("Insufficient balance to deploy instance", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"error": "Auth failed. No such API Key"}"""),
                Is.EqualTo(("Auth failed. No such API Key", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"code": "bad_request", "error": "Wrong parameters"}"""),
                Is.EqualTo(("Wrong parameters", (string?)null, "bad_request")));
            Assert.That(FluenceErrors.ParseBody("""{"message": "plain"}"""), Is.EqualTo(("plain", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"detail": [{"loc": ["body", "name"], "msg": "bad name"}]}"""),
                Is.EqualTo(("name: bad name", "name", (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"detail": [{"msg": "no location"}]}"""), Is.EqualTo(("no location", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("<html>502</html>"), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("[\"a\"]"), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody(""), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody(null), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        }
    }

    [Test]
    public void FluidstackEnvelope()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluidstackErrors.ParseMessage("""{"message": "Instance not found"}"""), Is.EqualTo("Instance not found"));
            Assert.That(FluidstackErrors.ParseMessage("""{"error": "legacy"}"""), Is.EqualTo("legacy"));
            Assert.That(FluidstackErrors.ParseMessage("<html/>"), Is.Null);
            Assert.That(FluidstackErrors.ParseMessage("\"just a string\""), Is.Null);
            Assert.That(FluidstackErrors.ParseMessage(null), Is.Null);
        }
    }
}
