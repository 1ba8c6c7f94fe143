namespace GpuCloud.Tests.Support;

/// <summary>
/// Canned Fluidstack bodies from specs/fluidstack-*.openapi.yaml (<c>example:</c> values) and
/// Fluidstack's official Go client (fluidstackio/atlas-client-go, `v1alpha1/client.gen.go`). Field names are exactly as Atlas sends them.
/// </summary>
public static class FluidstackJson
{
    public const string Management = "https://api.atlas.fluidstack.io/api/v1alpha1";
    public const string RegionsUrl = Management + "/regions";
    public const string UserKeysUrl = Management + "/user/keys";
    public const string ManagementInstancesUrl = Management + "/instances";

    /// <summary>The regional API base: the region's <c>url</c> from /regions plus <c>/api/v1alpha1</c>.</summary>
    public const string Sandbox = "https://sandbox.atlas.fluidstack.io/api/v1alpha1";
    public const string Eu1 = "https://eu-1.atlas.fluidstack.io/api/v1alpha1";

    public static readonly Guid ProjectId = Guid.Parse("123e4567-e89b-12d3-a456-426614174003");
    public const string InstanceGuid = "550e8400-e29b-41d4-a716-446655440000";

    public const string Regions = """
        [
          {"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io"},
          {"name": "eu-1", "url": "https://eu-1.atlas.fluidstack.io"}
        ]
        """;

    public const string SandboxOnly = """[{"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io"}]""";

    /// <summary>The spec's InstanceType example (camelCase gpuModel/gpuCount), a snake_case one, and a CPU type.</summary>
    public const string InstanceTypes = """
        [
          {"memory": "960Gi", "gpuModel": "GH100_H100_SXM5_80GB", "name": "h100-hgx-80gb.8x", "cpu": 96, "gpuCount": 8},
          {"name": "a100-sxm4-80gb.4x", "cpu": 48, "memory": "432GB", "gpu_model": "A100_SXM4_80GB", "gpu_count": 4},
          {"name": "cpu.2x", "cpu": 2, "memory": "8Gi"}
        ]
        """;

    /// <summary>ListCapacity: the spec example plus a sold-out type.</summary>
    public const string Capacity = """
        [
          {"name": "h100-hgx-80gb.8x", "capacity": 1},
          {"name": "a100-sxm4-80gb.4x", "capacity": 0}
        ]
        """;

    /// <summary>The spec's Instance example, with state, ip and id replaceable.</summary>
    public static string Instance(string state = "running", string? ip = "10.0.0.2", string id = InstanceGuid, string name = "instance-1") => $$"""
        {
          "image": "ubuntu22.04",
          "preemptible": false,
          "userData": "STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK",
          "ip": {{(ip is null ? "null" : "\"" + ip + "\"")}},
          "name": "{{name}}",
          "ephemeral": false,
          "id": "{{id}}",
          "state": "{{state}}",
          "type": "h100-hgx-80gb.8x",
          "filesystems": ["123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174001"],
          "tags": {"environment": "production"}
        }
        """;

    /// <summary>A management-API instance (it carries project_id and region).</summary>
    public static string ManagementInstance(string region, string state = "running", string? ip = "10.0.0.2", string id = InstanceGuid,
        string tags = """{"environment": "production"}""") => $$"""
        {
          "id": "{{id}}",
          "name": "instance-1",
          "type": "h100-hgx-80gb.8x",
          "state": "{{state}}",
          "ip": {{(ip is null ? "null" : "\"" + ip + "\"")}},
          "image": "ubuntu22.04",
          "preemptible": false,
          "ephemeral": false,
          "tags": {{tags}},
          "project_id": "123e4567-e89b-12d3-a456-426614174003",
          "region": "{{region}}",
          "health": "healthy",
          "updated_at": "2025-09-04T12:00:00Z"
        }
        """;

    /// <summary>The SSHKey schema example.</summary>
    public const string SchemaKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEaSkijEWFbnjixzWRw3u2spZZaeVeWO5/ymySevCvXh";
    public const string SchemaKeyFingerprint = "SHA256:IDEqg++2X/rlQZ1Blm9yUlb9tZ3Zw53m2deJY8jcEWE";

    public static string Key(string name, string key) => $$"""{"name": "{{name}}", "key": "{{key}}"}""";

    public static string Error(string message) => Newtonsoft.Json.JsonConvert.SerializeObject(new { message });
}
