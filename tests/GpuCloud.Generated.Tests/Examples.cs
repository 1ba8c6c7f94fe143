// The documented example payloads used as canned response bodies and as expected request bodies.
// FluenceExamples (in tests/GpuCloud.Testing, shared with GpuCloud.Tests) and the infrastructure part of FluidstackExamples are copied from the `example:` values of
// specs/*.openapi.yaml (YAML timestamps written as JSON strings). The management spec has no examples, so
// those payloads are assembled from its schemas and from Fluidstack's official Go client (fluidstackio/atlas-client-go,
// `v1alpha1/client.gen.go` and `examples/instance-lifecycle/main.go`).

using Newtonsoft.Json;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// Example payloads for the Fluidstack Infrastructure (regional) and Management (global) APIs.
/// </summary>
public static class FluidstackExamples
{
    /// <summary>Examples from specs/fluidstack-infrastructure.openapi.yaml.</summary>
    public static class Infrastructure
    {
        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.Instance.</summary>
        public const string Instance = """
            {
              "image": "ubuntu22.04",
              "preemptible": false,
              "userData": "STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK",
              "ip": "10.0.0.2",
              "name": "instance-1",
              "ephemeral": false,
              "id": "550e8400-e29b-41d4-a716-446655440000",
              "state": "running",
              "type": "h100-hgx-80gb.8x",
              "filesystems": ["123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174001"],
              "tags": {"environment": "production"}
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.InstancesPostRequest.</summary>
        public const string InstancesPostRequest = """
            {
              "image": "image://ubuntu22.04",
              "preemptible": false,
              "userData": "STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK",
              "name": "instance-1",
              "ephemeral": false,
              "type": "h100-hgx-80gb.8x",
              "filesystems": ["123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174001"],
              "tags": {"environment": "production"}
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.InstanceType.</summary>
        public const string InstanceType = """
            {"memory": "960Gi", "gpuModel": "GH100_H100_SXM5_80GB", "name": "h100-hgx-80gb.8x", "cpu": 96, "gpuCount": 8}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.Filesystem.</summary>
        public const string Filesystem = """
            {"size": "512Gi", "name": "fs-1", "id": "123e4567-e89b-12d3-a456-426614174002"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.FilesystemsPostRequest.</summary>
        public const string FilesystemsPostRequest = """
            {"size": "512Gi", "name": "fs-1"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.Project.</summary>
        public const string Project = """
            {
              "name": "project-1",
              "id": "123e4567-e89b-12d3-a456-426614174003",
              "state": "active",
              "tags": {"team": "ml-ops"}
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.ProjectsPostRequest.</summary>
        public const string ProjectsPostRequest = """
            {"name": "project-1", "tags": {"team": "ml-ops"}}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.KubernetesCluster.</summary>
        public const string KubernetesCluster = """
            {
              "endpoint": "https://api.cluster-01.example.com",
              "name": "cluster-01",
              "id": "123e4567-e89b-12d3-a456-426614174003",
              "version": "1.32.1"
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.KubernetesClustersPostRequest.</summary>
        public const string KubernetesClustersPostRequest = """
            {"name": "cluster-01", "version": "1.32.1"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.KubernetesNodePool.</summary>
        public const string KubernetesNodePool = """
            {
              "cluster": "cluster-01",
              "nodes": [
                {
                  "createdAt": "2023-10-01T12:00:00Z",
                  "accelerator": {"product": "NVIDIA-H100-80GB-HBM3", "driverVersion": "550.127.08", "type": "nvidia/gpu"},
                  "instanceID": "046b6c7f-0b8a-43b9-b35d-6489e6daee91",
                  "name": "node-01",
                  "kubeletVersion": "v1.32.1",
                  "state": "ready",
                  "taints": [
                    {"effect": "NoSchedule", "value": "present", "key": "nvidia.com/gpu"},
                    {"effect": "NoSchedule", "value": "present", "key": "nvidia.com/gpu"}
                  ],
                  "conditions": [
                    {
                      "reason": "KubeletReady",
                      "lastHeartbeatTime": "2023-10-01T12:00:00Z",
                      "type": "Ready",
                      "lastTransitionTime": "2023-10-01T12:00:00Z",
                      "message": "Kubelet is ready",
                      "status": "True"
                    },
                    {
                      "reason": "KubeletReady",
                      "lastHeartbeatTime": "2023-10-01T12:00:00Z",
                      "type": "Ready",
                      "lastTransitionTime": "2023-10-01T12:00:00Z",
                      "message": "Kubelet is ready",
                      "status": "True"
                    }
                  ],
                  "labels": {"kubernetes.io/hostname": "node-01", "node-role.kubernetes.io/worker": ""}
                },
                {
                  "createdAt": "2023-10-01T12:00:00Z",
                  "accelerator": {"product": "NVIDIA-H100-80GB-HBM3", "driverVersion": "550.127.08", "type": "nvidia/gpu"},
                  "instanceID": "046b6c7f-0b8a-43b9-b35d-6489e6daee91",
                  "name": "node-01",
                  "kubeletVersion": "v1.32.1",
                  "state": "ready",
                  "taints": [
                    {"effect": "NoSchedule", "value": "present", "key": "nvidia.com/gpu"},
                    {"effect": "NoSchedule", "value": "present", "key": "nvidia.com/gpu"}
                  ],
                  "conditions": [
                    {
                      "reason": "KubeletReady",
                      "lastHeartbeatTime": "2023-10-01T12:00:00Z",
                      "type": "Ready",
                      "lastTransitionTime": "2023-10-01T12:00:00Z",
                      "message": "Kubelet is ready",
                      "status": "True"
                    },
                    {
                      "reason": "KubeletReady",
                      "lastHeartbeatTime": "2023-10-01T12:00:00Z",
                      "type": "Ready",
                      "lastTransitionTime": "2023-10-01T12:00:00Z",
                      "message": "Kubelet is ready",
                      "status": "True"
                    }
                  ],
                  "labels": {"kubernetes.io/hostname": "node-01", "node-role.kubernetes.io/worker": ""}
                }
              ],
              "name": "pool-01",
              "count": 3,
              "id": "123e4567-e89b-12d3-a456-426614174003",
              "type": "h100-hgx-80gb.8x",
              "version": "1.32.1"
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.KubernetesNodePoolPostRequest.</summary>
        public const string KubernetesNodePoolPostRequest = """
            {"name": "pool-01", "count": 3, "type": "h100-hgx-80gb.8x", "version": "1.32.1"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.SlurmCluster.</summary>
        public const string SlurmCluster = """
            {
              "name": "cluster-01",
              "id": "123e4567-e89b-12d3-a456-426614174003",
              "loginNodes": [{"name": "login-01", "publicIP": "203.0.113.0"}, {"name": "login-01", "publicIP": "203.0.113.0"}],
              "version": "24.05.6"
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.SlurmClustersPostRequest.</summary>
        public const string SlurmClustersPostRequest = """
            {"name": "cluster-01", "version": "v0.40.0"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.SlurmNodePool.</summary>
        public const string SlurmNodePool = """
            {
              "nodes": [
                {
                  "instanceID": "046b6c7f-0b8a-43b9-b35d-6489e6daee91",
                  "slurmdVersion": "24.05.7",
                  "name": "node-01",
                  "states": ["states", "states"]
                },
                {
                  "instanceID": "046b6c7f-0b8a-43b9-b35d-6489e6daee91",
                  "slurmdVersion": "24.05.7",
                  "name": "node-01",
                  "states": ["states", "states"]
                }
              ],
              "name": "pool-01",
              "count": 3,
              "id": "123e4567-e89b-12d3-a456-426614174003",
              "type": "h100-hgx-80gb.8x"
            }
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.SlurmNodePoolPostRequest.</summary>
        public const string SlurmNodePoolPostRequest = """
            {"name": "pool-01", "count": 3, "type": "h100-hgx-80gb.8x"}
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.Capabilities.</summary>
        public const string Capabilities = """
            ["instances:list", "slurm:clusters:list"]
            """;

        /// <summary>specs/fluidstack-infrastructure.openapi.yaml, schema.ListCapacity_200_response_inner.</summary>
        public const string CapacityItem = """
            {"name": "h100-hgx-80gb.8x", "capacity": 1}
            """;

        /// <summary>fluidstack-api-notes.md 2.3: the snake_case spelling of the June-2025 official client.</summary>
        public const string InstanceTypeSnakeCase = """
            {"name": "h100-hgx-80gb.8x", "cpu": 96, "memory": "960Gi", "gpu_model": "GH100_H100_SXM5_80GB", "gpu_count": 8}
            """;

        /// <summary>fluidstack-api-notes.md 2.1: the error envelope, {message: string}.</summary>
        public static string Error(string message) => new JObject { ["message"] = message }.ToString(Formatting.None);
    }

    /// <summary>
    /// Payloads for specs/fluidstack-management.openapi.yaml, which has no examples: assembled from its schemas
    /// and the notes (region URL example https://sandbox.atlas.fluidstack.io, SSHKey example from the schema).
    /// </summary>
    public static class Management
    {
        public const string Regions = """
            [
              {"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io"},
              {"name": "eu-1", "url": "https://eu-1.atlas.fluidstack.io"}
            ]
            """;

        public const string Clusters = """
            [
              {
                "id": "123e4567-e89b-12d3-a456-426614174003",
                "name": "cluster-01",
                "region": "eu-1",
                "type": "kubernetes",
                "project_id": "123e4567-e89b-12d3-a456-426614174003",
                "health": "healthy",
                "updated_at": "2025-09-04T12:00:00Z"
              }
            ]
            """;

        public const string Organizations = """
            [{"id": "org_01", "name": "acme", "display_name": "Acme Inc."}]
            """;

        public const string Members = """
            [{"id": "user_01", "name": "Ada Lovelace", "email": "ada@example.com", "role": "admin"}]
            """;

        public const string Invitations = """
            [{"id": "inv_01", "email": "grace@example.com", "role": "viewer"}]
            """;

        public const string Instance = """
            {
              "id": "550e8400-e29b-41d4-a716-446655440000",
              "name": "instance-1",
              "type": "h100-hgx-80gb.8x",
              "state": "running",
              "ip": "10.0.0.2",
              "image": "ubuntu22.04",
              "preemptible": false,
              "ephemeral": false,
              "tags": {"environment": "production"},
              "project_id": "123e4567-e89b-12d3-a456-426614174003",
              "region": "eu-1",
              "health": "healthy",
              "updated_at": "2025-09-04T12:00:00Z"
            }
            """;

        /// <summary>An instance without an IP (nullable) in a state and health the docs do not list.</summary>
        public const string InstanceWithoutIpInUnknownState = """
            {
              "id": "550e8400-e29b-41d4-a716-446655440001",
              "name": "instance-2",
              "type": "h100-hgx-80gb.8x",
              "state": "hibernating",
              "ip": null,
              "image": "ubuntu22.04",
              "preemptible": true,
              "ephemeral": true,
              "tags": {},
              "project_id": "123e4567-e89b-12d3-a456-426614174003",
              "region": "eu-1",
              "health": "degraded"
            }
            """;

        /// <summary>The SSHKey schema example.</summary>
        public const string SshKey = """
            {"name": "key-1", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEaSkijEWFbnjixzWRw3u2spZZaeVeWO5/ymySevCvXh"}
            """;

        public static string Error(string message) => Infrastructure.Error(message);
    }
}
