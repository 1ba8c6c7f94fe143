using GpuCloud.Generated.Fluence;

namespace GpuCloud.Generated.Tests;

public partial class FluenceClientTests
{
    private static ErrorCase<IFluenceClient> Error(string operation, HttpMethod method, string path, Func<IFluenceClient, Task> call, int status, string body, string message) =>
        new() { Operation = operation, Method = method, Url = Base + path, Call = call, Status = status, Body = body, ExpectedMessage = message };

    private static IEnumerable<ErrorCase<IFluenceClient>> ErrorCases()
    {
        const string Balance = "Insufficient balance to deploy instance";
        const string AuthFailed = "Auth failed. No such API Key";
        yield return Error(nameof(IFluenceClient.DeployContainerInstanceAsync), HttpMethod.Post, "/gpu/instances/", c => c.DeployContainerInstanceAsync(MinimalDeployRequest()), 400, FluenceExamples.InsufficientBalance, Balance);
        yield return Error(nameof(IFluenceClient.DeployVmInstanceAsync), HttpMethod.Post, "/gpu/instances/vms", c => c.DeployVmInstanceAsync(DeployVmRequest()), 400, FluenceExamples.UnsupportedOsImage, "Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04");
        yield return Error(nameof(IFluenceClient.DeployBareMetalInstanceAsync), HttpMethod.Post, "/gpu/instances/baremetal", c => c.DeployBareMetalInstanceAsync(DeployVmRequest()), 400, FluenceExamples.InsufficientBalance, Balance);
        yield return Error(nameof(IFluenceClient.ListContainerPlansAsync), HttpMethod.Get, "/gpu/plans/", c => c.ListContainerPlansAsync(), 403, FluenceExamples.AuthFailed, AuthFailed);
        yield return Error(nameof(IFluenceClient.ListVmInstancesAsync), HttpMethod.Get, "/gpu/instances/vms", c => c.ListVmInstancesAsync(), 403, FluenceExamples.AuthFailed, AuthFailed);
        yield return Error(nameof(IFluenceClient.ListDefaultImagesAsync), HttpMethod.Get, "/gpu/default-images/", c => c.ListDefaultImagesAsync(), 401, """{"error": "Not authenticated"}""", "Not authenticated");

        // 404s and the 400 on terminating a non-ACTIVE instance are documented without a body (inferred FastAPI shape).
        yield return Error(nameof(IFluenceClient.GetContainerInstanceAsync), HttpMethod.Get, $"/gpu/instances/{ContainerId}", c => c.GetContainerInstanceAsync(ContainerId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.GetVmInstanceAsync), HttpMethod.Get, $"/gpu/instances/vms/{VmId}", c => c.GetVmInstanceAsync(VmId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.DeleteContainerInstanceAsync), HttpMethod.Delete, $"/gpu/instances/{ContainerId}", c => c.DeleteContainerInstanceAsync(ContainerId), 400, """{"detail": "Only ACTIVE instances can be terminated"}""", "Only ACTIVE instances can be terminated");
        yield return Error(nameof(IFluenceClient.UpdateContainerInstanceAsync), HttpMethod.Put, $"/gpu/instances/{ContainerId}", c => c.UpdateContainerInstanceAsync(ContainerId, UpdateRequest()), 400, """{"detail": "Previous update is still in progress"}""", "Previous update is still in progress");
        yield return Error(nameof(IFluenceClient.DeleteBareMetalInstanceAsync), HttpMethod.Delete, $"/gpu/instances/baremetal/{BareMetalId}", c => c.DeleteBareMetalInstanceAsync(BareMetalId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.GetContainerInstanceLogsAsync), HttpMethod.Get, $"/gpu/instances/{ContainerId}/logs?last=5", c => c.GetContainerInstanceLogsAsync(ContainerId, 5), 500, """{"detail": "Internal Server Error"}""", "Internal Server Error");

        // Main API (/v1) envelope {code, error}.
        yield return Error(nameof(IFluenceClient.ListSshKeysAsync), HttpMethod.Get, "/v1/ssh_keys", c => c.ListSshKeysAsync(), 400, FluenceExamples.MainApiBadRequest, "Wrong parameters");
        yield return Error(nameof(IFluenceClient.ListSshKeysAsync), HttpMethod.Get, "/v1/ssh_keys", c => c.ListSshKeysAsync(), 401, FluenceExamples.MainApiUnauthorized, "Auth token invalid or missing");
        yield return Error(nameof(IFluenceClient.CreateSshKeyAsync), HttpMethod.Post, "/v1/ssh_keys", c => c.CreateSshKeyAsync(CreateSshKeyRequest()), 403, FluenceExamples.MainApiForbidden, "Not allowed to call this endpoint");
        yield return Error(nameof(IFluenceClient.CreateSshKeyAsync), HttpMethod.Post, "/v1/ssh_keys", c => c.CreateSshKeyAsync(CreateSshKeyRequest()), 409, """{"code": "conflict", "error": "SshKey already exists"}""", "SshKey already exists");
        yield return Error(nameof(IFluenceClient.DeleteSshKeysAsync), HttpMethod.Post, "/v1/ssh_keys/delete", c => c.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [SshKeyId] }), 422, FluenceExamples.MainApiUnprocessable, "Unable to process the entity");
        yield return Error(nameof(IFluenceClient.DeleteSshKeysAsync), HttpMethod.Post, "/v1/ssh_keys/delete", c => c.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [SshKeyId] }), 500, FluenceExamples.MainApiServerError, "Unexpected server error");
    }

    private static IEnumerable<TestCaseData> Errors() =>
        ErrorCases().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    /// <summary>The human-readable part of either envelope: GPU `detail` string, auth `error`, or main-API `error`.</summary>
    private static string? MessageOf(ErrorResponse error) => error.Detail as string ?? error.Error;

    private static (FluenceClient Client, MockHttpMessageHandler Mock, HttpClient Http) RespondError(ErrorCase<IFluenceClient> error, bool readResponseAsString)
    {
        var mock = Mock.CreateHandler();
        mock.Expect(error.Method, error.Url).WithHeaders(ApiKeyHeader, ApiKey).Respond((HttpStatusCode)error.Status, Mock.Json, error.Body);
        var http = mock.ToHttpClient();
        http.DefaultRequestHeaders.Add(ApiKeyHeader, ApiKey);
        return (new FluenceClient(http) { ReadResponseAsString = readResponseAsString }, mock, http);
    }

    [TestCaseSource(nameof(Errors))]
    public void DocumentedErrorThrowsFluenceApiExceptionWithStatusRawBodyAndResult(ErrorCase<IFluenceClient> error)
    {
        var (client, mock, http) = RespondError(error, readResponseAsString: true);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            mock.VerifyNoOutstandingExpectation();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
                Assert.That(ex.Response, Is.EqualTo(error.Body));
                Assert.That(MessageOf(ex.Result), Is.EqualTo(error.ExpectedMessage));
            }
        }
    }

    [TestCaseSource(nameof(Errors))]
    public void WithDefaultSettingsADocumentedErrorHasTheTypedResultButNoRawBody(ErrorCase<IFluenceClient> error)
    {
        // NSwag's ReadResponseAsString defaults to false: the body is streamed into Result and Response stays "".
        var (client, mock, http) = RespondError(error, readResponseAsString: false);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
                Assert.That(ex.Response, Is.Empty);
                Assert.That(MessageOf(ex.Result), Is.EqualTo(error.ExpectedMessage));
            }
        }
    }

    [Test]
    public void ValidationError422KeepsTheDetailArray()
    {
        var error = Error(nameof(IFluenceClient.DeployContainerInstanceAsync), HttpMethod.Post, "/gpu/instances/", c => c.DeployContainerInstanceAsync(MinimalDeployRequest()), 422, FluenceExamples.ValidationError, "");
        var (client, mock, http) = RespondError(error, readResponseAsString: true);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            Assert.That(ex!.Result.Detail, Is.InstanceOf<JArray>());
            var items = ((JArray)ex.Result.Detail!).ToObject<List<ValidationErrorItem>>()!;
            var item = items.Single();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex.StatusCode, Is.EqualTo(422));
                Assert.That(ex.Response, Is.EqualTo(FluenceExamples.ValidationError));
                Assert.That(item.Type, Is.EqualTo("value_error"));
                Assert.That(item.Loc!.Select(l => l.ToString()), Is.EqualTo(new[] { "body", "container_settings", "expose", "0", "port" }));
                Assert.That(item.Msg, Is.EqualTo("Value error, Port must be between 1 and 65535"));
                Assert.That(item.Input?.ToString(), Is.EqualTo("999999999"));
                Assert.That(item.Ctx, Does.ContainKey("error"));
            }
        }
    }

    [Test]
    public void UndeclaredErrorStatusThrowsTheBaseExceptionWithTheRawBody()
    {
        const string Html = "<html><body>502 Bad Gateway</body></html>";
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/gpu/plans/").Respond(HttpStatusCode.BadGateway, "text/html", Html);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).ListContainerPlansAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluenceApiException<ErrorResponse>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(502));
            Assert.That(ex.Response, Is.EqualTo(Html), "undeclared statuses keep the body even with default settings");
        }
    }

    [Test]
    public void DeclaredErrorStatusWithAnEmptyBodyThrowsTheBaseException()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NotFound, new StringContent(string.Empty));
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluenceApiException<ErrorResponse>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(404));
            Assert.That(ex.Message, Does.StartWith("Response was null which was not expected."));
        }
    }

    [Test]
    public async Task NoContentResponsesCompleteWithoutException()
    {
        using var mock = Mock.CreateHandler();
        var update = mock.Expect(HttpMethod.Put, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NoContent);
        var deleteContainer = mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NoContent);
        var rename = mock.Expect(HttpMethod.Put, $"{Base}/gpu/instances/vms/{VmId}").Respond(HttpStatusCode.NoContent);
        var deleteVm = mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/vms/{VmId}").Respond(HttpStatusCode.NoContent);
        using var http = mock.ToHttpClient();
        var client = new FluenceClient(http);

        await client.UpdateContainerInstanceAsync(ContainerId, UpdateRequest());
        await client.DeleteContainerInstanceAsync(ContainerId);
        await client.RenameVmInstanceAsync(VmId, new RenameRequest { Name = "my-training-vm" });
        await client.DeleteVmInstanceAsync(VmId);

        mock.VerifyNoOutstandingExpectation();
        Assert.That(new[] { update, deleteContainer, rename, deleteVm }.Select(mock.GetMatchCount), Is.All.EqualTo(1));
    }

    [Test]
    public void ASuccessStatusOtherThanTheDocumentedOneIsAnError()
    {
        // Terminate is documented as 204; a 200 (e.g. with a body) is treated as unexpected.
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.OK, Mock.Json, "{}");
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).DeleteContainerInstanceAsync(ContainerId));

        Assert.That(ex!.StatusCode, Is.EqualTo(200));
    }
}
