namespace GpuCloud.Tests;

public partial class ErrorTranslationTests
{
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
}
