using System.Text.Json.Nodes;

namespace GpuCloud.Tests.Support;

/// <summary>
/// Canned Fluence bodies for the facade's tests: the <c>example:</c> values of specs/fluence.openapi.yaml come from their
/// one home, <see cref="FluenceExamples"/> (shared with the generated client's tests), as they are or with the fields a
/// test varies; here are only the URLs and ids the tests use, and the bodies the spec has no example for (documented
/// shapes of the Fluence docs, fluencelabs/docs, `docs/build/api/gpu_cloud/*`; snake_case, exactly as Fluence sends them).
/// </summary>
public static class FluenceJson
{
    public const string Base = "https://api.fluence.dev";
    public const string ContainerPlansUrl = Base + "/gpu/plans/";
    public const string VmPlansUrl = Base + "/gpu/plans/vms";
    public const string BareMetalPlansUrl = Base + "/gpu/plans/baremetal";
    public const string ContainerInstancesUrl = Base + "/gpu/instances/";
    public const string VmInstancesUrl = Base + "/gpu/instances/vms";
    public const string BareMetalInstancesUrl = Base + "/gpu/instances/baremetal";
    public const string SshKeysUrl = Base + "/v1/ssh_keys";

    public const string H200PlanId = "36cdb646-1246-42d8-b2d1-9480ca546536";
    public const string A100PlanId = "472ea881-73d9-423a-8e61-19addd34424c";

    /// <summary>Notes 3.1 / listContainerPlans.200, verbatim (the spec's example, shared with the generated client's tests).</summary>
    public const string ContainerPlans = FluenceExamples.ContainerPlans;

    public const string A10OptionSanJose = "3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49";
    public const string A10OptionDulles = "0e311c31-1e31-4fc7-b27d-4b73f3f27bc2";
    public const string A100PcieOption = "d8312018-c50c-4278-89db-69e40013414d";

    /// <summary>listVmPlans.200: two groups (a10 pcie with two options, a100 pcie with one).</summary>
    public const string VmPlans = FluenceExamples.VmPlans;

    public const string H100BareMetalOption = "5b0f8d9e-1c2a-4e6f-9a7b-3c4d5e6f7a8b";

    /// <summary>Bare metal: the documented shape (deployment_type BAREMETAL), an 8x H100 SXM option with NVLink.</summary>
    public const string BareMetalPlans = """
        {
          "data": [
            {
              "gpu_model": {"vendor": "nvidia", "model": "h100", "vram": "80Gi", "interface": "sxm"},
              "minimum_price": 17.6,
              "availability_by_number": [
                {
                  "gpu_count": 8,
                  "minimum_price": 17.6,
                  "options_available_total": 1,
                  "providers_available_total": 1,
                  "data_center_available_total": 1,
                  "locations": ["dulles-usa-1"],
                  "providers": ["sesterce"],
                  "options": [
                    {
                      "id": "5b0f8d9e-1c2a-4e6f-9a7b-3c4d5e6f7a8b",
                      "location": "dulles-usa-1",
                      "provider": "sesterce",
                      "vcpu": {"count": 224},
                      "memory": {"count": 2, "units": "Ti"},
                      "storage": {"count": 30000, "units": "Gi"},
                      "deployment_type": "BAREMETAL",
                      "pricing": {"hour": 17.6, "upfront_hours": 3, "currency": "USDC"},
                      "nvlink": true,
                      "os_options": ["Ubuntu Server 22.04", "ubuntu22.04_cuda12.4_shade_os"]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    /// <summary>A VM group whose PCIe option is NVLink-bridged (l40 pcie, nvlink true).</summary>
    public const string NvlinkPcieVmPlans = """
        {
          "data": [
            {
              "gpu_model": {"vendor": "nvidia", "model": "l40", "vram": "48Gi", "interface": "pcie"},
              "minimum_price": 2.5,
              "availability_by_number": [
                {
                  "gpu_count": 2,
                  "options": [
                    {
                      "id": "aa0e8400-e29b-41d4-a716-446655440000",
                      "location": "us-central-3",
                      "provider": "massed-compute",
                      "vcpu": {"count": 28},
                      "memory": {"count": 180, "units": "Gi"},
                      "storage": {"count": 1000, "units": "Gi"},
                      "deployment_type": "VM",
                      "pricing": {"hour": 2.5, "upfront_hours": 3, "currency": "USDC"},
                      "nvlink": true,
                      "os_options": ["Ubuntu Server 22.04"]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    public const string EmptyMachinePlans = """{"data": []}""";

    public const string ActiveContainerId = "b54672e2-0a8b-490f-81ee-7d5a868471fc";
    public const string EndedContainerId = "9933463e-4b49-4a56-867d-e66d4200e649";

    /// <summary>listContainerInstances.200: one ACTIVE, one ENDED.</summary>
    public const string ContainerInstances = FluenceExamples.ContainerInstances;

    /// <summary>One container instance as listed (listContainerInstances item shape).</summary>
    public static string ContainerInstance(string id, string name, string status) => $$"""
        {
          "id": "{{id}}",
          "name": "{{name}}",
          "instance_status": "{{status}}",
          "resources": {
            "supply": {"vcpu": {"count": 1}, "memory": {"count": 1, "units": "Gi"}, "storage": {"count": 1, "units": "Gi"}, "gpu_count": 1},
            "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "sxm"}
          },
          "domain": "provider.a100.pub",
          "location": "US",
          "created_at": "2026-11-30T14:42:29.472381Z",
          "updated_at": "2026-11-30T14:43:41.901135Z"
        }
        """;

    /// <summary><see cref="ContainerInstances"/> with <paramref name="more"/> added.</summary>
    public static string ContainerList(params string[] more) =>
        more.Length == 0 ? ContainerInstances : ContainerInstances.TrimEnd()[..^1].TrimEnd() + ",\n" + string.Join(",\n", more) + "\n]";

    /// <summary>
    /// getContainerInstance.200.active with a second forwarded port (8000 on 32346), the status and id replaceable
    /// (INITIALIZED, FAILED, HIBERNATING...).
    /// </summary>
    public static string ContainerDetail(string status = "ACTIVE", string id = ActiveContainerId)
    {
        var detail = Example(FluenceExamples.ContainerInstanceActive);
        detail["id"] = id;
        detail["instance_status"] = status;
        detail["network"]!["forwarded_ports"]!.AsArray().Add(new JsonObject { ["port"] = "8000", ["external_port"] = "32346", ["protocol"] = "tcp" });
        return detail.ToJsonString();
    }

    public const string EndedContainerDetailId = "4fe394f8-215c-42c3-8cef-f5f0381f7d9c";

    /// <summary>getContainerInstance.200.ended: network null.</summary>
    public const string ContainerDetailEnded = FluenceExamples.ContainerInstanceEnded;

    public const string ActiveVmId = "05cdd5fc-d384-4fbc-8861-5e3e2a66397c";
    public const string FailedVmId = "74c722a1-645c-4799-ad2b-731e8f45def8";

    /// <summary>listVmInstances.200: one ACTIVE (l40), one FAILED (v100); status field is "status".</summary>
    public const string VmInstances = FluenceExamples.VmInstances;

    /// <summary>getVmInstance.200.active, with the status, ssh_connection and id replaceable.</summary>
    public static string VmDetail(string status = "ACTIVE", string? sshConnection = "ssh ubuntu@216.81.248.90", string id = ActiveVmId)
    {
        var detail = Example(FluenceExamples.VmInstanceActive);
        detail["id"] = id;
        detail["status"] = status;
        detail["ssh_connection"] = sshConnection;
        return detail.ToJsonString();
    }

    /// <summary>getVmInstance.200.ended: network, ssh_connection and next_billing_period null.</summary>
    public const string VmDetailEnded = FluenceExamples.VmInstanceEnded;

    public const string DeployedId = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

    /// <summary>deployContainerInstance.200.</summary>
    public const string DeployResponse = FluenceExamples.DeployResponse;

    /// <summary>The documented SSH key and its fingerprint (main API 0.10.0 / ssh_keys docs).</summary>
    public const string DocKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgJIjnDg1DjqOOxINs78oU3f7PJXIyq9uiNocNVhXNx user@example.com";
    public const string DocKeyFingerprint = "SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4";
    public const string DocKeyId = "9b2f4c3e-6d1a-4f5b-8c7d-0e1f2a3b4c5d";

    /// <summary>One UserSshKeyDto.</summary>
    public static string SshKey(string id, string name, string publicKey, string algorithm = "ssh-ed25519", string fingerprint = "SHA256:server-side") => $$"""
        {"id": "{{id}}", "userId": "1c6e1f9a-2b3c-4d5e-8f90-a1b2c3d4e5f6", "name": "{{name}}", "publicKey": "{{publicKey}}", "algorithm": "{{algorithm}}", "fingerprint": "{{fingerprint}}"}
        """;

    /// <summary>A /v1/ssh_keys page.</summary>
    public static string SshKeyPage(int currentPage, int totalPages, params string[] items) =>
        SshKeyPageOf(items.Length, currentPage, totalPages, items);

    /// <summary>A page of a list of <paramref name="filtered"/> keys in all.</summary>
    public static string SshKeyPageOf(int filtered, int currentPage, int totalPages, params string[] items) =>
        "{\"items\": [" + string.Join(",", items) + "], \"pagination\": {\"totalRecords\": " + filtered
        + ", \"filteredRecords\": " + filtered + ", \"totalPages\": " + totalPages + ", \"currentPage\": " + currentPage + ", \"perPage\": 100}}";

    private static JsonObject Example(string json) => JsonNode.Parse(json)!.AsObject();
}
