using GpuCloud.Generated.Fluence;

namespace GpuCloud.Generated.Tests;

public partial class FluenceClientTests
{
    private static (FluenceClient Client, MockHttpMessageHandler Mock, HttpClient Http) Respond(string path, string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, Base + path).Respond(status, Mock.Json, body);
        var http = mock.ToHttpClient();
        return (new FluenceClient(http), mock, http);
    }

    private static async Task<T> GetAsync<T>(string path, string body, Func<FluenceClient, Task<T>> call)
    {
        var (client, mock, http) = Respond(path, body);
        using (mock)
        using (http)
        {
            var result = await call(client);
            mock.VerifyNoOutstandingExpectation();
            return result;
        }
    }

    [Test]
    public async Task ContainerPlansExampleParsesWithDecimalPrices()
    {
        var plans = await GetAsync("/gpu/plans/", FluenceExamples.ContainerPlans, c => c.ListContainerPlansAsync());

        Assert.That(plans, Has.Count.EqualTo(2));
        var plan = plans[0].Plan!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Id, Is.EqualTo("36cdb646-1246-42d8-b2d1-9480ca546536"));
            Assert.That(plan.Name, Is.EqualTo("h200-141gi-sxm-1gpu-16cpu-128gi-120gi"));
            Assert.That(plan.Supply!.Vcpu!.Count, Is.EqualTo(16));
            Assert.That(plan.Supply.Memory!.Count, Is.EqualTo(128));
            Assert.That(plan.Supply.Memory.Units, Is.EqualTo("Gi"));
            Assert.That(plan.Supply.Storage!.Count, Is.EqualTo(120));
            Assert.That(plan.Supply.Gpu_count, Is.EqualTo(1));
            Assert.That(plan.Gpu_model!.Vendor, Is.EqualTo("nvidia"));
            Assert.That(plan.Gpu_model.Model, Is.EqualTo("h200"));
            Assert.That(plan.Gpu_model.Vram, Is.EqualTo("141Gi"));
            Assert.That(plan.Gpu_model.Interface, Is.EqualTo("SXM"));
            Assert.That(plan.Pricing!.Hour, Is.EqualTo(2.96m));
            Assert.That(plan.Pricing.Upfront_hours, Is.EqualTo(3));
            Assert.That(plan.Pricing.Currency, Is.EqualTo("USDC"));
            Assert.That(plans[0].Attributes!.Location, Is.EqualTo(new[] { "US" }));
            Assert.That(plans[1].Plan!.Pricing!.Hour, Is.EqualTo(1.22m));
        }
    }

    [Test]
    public async Task VmPlansExampleParsesTheNestedGroupsAndOptions()
    {
        var list = await GetAsync("/gpu/plans/vms", FluenceExamples.VmPlans, c => c.ListVmPlansAsync());

        Assert.That(list.Data, Has.Count.EqualTo(2));
        var a10 = list.Data[0];
        var byNumber = a10.Availability_by_number!.Single();
        var option = byNumber.Options![0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a10.Gpu_model!.Model, Is.EqualTo("a10"));
            Assert.That(a10.Gpu_model.Interface, Is.EqualTo("pcie"));
            Assert.That(a10.Minimum_price, Is.EqualTo(0.99m));
            Assert.That(byNumber.Gpu_count, Is.EqualTo(1));
            Assert.That(byNumber.Minimum_price, Is.EqualTo(0.99m));
            Assert.That(byNumber.Options_available_total, Is.EqualTo(2));
            Assert.That(byNumber.Providers_available_total, Is.EqualTo(1));
            Assert.That(byNumber.Data_center_available_total, Is.EqualTo(2));
            Assert.That(byNumber.Locations, Is.EqualTo(new[] { "dulles-usa-1", "sanjose-usa-2" }));
            Assert.That(byNumber.Providers, Is.EqualTo(new[] { "sesterce" }));
            Assert.That(byNumber.Options, Has.Count.EqualTo(2));
            Assert.That(option.Id, Is.EqualTo("3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49"));
            Assert.That(option.Location, Is.EqualTo("sanjose-usa-2"));
            Assert.That(option.Provider, Is.EqualTo("sesterce"));
            Assert.That(option.Vcpu!.Count, Is.EqualTo(30));
            Assert.That(option.Memory!.Count, Is.EqualTo(186));
            Assert.That(option.Storage!.Count, Is.EqualTo(1303));
            Assert.That(option.Deployment_type, Is.EqualTo("VM"));
            Assert.That(option.Pricing!.Hour, Is.EqualTo(0.99m));
            Assert.That(option.Nvlink, Is.False);
            Assert.That(option.Os_options, Is.EqualTo(new[] { "ubuntu22.04_cuda12.4_shade_os" }));
            Assert.That(list.Data[1].Minimum_price, Is.EqualTo(1.07m));
            Assert.That(list.Data[1].Availability_by_number![0].Locations, Has.Count.EqualTo(7));
            Assert.That(list.Data[1].Availability_by_number![0].Options![0].Os_options, Is.EqualTo(new[] { "Ubuntu Server 22.04" }));
        }
    }

    [Test]
    public async Task BareMetalPlansParseWithTheBAREMETALDeploymentType()
    {
        var list = await GetAsync("/gpu/plans/baremetal", BareMetalPlans, c => c.ListBareMetalPlansAsync());

        Assert.That(list.Data.SelectMany(g => g.Availability_by_number!).SelectMany(a => a.Options!).Select(o => o.Deployment_type), Is.All.EqualTo("BAREMETAL"));
    }

    [TestCase("SXM")]
    [TestCase("sxm")]
    [TestCase("PCIE")]
    [TestCase("pcie")]
    public async Task GpuInterfaceIsKeptVerbatimInEitherCase(string value)
    {
        var plans = await GetAsync("/gpu/plans/", FluenceExamples.ContainerPlans.Replace("\"SXM\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListContainerPlansAsync());
        var vmPlans = await GetAsync("/gpu/plans/vms", FluenceExamples.VmPlans.Replace("\"pcie\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListVmPlansAsync());
        var instances = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances.Replace("\"sxm\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListContainerInstancesAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Select(p => p.Plan!.Gpu_model!.Interface), Is.All.EqualTo(value));
            Assert.That(vmPlans.Data.Select(g => g.Gpu_model!.Interface), Is.All.EqualTo(value));
            Assert.That(instances.Select(i => i.Resources!.Gpu_model!.Interface), Is.All.EqualTo(value));
        }
    }

    [Test]
    public async Task DefaultImagesExampleParses()
    {
        var images = await GetAsync("/gpu/default-images/", FluenceExamples.DefaultImages, c => c.ListDefaultImagesAsync());

        var image = images.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(image.Slug, Is.EqualTo("debian-ssh-11"));
            Assert.That(image.Name, Is.EqualTo("Debian SSH 11"));
            Assert.That(image.Description, Is.Null);
            Assert.That(image.Image, Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That(image.Expose!.Single().Port, Is.EqualTo("22"));
            Assert.That(image.Environment, Is.Empty);
            Assert.That(image.Startup_command, Is.Null);
            Assert.That(image.Requires_ssh, Is.True);
        }
    }

    [Test]
    public async Task ContainerInstanceListParsesActiveAndEndedInstances()
    {
        var instances = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances, c => c.ListContainerInstancesAsync());

        Assert.That(instances, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances[0].Id, Is.EqualTo("b54672e2-0a8b-490f-81ee-7d5a868471fc"));
            Assert.That(instances[0].Name, Is.EqualTo("fuchsia-hawk-4706"));
            Assert.That(instances[0].Instance_status, Is.EqualTo("ACTIVE"));
            Assert.That(instances[0].Domain, Is.EqualTo("provider.a100.pub"));
            Assert.That(instances[0].Location, Is.EqualTo("US"));
            Assert.That(instances[0].Resources!.Supply!.Gpu_count, Is.EqualTo(1));
            Assert.That(instances[0].Resources!.Gpu_model!.Model, Is.EqualTo("a100"));
            Assert.That(instances[0].Created_at, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 14, 42, 29, TimeSpan.Zero).AddTicks(4723810)));
            Assert.That(instances[0].Updated_at!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(instances[1].Instance_status, Is.EqualTo("ENDED"));
            Assert.That(instances[1].Domain, Is.Null);
        }
    }

    [Test]
    public async Task ContainerInstanceDetailParsesTheActiveExample()
    {
        var instance = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceActive, c => c.GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo(ContainerId));
            Assert.That(instance.Instance_status, Is.EqualTo("ACTIVE"));
            Assert.That(instance.Container_status, Is.EqualTo("STARTED"));
            Assert.That(instance.Domain, Is.Null, "the detail examples carry no top-level domain");
            Assert.That(instance.Container_info!.Image, Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That(instance.Container_info.Expose!.Single().Port, Is.EqualTo("22"));
            Assert.That(instance.Container_info.Environment!.Single().Name, Is.EqualTo("SSH_PUBKEY"));
            Assert.That(instance.Container_info.Startup_command, Is.Null);
            Assert.That(instance.Container_info.Credentials, Is.Null);
            Assert.That(instance.Billing!.Hourly_usage, Is.EqualTo(1.22m));
            Assert.That(instance.Billing.Total_spendings, Is.EqualTo(1.22m));
            Assert.That(instance.Billing.Reserved_amount, Is.EqualTo(2.44m));
            Assert.That(instance.Billing.Next_billing_period, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 15, 0, 0, TimeSpan.Zero)));
            Assert.That(instance.Network!.Domain, Is.EqualTo("provider.a100.pub"));
            Assert.That(instance.Network.Forwarded_ports!.Single().Port, Is.EqualTo("22"));
            Assert.That(instance.Network.Forwarded_ports!.Single().External_port, Is.EqualTo("32345"));
            Assert.That(instance.Network.Forwarded_ports!.Single().Protocol, Is.EqualTo("tcp"));
            Assert.That(instance.Network.Uri, Is.Null);
        }
    }

    [Test]
    public async Task ContainerInstanceDetailParsesTheEndedExampleWithNullNetwork()
    {
        var instance = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceEnded, c => c.GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("4fe394f8-215c-42c3-8cef-f5f0381f7d9c"));
            Assert.That(instance.Instance_status, Is.EqualTo("ENDED"));
            Assert.That(instance.Container_status, Is.EqualTo("NOT_STARTED"));
            Assert.That(instance.Network, Is.Null);
            Assert.That(instance.Billing!.Hourly_usage, Is.Zero);
            Assert.That(instance.Billing.Total_spendings, Is.EqualTo(26.8m));
            Assert.That(instance.Billing.Reserved_amount, Is.Zero);
            Assert.That(instance.Billing.Next_billing_period, Is.Null);
        }
    }

    [Test]
    public async Task VmInstanceListParsesActiveAndFailedInstances()
    {
        var instances = await GetAsync("/gpu/instances/vms", FluenceExamples.VmInstances, c => c.ListVmInstancesAsync());

        Assert.That(instances, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances[0].Id, Is.EqualTo(VmId));
            Assert.That(instances[0].Status, Is.EqualTo("ACTIVE"));
            Assert.That(instances[0].Domain, Is.EqualTo("216.81.248.90"));
            Assert.That(instances[0].Location, Is.EqualTo("us-central-3"));
            Assert.That(instances[0].Resources!.Supply!.Vcpu!.Count, Is.EqualTo(14));
            Assert.That(instances[0].Resources!.Gpu_model!.Interface, Is.EqualTo("pcie"));
            Assert.That(instances[1].Status, Is.EqualTo("FAILED"));
            Assert.That(instances[1].Domain, Is.Null);
            Assert.That(instances[1].Location, Is.EqualTo("Texas"));
        }
    }

    [Test]
    public async Task VmInstanceDetailParsesTheActiveExample()
    {
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceActive, c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(vm.Id, Is.EqualTo(VmId));
            Assert.That(vm.Status, Is.EqualTo("ACTIVE"));
            Assert.That(vm.Availability, Is.EqualTo("vm"));
            Assert.That(vm.Os_image, Is.EqualTo("Ubuntu Server 22.04"));
            Assert.That(vm.Ssh_connection, Is.EqualTo("ssh ubuntu@216.81.248.90"));
            Assert.That(vm.Ssh_key, Is.EqualTo("ssh-ed25519 AAAAC3... user@host"));
            Assert.That(vm.Billing!.Hourly_usage, Is.EqualTo(0.76m));
            Assert.That(vm.Billing.Total_spendings, Is.EqualTo(1.51m));
            Assert.That(vm.Billing.Next_billing_period, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 16, 0, 0, TimeSpan.Zero)));
            Assert.That(vm.Network!.Domain, Is.EqualTo("216.81.248.90"));
            Assert.That(vm.Network.Forwarded_ports, Is.Empty);
            Assert.That(vm.Network.Uri, Is.Null);
            Assert.That(vm.Resources!.Gpu_model!.Model, Is.EqualTo("l40"));
        }
    }

    [Test]
    public async Task VmInstanceDetailParsesTheEndedExampleWithNulls()
    {
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceEnded, c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(vm.Status, Is.EqualTo("ENDED"));
            Assert.That(vm.Os_image, Is.EqualTo("ubuntu24.04"));
            Assert.That(vm.Ssh_connection, Is.Null);
            Assert.That(vm.Network, Is.Null);
            Assert.That(vm.Billing!.Next_billing_period, Is.Null);
            Assert.That(vm.Billing.Total_spendings, Is.Zero);
        }
    }

    [Test]
    public async Task BareMetalDetailParsesWithBaremetalAvailability()
    {
        var instance = await GetAsync($"/gpu/instances/baremetal/{BareMetalId}", BareMetalInstance, c => c.GetBareMetalInstanceAsync(BareMetalId));

        Assert.That(instance.Availability, Is.EqualTo("baremetal"));
    }

    [Test]
    public async Task UndocumentedStatusValuesComeThroughAsRawStrings()
    {
        var containers = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances.Replace("\"ENDED\"", "\"SUSPENDED\"", StringComparison.Ordinal), c => c.ListContainerInstancesAsync());
        var container = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceActive.Replace("\"STARTED\"", "\"RESTARTING\"", StringComparison.Ordinal), c => c.GetContainerInstanceAsync(ContainerId));
        var vms = await GetAsync("/gpu/instances/vms", FluenceExamples.VmInstances.Replace("\"FAILED\"", "\"PROVISIONING\"", StringComparison.Ordinal), c => c.ListVmInstancesAsync());
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceActive.Replace("\"vm\"", "\"gpu-pod\"", StringComparison.Ordinal), c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(containers[1].Instance_status, Is.EqualTo("SUSPENDED"));
            Assert.That(container.Container_status, Is.EqualTo("RESTARTING"));
            Assert.That(vms[1].Status, Is.EqualTo("PROVISIONING"));
            Assert.That(vm.Availability, Is.EqualTo("gpu-pod"));
        }
    }

    [Test]
    public async Task LogsAndEventsExamplesParseAsStringArrays()
    {
        var logs = await GetAsync($"/gpu/instances/{ContainerId}/logs?last=2", FluenceExamples.Logs, c => c.GetContainerInstanceLogsAsync(ContainerId, 2));
        var events = await GetAsync($"/gpu/instances/{ContainerId}/events", FluenceExamples.Events, c => c.GetContainerInstanceEventsAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(logs, Is.EqualTo(new[]
            {
                "[service-1-b4fcd99f7-f5xr5] Server listening on 0.0.0.0 port 22.",
                "[service-1-b4fcd99f7-f5xr5] Server listening on :: port 22.",
            }));
            Assert.That(events, Has.Count.EqualTo(4));
            Assert.That(events[1], Is.EqualTo("[service-1-b4fcd99f7-f5xr5]: [Normal] [Pulled] Container image \"docker.io/fluencelabs/debian-ssh-root:11\" already present on machine"));
        }
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.Created)]
    public async Task DeployResponseIsReadOn200And201(HttpStatusCode status)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/gpu/instances/vms").Respond(status, Mock.Json, FluenceExamples.DeployResponse);
        using var http = mock.ToHttpClient();

        var response = await new FluenceClient(http).DeployVmInstanceAsync(DeployVmRequest());

        mock.VerifyNoOutstandingExpectation();
        Assert.That(response.Instance_id, Is.EqualTo("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
    }

    [Test]
    public async Task SshKeyPageParsesItemsAndPagination()
    {
        var page = await GetAsync("/v1/ssh_keys", FluenceExamples.SshKeyPage, c => c.ListSshKeysAsync());

        var key = page.Items.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(SshKeyId));
            Assert.That(key.UserId, Is.EqualTo(Guid.Parse("1c6e1f9a-2b3c-4d5e-8f90-a1b2c3d4e5f6")));
            Assert.That(key.Name, Is.EqualTo("my-key"));
            Assert.That(key.PublicKey, Does.StartWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
            Assert.That(key.Algorithm, Is.EqualTo("ssh-ed25519"));
            Assert.That(key.Fingerprint, Is.EqualTo("SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4"));
            Assert.That(page.Pagination.TotalRecords, Is.EqualTo(1));
            Assert.That(page.Pagination.FilteredRecords, Is.EqualTo(1));
            Assert.That(page.Pagination.TotalPages, Is.EqualTo(1));
            Assert.That(page.Pagination.CurrentPage, Is.Zero);
            Assert.That(page.Pagination.PerPage, Is.EqualTo(50));
        }
    }

    [Test]
    public async Task UnknownFieldsAreKeptInAdditionalProperties()
    {
        var body = FluenceExamples.VmInstanceActive.Replace("\"availability\": \"vm\",", "\"availability\": \"vm\", \"gpu_driver\": \"550.127\",", StringComparison.Ordinal);
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", body, c => c.GetVmInstanceAsync(VmId));

        Assert.That(vm.AdditionalProperties, Does.ContainKey("gpu_driver"));
    }

    [Test]
    public async Task MissingRequiredFieldsDoNotFailTheResponse()
    {
        // TolerantContractResolver relaxes Required.DisallowNull/Always, so a spec-required field may be absent.
        var plans = await GetAsync("/gpu/plans/vms", "{}", c => c.ListVmPlansAsync());
        var key = await GetAsync("/v1/ssh_keys", """{"items": [{"name": "my-key"}], "pagination": {}}""", c => c.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Data, Is.Empty);
            Assert.That(key.Items.Single().Id, Is.EqualTo(Guid.Empty), "absent uuid becomes Guid.Empty");
            Assert.That(key.Items.Single().PublicKey, Is.Null);
        }
    }

    [Test]
    public async Task NullInANonNullableValueFieldIsIgnored()
    {
        // Every generated property has NullValueHandling.Ignore, which also applies when reading: a null for
        // UserSshKey.id (a System.Guid) is skipped instead of failing the response.
        var page = await GetAsync("/v1/ssh_keys", """{"items": [{"id": null, "name": "my-key"}], "pagination": {"totalRecords": null}}""", c => c.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items.Single().Id, Is.EqualTo(Guid.Empty));
            Assert.That(page.Pagination.TotalRecords, Is.Zero);
        }
    }
}
