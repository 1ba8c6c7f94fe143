using System.Text.Json.Serialization;

// Wire shapes. Every property name is the spec's exact field name; nulls are written unless marked otherwise,
// because the specs show nullable fields (domain, network, ssh_connection, ip, userData, ...) as explicit nulls.
namespace GpuCloud.Sandbox.Internal;

// ------------------------------------------------------------------------------------------------- Fluence
internal sealed record ResourceCountDto([property: JsonPropertyName("count")] int Count);

internal sealed record ResourceQuantityDto(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("units")] string Units);

internal sealed record PlanSupplyDto(
    [property: JsonPropertyName("vcpu")] ResourceCountDto Vcpu,
    [property: JsonPropertyName("memory")] ResourceQuantityDto Memory,
    [property: JsonPropertyName("storage")] ResourceQuantityDto Storage,
    [property: JsonPropertyName("gpu_count")] int GpuCount);

internal sealed record GpuModelDto(
    [property: JsonPropertyName("vendor")] string Vendor,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("vram")] string Vram,
    [property: JsonPropertyName("interface")] string Interface);

internal sealed record PricingDto(
    [property: JsonPropertyName("hour")] decimal Hour,
    [property: JsonPropertyName("upfront_hours")] int UpfrontHours,
    [property: JsonPropertyName("currency")] string Currency);

internal sealed record ContainerPlanDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("supply")] PlanSupplyDto Supply,
    [property: JsonPropertyName("gpu_model")] GpuModelDto GpuModel,
    [property: JsonPropertyName("pricing")] PricingDto Pricing);

internal sealed record PlanAttributesDto([property: JsonPropertyName("location")] IReadOnlyList<string> Location);

internal sealed record ContainerPlanItemDto(
    [property: JsonPropertyName("plan")] ContainerPlanDto Plan,
    [property: JsonPropertyName("attributes")] PlanAttributesDto Attributes);

internal sealed record VmPlanOptionDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("vcpu")] ResourceCountDto Vcpu,
    [property: JsonPropertyName("memory")] ResourceQuantityDto Memory,
    [property: JsonPropertyName("storage")] ResourceQuantityDto Storage,
    [property: JsonPropertyName("deployment_type")] string DeploymentType,
    [property: JsonPropertyName("pricing")] PricingDto Pricing,
    [property: JsonPropertyName("nvlink")] bool NvLink,
    [property: JsonPropertyName("os_options")] IReadOnlyList<string> OsOptions);

internal sealed record AvailabilityByNumberDto(
    [property: JsonPropertyName("gpu_count")] int GpuCount,
    [property: JsonPropertyName("minimum_price")] decimal MinimumPrice,
    [property: JsonPropertyName("options_available_total")] int OptionsAvailableTotal,
    [property: JsonPropertyName("providers_available_total")] int ProvidersAvailableTotal,
    [property: JsonPropertyName("data_center_available_total")] int DataCenterAvailableTotal,
    [property: JsonPropertyName("locations")] IReadOnlyList<string> Locations,
    [property: JsonPropertyName("providers")] IReadOnlyList<string> Providers,
    [property: JsonPropertyName("options")] IReadOnlyList<VmPlanOptionDto> Options);

internal sealed record VmPlanGroupDto(
    [property: JsonPropertyName("gpu_model")] GpuModelDto GpuModel,
    [property: JsonPropertyName("minimum_price")] decimal MinimumPrice,
    [property: JsonPropertyName("availability_by_number")] IReadOnlyList<AvailabilityByNumberDto> AvailabilityByNumber);

internal sealed record VmPlanListDto([property: JsonPropertyName("data")] IReadOnlyList<VmPlanGroupDto> Data);

internal sealed record ExposedPortDto(
    [property: JsonPropertyName("port")] string Port,
    [property: JsonPropertyName("protocol")] string Protocol);

internal sealed record EnvironmentVariableDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

internal sealed record DefaultImageDto(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("expose")] IReadOnlyList<ExposedPortDto> Expose,
    [property: JsonPropertyName("environment")] IReadOnlyList<EnvironmentVariableDto> Environment,
    [property: JsonPropertyName("startup_command")] string? StartupCommand,
    [property: JsonPropertyName("requires_ssh")] bool? RequiresSsh);

internal sealed record InstanceResourcesDto(
    [property: JsonPropertyName("supply")] PlanSupplyDto Supply,
    [property: JsonPropertyName("gpu_model")] GpuModelDto GpuModel);

/// <summary><c>container_info</c>: a ContainerSettings without credentials, as in the documented examples.</summary>
internal sealed record ContainerInfoDto(
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("expose")] IReadOnlyList<ExposedPortDto> Expose,
    [property: JsonPropertyName("environment")] IReadOnlyList<EnvironmentVariableDto> Environment,
    [property: JsonPropertyName("startup_command")] string? StartupCommand);

internal sealed record BillingDto(
    [property: JsonPropertyName("hourly_usage")] decimal HourlyUsage,
    [property: JsonPropertyName("total_spendings")] decimal TotalSpendings,
    [property: JsonPropertyName("reserved_amount")] decimal ReservedAmount,
    [property: JsonPropertyName("next_billing_period")] string? NextBillingPeriod);

internal sealed record ForwardedPortDto(
    [property: JsonPropertyName("port")] string Port,
    [property: JsonPropertyName("external_port")] string ExternalPort,
    [property: JsonPropertyName("protocol")] string Protocol);

internal sealed record NetworkDto(
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("forwarded_ports")] IReadOnlyList<ForwardedPortDto> ForwardedPorts,
    [property: JsonPropertyName("uri")] string? Uri);

internal sealed record ContainerInstanceDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("instance_status")] string InstanceStatus,
    [property: JsonPropertyName("resources")] InstanceResourcesDto Resources,
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

internal sealed record ContainerInstanceDetailDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("instance_status")] string InstanceStatus,
    [property: JsonPropertyName("container_status")] string ContainerStatus,
    [property: JsonPropertyName("resources")] InstanceResourcesDto Resources,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("container_info")] ContainerInfoDto ContainerInfo,
    [property: JsonPropertyName("billing")] BillingDto Billing,
    [property: JsonPropertyName("network")] NetworkDto? Network,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

internal sealed record VmInstanceDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("resources")] InstanceResourcesDto Resources,
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

internal sealed record VmInstanceDetailDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("availability")] string Availability,
    [property: JsonPropertyName("resources")] InstanceResourcesDto Resources,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("os_image")] string OsImage,
    [property: JsonPropertyName("ssh_connection")] string? SshConnection,
    [property: JsonPropertyName("billing")] BillingDto Billing,
    [property: JsonPropertyName("network")] NetworkDto? Network,
    [property: JsonPropertyName("ssh_key")] string SshKey,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

internal sealed record DeployResponseDto([property: JsonPropertyName("instance_id")] string InstanceId);

internal sealed record UserSshKeyDto(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("userId")] Guid UserId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("publicKey")] string PublicKey,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("fingerprint")] string Fingerprint);

internal sealed record PaginationInfoDto(
    [property: JsonPropertyName("totalRecords")] long TotalRecords,
    [property: JsonPropertyName("filteredRecords")] long FilteredRecords,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("currentPage")] long CurrentPage,
    [property: JsonPropertyName("perPage")] long PerPage);

internal sealed record SshKeyPageDto(
    [property: JsonPropertyName("items")] IReadOnlyList<UserSshKeyDto> Items,
    [property: JsonPropertyName("pagination")] PaginationInfoDto Pagination);

internal sealed record FluenceDetailErrorDto([property: JsonPropertyName("detail")] object Detail);

internal sealed record FluenceAuthErrorDto([property: JsonPropertyName("error")] string Error);

internal sealed record FluenceApiErrorDto(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("error")] string Error);

// ---------------------------------------------------------------------------------------------- Fluidstack
internal sealed record FsErrorDto([property: JsonPropertyName("message")] string Message);

internal sealed record FsRegionDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url);

internal sealed record FsSshKeyDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("key")] string Key);

internal sealed record FsOrganizationDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("display_name")] string DisplayName);

internal sealed record FsMemberDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("role")] string Role);

internal sealed record FsInvitationDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("role")] string Role);

/// <summary>The management API's Instance (adds project_id, region, health, updated_at; has no userData/filesystems).</summary>
internal sealed record FsManagementInstanceDto(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("ip")] string? Ip,
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("preemptible")] bool Preemptible,
    [property: JsonPropertyName("ephemeral")] bool Ephemeral,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags,
    [property: JsonPropertyName("project_id")] string ProjectId,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("health")] string Health,
    [property: JsonPropertyName("updated_at")] string UpdatedAt);

/// <summary>The regional Infrastructure API's Instance.</summary>
internal sealed record FsInstanceDto(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("ip")] string? Ip,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("preemptible")] bool Preemptible,
    [property: JsonPropertyName("ephemeral")] bool Ephemeral,
    [property: JsonPropertyName("userData")] string? UserData,
    [property: JsonPropertyName("filesystems")] IReadOnlyList<Guid> Filesystems,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags);

/// <summary>InstanceType as the published spec spells it (gpuModel, gpuCount).</summary>
internal sealed record FsInstanceTypeCamelDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("cpu")] int Cpu,
    [property: JsonPropertyName("memory")] string Memory,
    [property: JsonPropertyName("gpuModel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GpuModel,
    [property: JsonPropertyName("gpuCount"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? GpuCount);

/// <summary>InstanceType as the June 2025 Atlas API spells it (gpu_model, gpu_count).</summary>
internal sealed record FsInstanceTypeSnakeDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("cpu")] int Cpu,
    [property: JsonPropertyName("memory")] string Memory,
    [property: JsonPropertyName("gpu_model"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GpuModel,
    [property: JsonPropertyName("gpu_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? GpuCount);

internal sealed record FsCapacityDto(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("capacity")] int Capacity);

internal sealed record FsProjectDto(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags);

internal sealed record FsFilesystemDto(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("size")] string Size);

internal sealed record OAuthTokenDto(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn);

internal sealed record OAuthErrorDto(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);
