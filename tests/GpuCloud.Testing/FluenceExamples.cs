// The documented example payloads of specs/fluence.openapi.yaml, copied from its `example:` values (YAML
// timestamps written as JSON strings): canned response bodies and expected request bodies for the generated
// client's tests (GpuCloud.Generated.Tests) and the facade's (GpuCloud.Tests), kept once here.

namespace GpuCloud.Testing;

/// <summary>Example payloads from specs/fluence.openapi.yaml.</summary>
public static class FluenceExamples
{
    /// <summary>specs/fluence.openapi.yaml, listContainerPlans.200.</summary>
    public const string ContainerPlans = """
        [
          {
            "plan": {
              "id": "36cdb646-1246-42d8-b2d1-9480ca546536",
              "name": "h200-141gi-sxm-1gpu-16cpu-128gi-120gi",
              "supply": {
                "vcpu": {"count": 16},
                "memory": {"count": 128, "units": "Gi"},
                "storage": {"count": 120, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "h200", "vram": "141Gi", "interface": "SXM"},
              "pricing": {"hour": 2.96, "upfront_hours": 3, "currency": "USDC"}
            },
            "attributes": {"location": ["US"]}
          },
          {
            "plan": {
              "id": "472ea881-73d9-423a-8e61-19addd34424c",
              "name": "a100-80gi-sxm-1gpu-1cpu-1gi-1gi",
              "supply": {
                "vcpu": {"count": 1},
                "memory": {"count": 1, "units": "Gi"},
                "storage": {"count": 1, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "SXM"},
              "pricing": {"hour": 1.22, "upfront_hours": 3, "currency": "USDC"}
            },
            "attributes": {"location": ["US"]}
          }
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, listVmPlans.200.</summary>
    public const string VmPlans = """
        {
          "data": [
            {
              "gpu_model": {"vendor": "nvidia", "model": "a10", "vram": "24Gi", "interface": "pcie"},
              "minimum_price": 0.99,
              "availability_by_number": [
                {
                  "gpu_count": 1,
                  "minimum_price": 0.99,
                  "options_available_total": 2,
                  "providers_available_total": 1,
                  "data_center_available_total": 2,
                  "locations": ["dulles-usa-1", "sanjose-usa-2"],
                  "providers": ["sesterce"],
                  "options": [
                    {
                      "id": "3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49",
                      "location": "sanjose-usa-2",
                      "provider": "sesterce",
                      "vcpu": {"count": 30},
                      "memory": {"count": 186, "units": "Gi"},
                      "storage": {"count": 1303, "units": "Gi"},
                      "deployment_type": "VM",
                      "pricing": {"hour": 0.99, "upfront_hours": 3, "currency": "USDC"},
                      "nvlink": false,
                      "os_options": ["ubuntu22.04_cuda12.4_shade_os"]
                    },
                    {
                      "id": "0e311c31-1e31-4fc7-b27d-4b73f3f27bc2",
                      "location": "dulles-usa-1",
                      "provider": "sesterce",
                      "vcpu": {"count": 30},
                      "memory": {"count": 186, "units": "Gi"},
                      "storage": {"count": 1303, "units": "Gi"},
                      "deployment_type": "VM",
                      "pricing": {"hour": 0.99, "upfront_hours": 3, "currency": "USDC"},
                      "nvlink": false,
                      "os_options": ["ubuntu22.04_cuda12.4_shade_os"]
                    }
                  ]
                }
              ]
            },
            {
              "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "pcie"},
              "minimum_price": 1.07,
              "availability_by_number": [
                {
                  "gpu_count": 1,
                  "minimum_price": 1.07,
                  "options_available_total": 8,
                  "providers_available_total": 2,
                  "data_center_available_total": 7,
                  "locations": [
                    "culpeper-usa-1",
                    "kristiansand-norway-2",
                    "newyork-usa-1",
                    "tokyo-japan-2",
                    "us-central-2",
                    "us-central-3",
                    "us-east-1"
                  ],
                  "providers": ["massed-compute", "sesterce"],
                  "options": [
                    {
                      "id": "d8312018-c50c-4278-89db-69e40013414d",
                      "location": "us-central-3",
                      "provider": "massed-compute",
                      "vcpu": {"count": 14},
                      "memory": {"count": 93, "units": "Gi"},
                      "storage": {"count": 582, "units": "Gi"},
                      "deployment_type": "VM",
                      "pricing": {"hour": 1.07, "upfront_hours": 3, "currency": "USDC"},
                      "nvlink": false,
                      "os_options": ["Ubuntu Server 22.04"]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, listDefaultImages.200.inferred.</summary>
    public const string DefaultImages = """
        [
          {
            "slug": "debian-ssh-11",
            "name": "Debian SSH 11",
            "description": null,
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "expose": [{"port": "22", "protocol": "tcp"}],
            "environment": [],
            "startup_command": null,
            "requires_ssh": true
          }
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, listContainerInstances.200.</summary>
    public const string ContainerInstances = """
        [
          {
            "id": "b54672e2-0a8b-490f-81ee-7d5a868471fc",
            "name": "fuchsia-hawk-4706",
            "instance_status": "ACTIVE",
            "resources": {
              "supply": {
                "vcpu": {"count": 1},
                "memory": {"count": 1, "units": "Gi"},
                "storage": {"count": 1, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "sxm"}
            },
            "domain": "provider.a100.pub",
            "location": "US",
            "created_at": "2026-02-07T14:42:29.472381Z",
            "updated_at": "2026-02-07T14:43:41.901135Z"
          },
          {
            "id": "9933463e-4b49-4a56-867d-e66d4200e649",
            "name": "white-chimpanzee-8445",
            "instance_status": "ENDED",
            "resources": {
              "supply": {
                "vcpu": {"count": 1},
                "memory": {"count": 1, "units": "Gi"},
                "storage": {"count": 1, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "sxm"}
            },
            "domain": null,
            "location": "US",
            "created_at": "2026-02-05T13:13:08.778635Z",
            "updated_at": "2026-02-06T05:42:03.280836Z"
          }
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.request.full.</summary>
    public const string DeployContainerRequestFull = """
        {
          "plan_id": "075e40d4-2766-4347-833b-205245fe3629",
          "name": "my-gpu-container",
          "container_settings": {
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "expose": [
              {"port": "22", "protocol": "tcp"},
              {"port": "80", "protocol": "http"},
              {"port": "443", "protocol": "tcp"},
              {"port": "8000", "protocol": "tcp"}
            ],
            "environment": [{"name": "MODEL_PATH", "value": "/models/llama"}],
            "startup_command": "python3 serve.py --port 8000"
          },
          "constraints": {"location": "US"},
          "ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.request.minimal.</summary>
    public const string DeployContainerRequestMinimal = """
        {
          "plan_id": "075e40d4-2766-4347-833b-205245fe3629",
          "name": "my-gpu-container",
          "container_settings": {
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "expose": [{"port": "22", "protocol": "tcp"}, {"port": "80", "protocol": "http"}]
          },
          "ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.200.</summary>
    public const string DeployResponse = """
        {"instance_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.400.</summary>
    public const string InsufficientBalance = """
        {"detail": "Insufficient balance to deploy instance"}
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.403.</summary>
    public const string AuthFailed = """
        {"error": "Auth failed. No such API Key"}
        """;

    /// <summary>specs/fluence.openapi.yaml, deployContainerInstance.422.</summary>
    public const string ValidationError = """
        {
          "detail": [
            {
              "type": "value_error",
              "loc": ["body", "container_settings", "expose", 0, "port"],
              "msg": "Value error, Port must be between 1 and 65535",
              "input": "999999999",
              "ctx": {"error": {}}
            }
          ]
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, getContainerInstance.200.active.</summary>
    public const string ContainerInstanceActive = """
        {
          "id": "b54672e2-0a8b-490f-81ee-7d5a868471fc",
          "name": "fuchsia-hawk-4706",
          "instance_status": "ACTIVE",
          "container_status": "STARTED",
          "resources": {
            "supply": {
              "vcpu": {"count": 1},
              "memory": {"count": 1, "units": "Gi"},
              "storage": {"count": 1, "units": "Gi"},
              "gpu_count": 1
            },
            "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "sxm"}
          },
          "location": "US",
          "container_info": {
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "expose": [{"port": "22", "protocol": "tcp"}],
            "environment": [{"name": "SSH_PUBKEY", "value": "ssh-ed25519 AAAAC3..."}],
            "startup_command": null
          },
          "billing": {
            "hourly_usage": 1.22,
            "total_spendings": 1.22,
            "reserved_amount": 2.44,
            "next_billing_period": "2026-02-07T15:00:00Z"
          },
          "network": {
            "domain": "provider.a100.pub",
            "forwarded_ports": [{"port": "22", "external_port": "32345", "protocol": "tcp"}],
            "uri": null
          },
          "created_at": "2026-02-07T14:42:29.472381Z",
          "updated_at": "2026-02-07T14:43:41.901135Z"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, getContainerInstance.200.ended.</summary>
    public const string ContainerInstanceEnded = """
        {
          "id": "4fe394f8-215c-42c3-8cef-f5f0381f7d9c",
          "name": "coral-fowl-8570",
          "instance_status": "ENDED",
          "container_status": "NOT_STARTED",
          "resources": {
            "supply": {
              "vcpu": {"count": 1},
              "memory": {"count": 1, "units": "Gi"},
              "storage": {"count": 1, "units": "Gi"},
              "gpu_count": 1
            },
            "gpu_model": {"vendor": "nvidia", "model": "a100", "vram": "80Gi", "interface": "sxm"}
          },
          "location": "US",
          "container_info": {
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "expose": [{"port": "22", "protocol": "tcp"}],
            "environment": [{"name": "SSH_PUBKEY", "value": "ssh-ed25519 AAAAC3..."}],
            "startup_command": null
          },
          "billing": {"hourly_usage": 0, "total_spendings": 26.8, "reserved_amount": 0, "next_billing_period": null},
          "network": null,
          "created_at": "2026-02-05T08:31:28.676135Z",
          "updated_at": "2026-02-06T05:42:00.193483Z"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, updateContainerInstance.request.</summary>
    public const string UpdateContainerRequest = """
        {
          "name": "my-updated-container",
          "container_settings": {
            "image": "docker.io/fluencelabs/debian-ssh-root:11",
            "environment": [{"name": "MODEL_PATH", "value": "/models/llama-v2"}],
            "startup_command": "python3 serve.py --port 8000"
          },
          "ssh_key": "ssh-ed25519 AAAAC3... user@host"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, getContainerInstanceLogs.200.</summary>
    public const string Logs = """
        [
          "[service-1-b4fcd99f7-f5xr5] Server listening on 0.0.0.0 port 22.",
          "[service-1-b4fcd99f7-f5xr5] Server listening on :: port 22."
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, getContainerInstanceEvents.200.</summary>
    public const string Events = """
        [
          "[service-1-b4fcd99f7-f5xr5]: [Normal] [Scheduled] Successfully assigned pod to node2",
          "[service-1-b4fcd99f7-f5xr5]: [Normal] [Pulled] Container image \"docker.io/fluencelabs/debian-ssh-root:11\" already present on machine",
          "[service-1-b4fcd99f7-f5xr5]: [Normal] [Created] Created container: service-1",
          "[service-1-b4fcd99f7-f5xr5]: [Normal] [Started] Started container service-1"
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, listVmInstances.200.</summary>
    public const string VmInstances = """
        [
          {
            "id": "05cdd5fc-d384-4fbc-8861-5e3e2a66397c",
            "name": "azure-booby-3323",
            "status": "ACTIVE",
            "resources": {
              "supply": {
                "vcpu": {"count": 14},
                "memory": {"count": 119, "units": "Gi"},
                "storage": {"count": 582, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "l40", "vram": "48Gi", "interface": "pcie"}
            },
            "domain": "216.81.248.90",
            "location": "us-central-3",
            "created_at": "2026-02-07T14:43:43.993091Z",
            "updated_at": "2026-02-07T14:45:42.054932Z"
          },
          {
            "id": "74c722a1-645c-4799-ad2b-731e8f45def8",
            "name": "crimson-chinchilla-3483",
            "status": "FAILED",
            "resources": {
              "supply": {
                "vcpu": {"count": 8},
                "memory": {"count": 22, "units": "Gi"},
                "storage": {"count": 465, "units": "Gi"},
                "gpu_count": 1
              },
              "gpu_model": {"vendor": "nvidia", "model": "v100", "vram": "32Gi", "interface": "sxm"}
            },
            "domain": null,
            "location": "Texas",
            "created_at": "2026-02-07T14:42:40.089261Z",
            "updated_at": "2026-02-07T14:43:13.543334Z"
          }
        ]
        """;

    /// <summary>specs/fluence.openapi.yaml, deployVmInstance.request.</summary>
    public const string DeployVmRequest = """
        {
          "plan_id": "e5f00ba8-268e-4279-9672-eabca860f19e",
          "name": "my-gpu-vm",
          "ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host",
          "os_image": "Ubuntu Server 22.04"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, deployVmInstance.400.unsupportedOsImage.</summary>
    public const string UnsupportedOsImage = """
        {
          "detail": "Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, getVmInstance.200.active.</summary>
    public const string VmInstanceActive = """
        {
          "id": "05cdd5fc-d384-4fbc-8861-5e3e2a66397c",
          "name": "azure-booby-3323",
          "status": "ACTIVE",
          "availability": "vm",
          "resources": {
            "supply": {
              "vcpu": {"count": 14},
              "memory": {"count": 119, "units": "Gi"},
              "storage": {"count": 582, "units": "Gi"},
              "gpu_count": 1
            },
            "gpu_model": {"vendor": "nvidia", "model": "l40", "vram": "48Gi", "interface": "pcie"}
          },
          "location": "us-central-3",
          "os_image": "Ubuntu Server 22.04",
          "ssh_connection": "ssh ubuntu@216.81.248.90",
          "billing": {
            "hourly_usage": 0.76,
            "total_spendings": 1.51,
            "reserved_amount": 0.76,
            "next_billing_period": "2026-02-07T16:00:00Z"
          },
          "network": {"domain": "216.81.248.90", "forwarded_ports": [], "uri": null},
          "ssh_key": "ssh-ed25519 AAAAC3... user@host",
          "created_at": "2026-02-07T14:43:43.993091Z",
          "updated_at": "2026-02-07T14:45:42.054932Z"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, getVmInstance.200.ended.</summary>
    public const string VmInstanceEnded = """
        {
          "id": "74c722a1-645c-4799-ad2b-731e8f45def8",
          "name": "crimson-chinchilla-3483",
          "status": "ENDED",
          "availability": "vm",
          "resources": {
            "supply": {
              "vcpu": {"count": 8},
              "memory": {"count": 22, "units": "Gi"},
              "storage": {"count": 465, "units": "Gi"},
              "gpu_count": 1
            },
            "gpu_model": {"vendor": "nvidia", "model": "v100", "vram": "32Gi", "interface": "sxm"}
          },
          "location": "Texas",
          "os_image": "ubuntu24.04",
          "ssh_connection": null,
          "billing": {"hourly_usage": 0, "total_spendings": 0, "reserved_amount": 0, "next_billing_period": null},
          "network": null,
          "ssh_key": "ssh-ed25519 AAAAC3... user@host",
          "created_at": "2026-02-07T14:42:40.089261Z",
          "updated_at": "2026-02-07T14:43:13.543334Z"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, renameVmInstance.request.</summary>
    public const string RenameRequest = """
        {"name": "my-training-vm"}
        """;

    /// <summary>specs/fluence.openapi.yaml, createSshKey.request.</summary>
    public const string CreateSshKeyRequest = """
        {
          "name": "my-key",
          "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgJIjnDg1DjqOOxINs78oU3f7PJXIyq9uiNocNVhXNx user@example.com"
        }
        """;

    /// <summary>specs/fluence.openapi.yaml, listSshKeys.400.</summary>
    public const string MainApiBadRequest = """
        {"code": "bad_request", "error": "Wrong parameters"}
        """;

    /// <summary>specs/fluence.openapi.yaml, listSshKeys.401.</summary>
    public const string MainApiUnauthorized = """
        {"code": "unauthorized", "error": "Auth token invalid or missing"}
        """;

    /// <summary>specs/fluence.openapi.yaml, listSshKeys.403.</summary>
    public const string MainApiForbidden = """
        {"code": "forbidden", "error": "Not allowed to call this endpoint"}
        """;

    /// <summary>specs/fluence.openapi.yaml, deleteSshKey.422.</summary>
    public const string MainApiUnprocessable = """
        {"code": "unprocessable_entity", "error": "Unable to process the entity"}
        """;

    /// <summary>specs/fluence.openapi.yaml, deleteSshKeys.500.</summary>
    public const string MainApiServerError = """
        {"code": "internal_server_error", "error": "Unexpected server error"}
        """;

    /// <summary>
    /// Not in the spec: a /v1/ssh_keys page in the shape of the main API's PaginatedResponse_UserSshKeyDto
    /// (fluence-docs/fluence-main-api-openapi.json), with the documented key and fingerprint values.
    /// </summary>
    public const string SshKeyPage = """
        {
          "items": [
            {
              "id": "9b2f4c3e-6d1a-4f5b-8c7d-0e1f2a3b4c5d",
              "userId": "1c6e1f9a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
              "name": "my-key",
              "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgJIjnDg1DjqOOxINs78oU3f7PJXIyq9uiNocNVhXNx user@example.com",
              "algorithm": "ssh-ed25519",
              "fingerprint": "SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4"
            }
          ],
          "pagination": {"totalRecords": 1, "filteredRecords": 1, "totalPages": 1, "currentPage": 0, "perPage": 50}
        }
        """;

    /// <summary>Not in the spec: one UserSshKeyDto, as returned by create and single delete.</summary>
    public const string SshKey = """
        {
          "id": "9b2f4c3e-6d1a-4f5b-8c7d-0e1f2a3b4c5d",
          "userId": "1c6e1f9a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
          "name": "my-key",
          "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgJIjnDg1DjqOOxINs78oU3f7PJXIyq9uiNocNVhXNx user@example.com",
          "algorithm": "ssh-ed25519",
          "fingerprint": "SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4"
        }
        """;
}
