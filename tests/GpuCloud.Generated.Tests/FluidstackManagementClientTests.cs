using GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// FluidstackManagementClient (specs/fluidstack-management.openapi.yaml) against a mocked global API at
/// https://api.atlas.fluidstack.io/api/v1alpha1: every operation's request, parsing, and the documented errors.
/// </summary>
[TestFixture]
public class FluidstackManagementClientTests
{
    private const string Base = "https://api.atlas.fluidstack.io/api/v1alpha1";
    private const string AuthHeader = "Authorization";
    private const string Bearer = "Bearer test-token";
    private const string ProjectId = "123e4567-e89b-12d3-a456-426614174003";
    private static readonly Guid InstanceId = Guid.Parse("550e8400-e29b-41d4-a716-446655440000");

    private static void Authenticate(HttpRequestHeaders headers) => headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");

    // ---------------------------------------------------------------------------------- operations table

    private static IEnumerable<OperationCase<IFluidstackManagementClient>> OperationCases()
    {
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListRegionsAsync), Method = HttpMethod.Get, Url = $"{Base}/regions", Call = c => c.ListRegionsAsync(), ResponseBody = FluidstackExamples.Management.Regions };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListClustersAsync), Method = HttpMethod.Get, Url = $"{Base}/clusters", Call = c => c.ListClustersAsync(), ResponseBody = FluidstackExamples.Management.Clusters };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListOrganizationsAsync), Method = HttpMethod.Get, Url = $"{Base}/organizations", Call = c => c.ListOrganizationsAsync(), ResponseBody = FluidstackExamples.Management.Organizations };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListMembersAsync), Method = HttpMethod.Get, Url = $"{Base}/members", Call = c => c.ListMembersAsync(), ResponseBody = FluidstackExamples.Management.Members };
        yield return new() { Operation = nameof(IFluidstackManagementClient.UpdateMemberAsync), Method = HttpMethod.Patch, Url = $"{Base}/members/user_01", Call = c => c.UpdateMemberAsync("user_01", new Body { Role = "editor" }), RequestBody = """{"role": "editor"}""" };
        yield return new() { Operation = nameof(IFluidstackManagementClient.DeleteMemberAsync), Method = HttpMethod.Delete, Url = $"{Base}/members/user_01", Call = c => c.DeleteMemberAsync("user_01"), ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackManagementClient.CreateInvitationAsync), Method = HttpMethod.Post, Url = $"{Base}/invitations", Call = c => c.CreateInvitationAsync(new Body2 { Email = "grace@example.com", Role = "viewer" }), RequestBody = """{"email": "grace@example.com", "role": "viewer"}""", ResponseStatus = HttpStatusCode.Created };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListInvitationsAsync), Method = HttpMethod.Get, Url = $"{Base}/invitations", Call = c => c.ListInvitationsAsync(), ResponseBody = FluidstackExamples.Management.Invitations };
        yield return new() { Operation = nameof(IFluidstackManagementClient.DeleteInvitationAsync), Method = HttpMethod.Delete, Url = $"{Base}/invitations/inv_01", Call = c => c.DeleteInvitationAsync("inv_01"), ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListInstancesAsync), Variant = "one project", Method = HttpMethod.Get, Url = $"{Base}/instances", Call = c => c.ListInstancesAsync(Guid.Parse(ProjectId)), ProjectId = ProjectId, ResponseBody = $"[{FluidstackExamples.Management.Instance}]" };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListInstancesAsync), Variant = "all projects", Method = HttpMethod.Get, Url = $"{Base}/instances", Call = c => c.ListInstancesAsync(), ResponseBody = $"[{FluidstackExamples.Management.Instance}]" };
        yield return new() { Operation = nameof(IFluidstackManagementClient.GetInstanceAsync), Method = HttpMethod.Get, Url = $"{Base}/instances/{InstanceId}", Call = c => c.GetInstanceAsync(InstanceId), ResponseBody = FluidstackExamples.Management.Instance };
        yield return new() { Operation = nameof(IFluidstackManagementClient.ListKeysAsync), Method = HttpMethod.Get, Url = $"{Base}/user/keys", Call = c => c.ListKeysAsync(), ResponseBody = $"[{FluidstackExamples.Management.SshKey}]" };
        yield return new() { Operation = nameof(IFluidstackManagementClient.RegisterKeyAsync), Method = HttpMethod.Post, Url = $"{Base}/user/keys", Call = c => c.RegisterKeyAsync(new SSHKey { Name = "key-1", Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEaSkijEWFbnjixzWRw3u2spZZaeVeWO5/ymySevCvXh" }), RequestBody = FluidstackExamples.Management.SshKey };
        yield return new() { Operation = nameof(IFluidstackManagementClient.DeregisterKeyAsync), Variant = "key-1", Method = HttpMethod.Delete, Url = $"{Base}/user/keys/key-1", Call = c => c.DeregisterKeyAsync("key-1"), ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackManagementClient.DeregisterKeyAsync), Variant = "name needing escaping", Method = HttpMethod.Delete, Url = $"{Base}/user/keys/my%20key%2F2", Call = c => c.DeregisterKeyAsync("my key/2"), ResponseStatus = HttpStatusCode.NoContent };
    }

    private static IEnumerable<TestCaseData> Operations() =>
        OperationCases().Select(o => new TestCaseData(o).SetArgDisplayNames(o.ToString()));

    [Test]
    public void OperationsTableCoversEveryMethodOfIFluidstackManagementClient()
    {
        var declared = typeof(IFluidstackManagementClient).GetMethods().Select(m => m.Name).ToList();
        var covered = OperationCases().Select(o => o.Operation).Distinct().ToList();

        Assert.That(covered, Is.EquivalentTo(declared));
    }

    [TestCaseSource(nameof(Operations))]
    public async Task SendsTheDocumentedRequestWithTheBearerToken(OperationCase<IFluidstackManagementClient> operation)
    {
        var request = await Mock.RunAsync(operation, http => new FluidstackManagementClient(http), Authenticate, AuthHeader, Bearer);

        Mock.AssertMatches(request, operation, AuthHeader, Bearer);
    }

    [Test]
    public void BaseUrlDefaultsToTheGlobalManagementApi()
    {
        using var http = new HttpClient();

        Assert.That(new FluidstackManagementClient(http).BaseUrl, Is.EqualTo("https://api.atlas.fluidstack.io/api/v1alpha1/"));
    }

    // --------------------------------------------------------------------------------------- parsing

    private static async Task<T> GetAsync<T>(string path, string body, Func<FluidstackManagementClient, Task<T>> call)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, Base + path).Respond(HttpStatusCode.OK, Mock.Json, body);
        using var http = mock.ToHttpClient();

        var result = await call(new FluidstackManagementClient(http));

        mock.VerifyNoOutstandingExpectation();
        return result;
    }

    [Test]
    public async Task RegionListParsesNamesAndUrls()
    {
        var regions = await GetAsync("/regions", FluidstackExamples.Management.Regions, c => c.ListRegionsAsync());

        Assert.That(regions.Select(r => (r.Name, r.Url)), Is.EqualTo(new[]
        {
            ("sandbox", "https://sandbox.atlas.fluidstack.io"),
            ("eu-1", "https://eu-1.atlas.fluidstack.io"),
        }));
    }

    [Test]
    public async Task InstanceParsesEveryDocumentedField()
    {
        var instance = await GetAsync($"/instances/{InstanceId}", FluidstackExamples.Management.Instance, c => c.GetInstanceAsync(InstanceId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo(InstanceId));
            Assert.That(instance.Name, Is.EqualTo("instance-1"));
            Assert.That(instance.Type, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(instance.State, Is.EqualTo("running"));
            Assert.That(instance.Ip, Is.EqualTo("10.0.0.2"));
            Assert.That(instance.Image, Is.EqualTo("ubuntu22.04"));
            Assert.That(instance.Preemptible, Is.False);
            Assert.That(instance.Ephemeral, Is.False);
            Assert.That(instance.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["environment"] = "production" }));
            Assert.That(instance.Project_id, Is.EqualTo(ProjectId));
            Assert.That(instance.Region, Is.EqualTo("eu-1"));
            Assert.That(instance.Health, Is.EqualTo("healthy"));
            Assert.That(instance.Updated_at, Is.EqualTo(new DateTimeOffset(2025, 9, 4, 12, 0, 0, TimeSpan.Zero)));
        }
    }

    [Test]
    public async Task InstanceWithNullIpAndAnUnknownStateKeepsTheRawValues()
    {
        var instances = await GetAsync("/instances", $"[{FluidstackExamples.Management.InstanceWithoutIpInUnknownState}]", c => c.ListInstancesAsync());

        var instance = instances.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Ip, Is.Null);
            Assert.That(instance.State, Is.EqualTo("hibernating"));
            Assert.That(instance.Health, Is.EqualTo("degraded"));
            Assert.That(instance.Preemptible, Is.True);
            Assert.That(instance.Tags, Is.Empty);
            Assert.That(instance.Updated_at, Is.Null);
        }
    }

    [Test]
    public async Task ClustersOrganizationsMembersInvitationsAndKeysParse()
    {
        var clusters = await GetAsync("/clusters", FluidstackExamples.Management.Clusters, c => c.ListClustersAsync());
        var organizations = await GetAsync("/organizations", FluidstackExamples.Management.Organizations, c => c.ListOrganizationsAsync());
        var members = await GetAsync("/members", FluidstackExamples.Management.Members, c => c.ListMembersAsync());
        var invitations = await GetAsync("/invitations", FluidstackExamples.Management.Invitations, c => c.ListInvitationsAsync());
        var keys = await GetAsync("/user/keys", $"[{FluidstackExamples.Management.SshKey}]", c => c.ListKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clusters.Single().Id, Is.EqualTo(Guid.Parse("123e4567-e89b-12d3-a456-426614174003")));
            Assert.That(clusters.Single().Type, Is.EqualTo("kubernetes"));
            Assert.That(clusters.Single().Health, Is.EqualTo("healthy"));
            Assert.That(clusters.Single().Region, Is.EqualTo("eu-1"));
            Assert.That(organizations.Single().Display_name, Is.EqualTo("Acme Inc."));
            Assert.That(members.Single().Email, Is.EqualTo("ada@example.com"));
            Assert.That(members.Single().Role, Is.EqualTo("admin"));
            Assert.That(invitations.Single().Role, Is.EqualTo("viewer"));
            Assert.That(keys.Single().Name, Is.EqualTo("key-1"));
            Assert.That(keys.Single().Key, Is.EqualTo("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEaSkijEWFbnjixzWRw3u2spZZaeVeWO5/ymySevCvXh"));
        }
    }

    [Test]
    public async Task EnumValuesOutsideTheSpecComeThroughAsStrings()
    {
        // ClusterType, ClusterHealth, InstanceState and InstanceHealth are enums in the spec; prepareSpec makes them strings.
        var clusters = await GetAsync("/clusters", FluidstackExamples.Management.Clusters.Replace("\"kubernetes\"", "\"ray\"", StringComparison.Ordinal).Replace("\"healthy\"", "\"unknown\"", StringComparison.Ordinal), c => c.ListClustersAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clusters.Single().Type, Is.EqualTo("ray"));
            Assert.That(clusters.Single().Health, Is.EqualTo("unknown"));
        }
    }

    // ---------------------------------------------------------------------------------------- errors

    private static ErrorCase<IFluidstackManagementClient> Error(string operation, HttpMethod method, string path, Func<IFluidstackManagementClient, Task> call, int status, string message) =>
        new() { Operation = operation, Method = method, Url = Base + path, Call = call, Status = status, Body = FluidstackExamples.Management.Error(message), ExpectedMessage = message };

    private static IEnumerable<ErrorCase<IFluidstackManagementClient>> ErrorCases()
    {
        yield return Error(nameof(IFluidstackManagementClient.ListRegionsAsync), HttpMethod.Get, "/regions", c => c.ListRegionsAsync(), 401, "Unauthorized");
        yield return Error(nameof(IFluidstackManagementClient.ListRegionsAsync), HttpMethod.Get, "/regions", c => c.ListRegionsAsync(), 500, "Internal server error");
        yield return Error(nameof(IFluidstackManagementClient.ListClustersAsync), HttpMethod.Get, "/clusters", c => c.ListClustersAsync(), 401, "Unauthorized");
        yield return Error(nameof(IFluidstackManagementClient.ListOrganizationsAsync), HttpMethod.Get, "/organizations", c => c.ListOrganizationsAsync(), 401, "Unauthorized");
        yield return Error(nameof(IFluidstackManagementClient.ListMembersAsync), HttpMethod.Get, "/members", c => c.ListMembersAsync(), 500, "Internal server error");
        yield return Error(nameof(IFluidstackManagementClient.UpdateMemberAsync), HttpMethod.Patch, "/members/user_01", c => c.UpdateMemberAsync("user_01", new Body { Role = "owner" }), 400, "Invalid input");
        yield return Error(nameof(IFluidstackManagementClient.UpdateMemberAsync), HttpMethod.Patch, "/members/user_01", c => c.UpdateMemberAsync("user_01", new Body { Role = "editor" }), 404, "Member not found");
        yield return Error(nameof(IFluidstackManagementClient.DeleteMemberAsync), HttpMethod.Delete, "/members/user_01", c => c.DeleteMemberAsync("user_01"), 404, "Member not found");
        yield return Error(nameof(IFluidstackManagementClient.CreateInvitationAsync), HttpMethod.Post, "/invitations", c => c.CreateInvitationAsync(new Body2 { Email = "not-an-email" }), 400, "Invalid input");
        yield return Error(nameof(IFluidstackManagementClient.ListInvitationsAsync), HttpMethod.Get, "/invitations", c => c.ListInvitationsAsync(), 400, "Invalid input");
        yield return Error(nameof(IFluidstackManagementClient.DeleteInvitationAsync), HttpMethod.Delete, "/invitations/inv_01", c => c.DeleteInvitationAsync("inv_01"), 404, "Invitation not found");
        yield return Error(nameof(IFluidstackManagementClient.ListInstancesAsync), HttpMethod.Get, "/instances", c => c.ListInstancesAsync(), 401, "Unauthorized");
        yield return Error(nameof(IFluidstackManagementClient.GetInstanceAsync), HttpMethod.Get, $"/instances/{InstanceId}", c => c.GetInstanceAsync(InstanceId), 404, "Instance not found");
        yield return Error(nameof(IFluidstackManagementClient.ListKeysAsync), HttpMethod.Get, "/user/keys", c => c.ListKeysAsync(), 401, "Unauthorized");
        yield return Error(nameof(IFluidstackManagementClient.RegisterKeyAsync), HttpMethod.Post, "/user/keys", c => c.RegisterKeyAsync(new SSHKey { Name = "key-1", Key = "ssh-ed25519 AAAA" }), 409, "Conflict");
        yield return Error(nameof(IFluidstackManagementClient.DeregisterKeyAsync), HttpMethod.Delete, "/user/keys/key-1", c => c.DeregisterKeyAsync("key-1"), 404, "Not found");
    }

    private static IEnumerable<TestCaseData> Errors() =>
        ErrorCases().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    [TestCaseSource(nameof(Errors))]
    public void DocumentedErrorThrowsFluidstackManagementApiExceptionWithStatusRawBodyAndMessage(ErrorCase<IFluidstackManagementClient> error)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(error.Method, error.Url).WithHeaders(AuthHeader, Bearer).Respond((HttpStatusCode)error.Status, Mock.Json, error.Body);
        using var http = mock.ToHttpClient();
        Authenticate(http.DefaultRequestHeaders);
        var client = new FluidstackManagementClient(http) { ReadResponseAsString = true };

        var ex = Assert.ThrowsAsync<FluidstackManagementApiException<Error>>(() => error.Call(client));

        mock.VerifyNoOutstandingExpectation();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
            Assert.That(ex.Response, Is.EqualTo(error.Body));
            Assert.That(ex.Result.Message, Is.EqualTo(error.ExpectedMessage));
        }
    }

    [Test]
    public void WithDefaultSettingsTheTypedExceptionHasTheMessageButNoRawBody()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/regions").Respond(HttpStatusCode.Unauthorized, Mock.Json, FluidstackExamples.Management.Error("Unauthorized"));
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackManagementApiException<Error>>(() => new FluidstackManagementClient(http).ListRegionsAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(401));
            Assert.That(ex.Response, Is.Empty);
            Assert.That(ex.Result.Message, Is.EqualTo("Unauthorized"));
        }
    }

    [Test]
    public void UndeclaredErrorStatusThrowsTheBaseExceptionWithTheRawBody()
    {
        // The management spec declares no 403 for /regions.
        var body = FluidstackExamples.Management.Error("Forbidden");
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/regions").Respond(HttpStatusCode.Forbidden, Mock.Json, body);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackManagementApiException>(() => new FluidstackManagementClient(http).ListRegionsAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluidstackManagementApiException<Error>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(403));
            Assert.That(ex.Response, Is.EqualTo(body));
        }
    }

    [Test]
    public async Task NoContentAndBodilessSuccessResponsesCompleteWithoutException()
    {
        using var mock = Mock.CreateHandler();
        var expectations = new[]
        {
            mock.Expect(HttpMethod.Patch, $"{Base}/members/user_01").Respond(HttpStatusCode.OK),
            mock.Expect(HttpMethod.Delete, $"{Base}/members/user_01").Respond(HttpStatusCode.NoContent),
            mock.Expect(HttpMethod.Post, $"{Base}/invitations").Respond(HttpStatusCode.Created),
            mock.Expect(HttpMethod.Delete, $"{Base}/invitations/inv_01").Respond(HttpStatusCode.NoContent),
            mock.Expect(HttpMethod.Post, $"{Base}/user/keys").Respond(HttpStatusCode.OK),
            mock.Expect(HttpMethod.Delete, $"{Base}/user/keys/key-1").Respond(HttpStatusCode.NoContent),
        };
        using var http = mock.ToHttpClient();
        var client = new FluidstackManagementClient(http);

        await client.UpdateMemberAsync("user_01", new Body { Role = "viewer" });
        await client.DeleteMemberAsync("user_01");
        await client.CreateInvitationAsync(new Body2 { Email = "grace@example.com" });
        await client.DeleteInvitationAsync("inv_01");
        await client.RegisterKeyAsync(new SSHKey { Name = "key-1", Key = "ssh-ed25519 AAAA" });
        await client.DeregisterKeyAsync("key-1");

        mock.VerifyNoOutstandingExpectation();
        Assert.That(expectations.Select(mock.GetMatchCount), Is.All.EqualTo(1));
    }

    [Test]
    public void RegisterKeyAnswering201IsTreatedAsAnError()
    {
        // The spec documents only 200 for POST /user/keys; a server answering 201 Created would fail the call.
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/user/keys").Respond(HttpStatusCode.Created);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackManagementApiException>(() => new FluidstackManagementClient(http).RegisterKeyAsync(new SSHKey { Name = "key-1", Key = "ssh-ed25519 AAAA" }));

        Assert.That(ex!.StatusCode, Is.EqualTo(201));
    }
}
