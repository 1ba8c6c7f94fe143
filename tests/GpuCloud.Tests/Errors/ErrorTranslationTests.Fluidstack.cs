namespace GpuCloud.Tests;

public partial class ErrorTranslationTests
{
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
}
