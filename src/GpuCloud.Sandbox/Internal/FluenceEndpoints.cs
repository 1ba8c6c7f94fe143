using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>The Fluence GPU API (<c>/gpu/...</c>) as specs/fluence.openapi.yaml describes it.</summary>
internal static class FluenceEndpoints
{
    public const string NamePattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
    private const string EnvNamePattern = "^[A-Z][A-Z0-9_]*$";
    private static readonly string[] Protocols = ["tcp", "udp", "http"];
    private static readonly string[] RegistryHosts = ["docker.io", "ghcr.io"];

    /// <summary>
    /// The key as <c>X-API-KEY: key</c> (the spec's scheme) or <c>Authorization: X-API-KEY key</c> (the form Fluence's docs
    /// show); Fluence's own Go client sends both "so either gateway configuration works", so either one is enough here.
    /// </summary>
    internal static bool HasApiKey(HttpRequest request, string key) =>
        string.Equals(request.Headers["X-API-KEY"].ToString(), key, StringComparison.Ordinal)
        || string.Equals(request.Headers.Authorization.ToString(), "X-API-KEY " + key, StringComparison.Ordinal);

    public static void Map(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        var gpu = app.MapGroup("/gpu").AddEndpointFilter(async (context, next) =>
        {
            if (!HasApiKey(context.HttpContext.Request, sandbox.Options.FluenceApiKey))
                return Wire.Json(new FluenceAuthErrorDto("Auth failed. No such API Key"), StatusCodes.Status403Forbidden);
            return await next(context).ConfigureAwait(false);
        });
        MapPlans(gpu, sandbox);
        MapContainers(gpu, sandbox);
        MapMachines(gpu, sandbox, "vms", FluenceKind.Vm);
        MapMachines(gpu, sandbox, "baremetal", FluenceKind.BareMetal);
    }

    /// <summary>Container, VM and bare-metal plans, and the default images.</summary>
    private static void MapPlans(RouteGroupBuilder gpu, SandboxContext sandbox)
    {
        var state = sandbox.State;
        gpu.MapGet("/plans/", () => Wire.Json(state.Catalog.ContainerPlans.Select(ToDto).ToArray()));
        gpu.MapGet("/plans/vms", () => sandbox.Options.ServeMalformedListItem
            ? Wire.Json(WithFractionalOffer(VmPlanList(state.Catalog.VmOptions)))
            : Wire.Json(VmPlanList(state.Catalog.VmOptions)));
        gpu.MapGet("/plans/baremetal", () => Wire.Json(VmPlanList(state.Catalog.BareMetalOptions)));
        gpu.MapGet("/default-images/", () => Wire.Json(state.Catalog.DefaultImages.Select(ToDto).ToArray()));
    }

    /// <summary>Container instances: <c>/gpu/instances/</c>.</summary>
    private static void MapContainers(RouteGroupBuilder gpu, SandboxContext sandbox)
    {
        var state = sandbox.State;
        gpu.MapGet("/instances/", () => Locked(state, () =>
            Wire.Json(state.FluenceInstances.Where(i => i.Kind == FluenceKind.Container).Select(i => ToListDto(i)).ToArray())));
        gpu.MapPost("/instances/", (Func<HttpContext, Task<IResult>>)(http => DeployContainerAsync(http, sandbox)));
        gpu.MapGet("/instances/{instance_id}", (string instance_id) =>
            WithInstance(state, instance_id, FluenceKind.Container, i => Wire.Json(ToContainerDetail(i, state.Now))));
        gpu.MapPut("/instances/{instance_id}", (HttpContext http, string instance_id) => UpdateContainerAsync(http, sandbox, instance_id));
        gpu.MapDelete("/instances/{instance_id}", (string instance_id) =>
            WithInstance(state, instance_id, FluenceKind.Container, i => Terminate(state, i)));
        gpu.MapGet("/instances/{instance_id}/logs", (HttpContext http, string instance_id) =>
            LogLines(http, state, instance_id, events: false));
        gpu.MapGet("/instances/{instance_id}/events", (HttpContext http, string instance_id) =>
            LogLines(http, state, instance_id, events: true));
    }

    /// <summary>VM or bare-metal instances (the same API under <c>/gpu/instances/{segment}</c>).</summary>
    private static void MapMachines(RouteGroupBuilder gpu, SandboxContext sandbox, string segment, FluenceKind kind)
    {
        var state = sandbox.State;
        gpu.MapGet($"/instances/{segment}", () => Locked(state, () =>
            Wire.Json(state.FluenceInstances.Where(i => i.Kind == kind).Select(i => ToVmListDto(i)).ToArray())));
        gpu.MapPost($"/instances/{segment}", (Func<HttpContext, Task<IResult>>)(http => DeployVmAsync(http, sandbox, kind)));
        gpu.MapGet($"/instances/{segment}/{{instance_id}}", (string instance_id) =>
            WithInstance(state, instance_id, kind, i => Wire.Json(ToVmDetail(i, state.Now))));
        gpu.MapPut($"/instances/{segment}/{{instance_id}}", (HttpContext http, string instance_id) => RenameAsync(http, state, instance_id, kind));
        gpu.MapDelete($"/instances/{segment}/{{instance_id}}", (string instance_id) =>
            WithInstance(state, instance_id, kind, i => Terminate(state, i)));
    }

    private static IResult Locked(SandboxState state, Func<IResult> action)
    {
        lock (state.Gate)
        {
            state.Advance();
            return action();
        }
    }

    private static IResult Detail(string message, int status = StatusCodes.Status400BadRequest) =>
        Wire.Json(new FluenceDetailErrorDto(message), status);

    private static IResult WithInstance(SandboxState state, string id, FluenceKind kind, Func<FluenceInstance, IResult> action)
    {
        if (PydanticErrors.CheckUuidPath("instance_id", id) is { } invalid) return invalid;
        lock (state.Gate)
        {
            state.Advance();
            var instance = state.FluenceInstances.FirstOrDefault(i => i.Kind == kind && string.Equals(i.Id, id, StringComparison.OrdinalIgnoreCase));
            return instance is null ? Detail("Instance not found", StatusCodes.Status404NotFound) : action(instance);
        }
    }

    // ------------------------------------------------------------------------------------------- deploy

    private static async Task<IResult> DeployContainerAsync(HttpContext http, SandboxContext sandbox)
    {
        var state = sandbox.State;
        var (node, parseError, empty) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        CountRequest(state, node);
        if (PydanticErrors.CheckBody(node, parseError, empty) is { } bad) return bad;
        var body = (JsonObject)node!;
        var errors = new PydanticErrors();
        object[] root = ["body"];
        var planId = errors.String(body, "plan_id", root, required: true);
        var name = errors.String(body, "name", root, required: true, minLength: 1, maxLength: 25, pattern: NamePattern);
        var sshKey = errors.String(body, "ssh_key", root, required: false, nullable: true);
        var settings = ReadContainerSettings(errors, body, deploy: true, sshKeySupplied: !string.IsNullOrEmpty(sshKey));
        var constraints = errors.Object(body, "constraints", root, required: false, nullable: true);
        string? location = null;
        if (constraints is not null) location = errors.String(constraints, "location", ["body", "constraints"], required: false, nullable: true);
        if (errors.Any) return errors.ToResult();

        lock (state.Gate)
        {
            state.Advance();
            var plan = state.Catalog.FindContainerPlan(planId!);
            if (plan is null) return Detail($"Plan {planId} is not available");
            if (location is not null && !plan.Locations.Contains(location, StringComparer.Ordinal))
                return Detail($"Location {location} is not available for plan {plan.Id}. Available locations: {string.Join(", ", plan.Locations)}");
            var cost = plan.PricePerHour * Catalog.UpfrontHours;
            if (state.FluenceBalance < cost) return Detail("Insufficient balance to deploy instance");

            state.FluenceBalance -= cost;
            var now = state.Now;
            var env = settings!.Environment.ToList();
            if (!string.IsNullOrEmpty(sshKey)) env.Add(("SSH_PUBKEY", sshKey));
            var instance = new FluenceInstance
            {
                Id = state.NewGuid().ToString(),
                Kind = FluenceKind.Container,
                Name = name!,
                PlanId = plan.Id,
                Location = location ?? plan.Locations[0],
                Gpu = plan.Gpu with { Interface = plan.Gpu.Interface.ToLowerInvariant() },
                Vcpu = plan.Vcpu,
                MemoryGi = plan.MemoryGi,
                StorageGi = plan.StorageGi,
                GpuCount = plan.GpuCount,
                PricePerHour = plan.PricePerHour,
                Ordinal = state.NextOrdinal(),
                CreatedAt = now,
                UpdatedAt = now,
                ActiveAt = now + sandbox.Options.ProvisioningDelay,
                WillFail = sandbox.Faults.TakeProvisioningFailure(http.Request.Path, http.Request.Method),
                Image = settings.Image,
                Expose = settings.Expose,
                Environment = env,
                StartupCommand = settings.StartupCommand,
                SshKey = sshKey,
            };
            state.FluenceInstances.Add(instance);
            return Wire.Json(new DeployResponseDto(instance.Id));
        }
    }

    private static async Task<IResult> DeployVmAsync(HttpContext http, SandboxContext sandbox, FluenceKind kind)
    {
        var state = sandbox.State;
        var (node, parseError, empty) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        CountRequest(state, node);
        if (PydanticErrors.CheckBody(node, parseError, empty) is { } bad) return bad;
        var body = (JsonObject)node!;
        var errors = new PydanticErrors();
        object[] root = ["body"];
        var planId = errors.String(body, "plan_id", root, required: true);
        var name = errors.String(body, "name", root, required: true, minLength: 1, maxLength: 25, pattern: NamePattern);
        var sshKey = errors.String(body, "ssh_key", root, required: true, minLength: 1);
        var osImage = errors.String(body, "os_image", root, required: true);
        if (errors.Any) return errors.ToResult();

        lock (state.Gate)
        {
            state.Advance();
            var option = state.Catalog.FindVmOption(planId!, bareMetal: kind == FluenceKind.BareMetal);
            if (option is null) return Detail($"Plan {planId} is not available");
            if (!option.OsOptions.Contains(osImage!, StringComparer.Ordinal))
                return Detail($"Provided OS image {osImage} is not supported for the selected offer. Available OS images: {string.Join(", ", option.OsOptions)}");
            var cost = option.PricePerHour * Catalog.UpfrontHours;
            if (state.FluenceBalance < cost) return Detail("Insufficient balance to deploy instance");

            state.FluenceBalance -= cost;
            var now = state.Now;
            var instance = new FluenceInstance
            {
                Id = state.NewGuid().ToString(),
                Kind = kind,
                Name = name!,
                PlanId = option.Id,
                Location = option.Location,
                Gpu = option.Gpu,
                Vcpu = option.Vcpu,
                MemoryGi = option.MemoryGi,
                StorageGi = option.StorageGi,
                GpuCount = option.GpuCount,
                PricePerHour = option.PricePerHour,
                Ordinal = state.NextOrdinal(),
                CreatedAt = now,
                UpdatedAt = now,
                ActiveAt = now + sandbox.Options.ProvisioningDelay,
                WillFail = sandbox.Faults.TakeProvisioningFailure(http.Request.Path, http.Request.Method),
                SshKey = sshKey,
                OsImage = osImage,
            };
            state.FluenceInstances.Add(instance);
            return Wire.Json(new DeployResponseDto(instance.Id));
        }
    }

    private static void CountRequest(SandboxState state, JsonNode? body)
    {
        if (body is JsonObject obj && Wire.AsString(obj["name"]) is { } name)
        {
            lock (state.Gate) state.CountCreateRequest(SandboxProvider.Fluence, name);
        }
    }

    private sealed record ContainerSettingsInput(
        string Image,
        List<(string Port, string Protocol)> Expose,
        List<(string Name, string Value)> Environment,
        string? StartupCommand);

    private static ContainerSettingsInput? ReadContainerSettings(PydanticErrors errors, JsonObject body, bool deploy, bool sshKeySupplied)
    {
        object[] loc = ["body", "container_settings"];
        var settings = errors.Object(body, "container_settings", ["body"], required: true);
        if (settings is null) return null;

        var image = errors.String(settings, "image", loc, required: true, minLength: 1, maxLength: 255);
        if (image is not null && !string.Equals(image, image.ToLowerInvariant(), StringComparison.Ordinal))
            errors.ValueError([.. loc, "image"], "Image reference must be lowercase", settings["image"]);

        var expose = new List<(string, string)>();
        if (deploy)
        {
            var ports = errors.List(settings, "expose", loc, required: true, minItems: 1, maxItems: 10);
            for (var i = 0; ports is not null && i < ports.Count; i++)
            {
                object[] itemLoc = [.. loc, "expose", i];
                if (ports[i] is not JsonObject port)
                {
                    errors.Add("model_attributes_type", itemLoc, "Input should be a valid dictionary or object to extract fields from", ports[i]);
                    continue;
                }

                var number = errors.String(port, "port", itemLoc, required: true);
                var protocol = errors.Enum(port, "protocol", itemLoc, Protocols, "tcp");
                if (number is null || protocol is null) continue;
                if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
                {
                    errors.ValueError([.. itemLoc, "port"], "Port must be between 1 and 65535", port["port"]);
                    continue;
                }

                if (protocol == "http" && value != 80)
                {
                    errors.ValueError(itemLoc, "Protocol http is only allowed on port 80", port);
                    continue;
                }

                expose.Add((value.ToString(CultureInfo.InvariantCulture), protocol));
            }
        }

        var environment = new List<(string, string)>();
        var variables = errors.List(settings, "environment", loc, required: false, nullable: true, maxItems: 64);
        for (var i = 0; variables is not null && i < variables.Count; i++)
        {
            object[] itemLoc = [.. loc, "environment", i];
            if (variables[i] is not JsonObject variable)
            {
                errors.Add("model_attributes_type", itemLoc, "Input should be a valid dictionary or object to extract fields from", variables[i]);
                continue;
            }

            var name = errors.String(variable, "name", itemLoc, required: true, pattern: EnvNamePattern);
            var value = errors.String(variable, "value", itemLoc, required: true);
            if (name is null || value is null) continue;
            if (name == "SSH_PUBKEY" && sshKeySupplied)
            {
                errors.ValueError([.. itemLoc, "name"], "SSH_PUBKEY is reserved: it carries the ssh_key of the request", variable["name"]);
                continue;
            }

            environment.Add((name, value));
        }

        var startup = errors.String(settings, "startup_command", loc, required: false, nullable: true, maxLength: 2048);
        var credentials = errors.Object(settings, "credentials", loc, required: false, nullable: true);
        if (credentials is not null)
        {
            object[] credLoc = [.. loc, "credentials"];
            errors.Enum(credentials, "host", credLoc, RegistryHosts, defaultValue: null);
            if (!credentials.ContainsKey("host")) errors.Add("missing", [.. credLoc, "host"], "Field required", credentials);
            errors.String(credentials, "username", credLoc, required: true);
            errors.String(credentials, "password", credLoc, required: true);
        }

        return image is null ? null : new ContainerSettingsInput(image, expose, environment, startup);
    }

    // ----------------------------------------------------------------------------------- update, rename

    private static async Task<IResult> UpdateContainerAsync(HttpContext http, SandboxContext sandbox, string id)
    {
        if (PydanticErrors.CheckUuidPath("instance_id", id) is { } invalid) return invalid;
        var state = sandbox.State;
        var (node, parseError, empty) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (PydanticErrors.CheckBody(node, parseError, empty) is { } bad) return bad;
        var body = (JsonObject)node!;
        var errors = new PydanticErrors();
        var name = errors.String(body, "name", ["body"], required: true, minLength: 1, maxLength: 25, pattern: NamePattern);
        var sshKey = errors.String(body, "ssh_key", ["body"], required: false, nullable: true);
        var settings = ReadContainerSettings(errors, body, deploy: false, sshKeySupplied: !string.IsNullOrEmpty(sshKey));
        if (errors.Any) return errors.ToResult();

        return WithInstance(state, id, FluenceKind.Container, i =>
        {
            if (i.Status is FluenceStatus.Ended or FluenceStatus.Failed)
                return Detail($"Instance is {i.Status} and cannot be updated");
            var now = state.Now;
            if (i.UpdateAppliedAt is { } pending && now < pending)
                return Detail("A previous update is still being applied; try again later");
            var env = settings!.Environment.ToList();
            if (!string.IsNullOrEmpty(sshKey)) env.Add(("SSH_PUBKEY", sshKey));
            i.Name = name!;
            i.Image = settings.Image;
            i.Environment = env;
            i.StartupCommand = settings.StartupCommand;
            i.SshKey = sshKey;
            i.UpdatedAt = now;
            i.UpdateAppliedAt = now + sandbox.Options.ProvisioningDelay;
            return Wire.Empty(StatusCodes.Status204NoContent);
        });
    }

    private static async Task<IResult> RenameAsync(HttpContext http, SandboxState state, string id, FluenceKind kind)
    {
        if (PydanticErrors.CheckUuidPath("instance_id", id) is { } invalid) return invalid;
        var (node, parseError, empty) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (PydanticErrors.CheckBody(node, parseError, empty) is { } bad) return bad;
        var errors = new PydanticErrors();
        var name = errors.String((JsonObject)node!, "name", ["body"], required: true, minLength: 1, maxLength: 25, pattern: NamePattern);
        if (errors.Any) return errors.ToResult();
        return WithInstance(state, id, kind, i =>
        {
            i.Name = name!;
            i.UpdatedAt = state.Now;
            return Wire.Empty(StatusCodes.Status204NoContent);
        });
    }

    private static IResult Terminate(SandboxState state, FluenceInstance i)
    {
        if (i.Status != FluenceStatus.Active)
            return Detail($"Only ACTIVE instances can be terminated; this instance is {i.Status}");
        var now = state.Now;
        var spent = i.PricePerHour * SandboxState.BilledHours(i, now);
        i.TotalSpent = spent;
        i.Status = FluenceStatus.Ended;
        i.EndedAt = now;
        state.SshListeners.Close(i.Id);
        i.SshPort = null;
        i.UpdatedAt = now;
        // The upfront hours were taken at deploy: return what was not used (or take what ran beyond them).
        state.FluenceBalance += i.PricePerHour * Catalog.UpfrontHours - spent;
        return Wire.Empty(StatusCodes.Status204NoContent);
    }

    // ------------------------------------------------------------------------------------ logs, events

    private static IResult LogLines(HttpContext http, SandboxState state, string id, bool events)
    {
        if (PydanticErrors.CheckUuidPath("instance_id", id) is { } invalid) return invalid;
        if (!PydanticErrors.TryQueryInt(http.Request, "last", out var last, out var error)) return error!;
        return WithInstance(state, id, FluenceKind.Container, i =>
        {
            var lines = events ? Events(i) : Logs(i);
            if (last is { } n) lines = lines.Skip(Math.Max(0, lines.Count - n)).ToList();
            return Wire.Json(lines);
        });
    }

    private static string Pod(FluenceInstance i) => $"service-1-{i.Id.Replace("-", "", StringComparison.Ordinal)[..9]}-{i.Id[^5..]}";

    private static List<string> Events(FluenceInstance i)
    {
        var pod = Pod(i);
        var node = 1 + i.Ordinal % 4;
        var lines = new List<string>
        {
            $"[{pod}]: [Normal] [Scheduled] Successfully assigned pod to node{node}",
            $"[{pod}]: [Normal] [Pulling] Pulling image \"{i.Image}\"",
        };
        if (i.Status == FluenceStatus.Failed)
        {
            lines.Add($"[{pod}]: [Warning] [Failed] Error: ImagePullBackOff");
            return lines;
        }

        if (i.ActivatedAt is null) return lines;
        lines.Add($"[{pod}]: [Normal] [Pulled] Container image \"{i.Image}\" already present on machine");
        lines.Add($"[{pod}]: [Normal] [Created] Created container: service-1");
        lines.Add($"[{pod}]: [Normal] [Started] Started container service-1");
        if (i.Status == FluenceStatus.Ended) lines.Add($"[{pod}]: [Normal] [Killing] Stopping container service-1");
        return lines;
    }

    private static List<string> Logs(FluenceInstance i)
    {
        var pod = Pod(i);
        if (i.ActivatedAt is null) return new List<string>();
        var lines = new List<string>();
        if (i.Expose.Any(p => p.Port == "22"))
        {
            lines.Add($"[{pod}] Server listening on 0.0.0.0 port 22.");
            lines.Add($"[{pod}] Server listening on :: port 22.");
        }

        if (i.StartupCommand is { } command) lines.Add($"[{pod}] + {command}");
        lines.Add($"[{pod}] Container service-1 started from {i.Image}");
        return lines;
    }

    // ---------------------------------------------------------------------------------------- mapping

    private static GpuModelDto ToDto(GpuModelInfo g) => new(g.Vendor, g.Model, g.Vram, g.Interface);

    private static PricingDto Pricing(decimal hour) => new(hour, Catalog.UpfrontHours, "USDC");

    private static PlanSupplyDto Supply(int vcpu, int memory, int storage, int gpus) =>
        new(new ResourceCountDto(vcpu), new ResourceQuantityDto(memory, "Gi"), new ResourceQuantityDto(storage, "Gi"), gpus);

    private static ContainerPlanItemDto ToDto(ContainerPlan p) =>
        new(new ContainerPlanDto(p.Id, p.Name, Supply(p.Vcpu, p.MemoryGi, p.StorageGi, p.GpuCount), ToDto(p.Gpu), Pricing(p.PricePerHour)),
            new PlanAttributesDto(p.Locations));

    private static DefaultImageDto ToDto(DefaultImage d) =>
        new(d.Slug, d.Name, d.Description, d.Image,
            d.Expose.Select(e => new ExposedPortDto(e.Port, e.Protocol)).ToArray(),
            d.Environment.Select(e => new EnvironmentVariableDto(e.Name, e.Value)).ToArray(),
            d.StartupCommand, d.RequiresSsh);

    /// <summary>The fixed id of the odd offer <see cref="SandboxOptions.ServeMalformedListItem"/> adds.</summary>
    public const string OddOfferId = "0dd0ffe2-0000-4000-8000-000000000001";

    /// <summary>
    /// The list plus one offer whose memory count is 1.5: the docs type counts as integers, but offers come from many
    /// suppliers, and one odd value must cost that offer only.
    /// </summary>
    private static JsonNode WithFractionalOffer(VmPlanListDto list)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(list, Wire.Options)!;
        var options = (JsonArray)node["data"]![0]!["availability_by_number"]![0]!["options"]!;
        var odd = options[0]!.DeepClone();
        odd["id"] = OddOfferId;
        odd["memory"]!["count"] = 1.5;
        options.Insert(1, odd);
        return node;
    }

    private static VmPlanListDto VmPlanList(IReadOnlyList<VmOption> options)
    {
        var groups = options
            .GroupBy(o => o.Gpu)
            .Select(g =>
            {
                var byCount = g.GroupBy(o => o.GpuCount).OrderBy(c => c.Key).Select(c =>
                {
                    var list = c.OrderBy(o => o.PricePerHour).ToList();
                    return new AvailabilityByNumberDto(
                        c.Key,
                        list.Min(o => o.PricePerHour),
                        list.Count,
                        list.Select(o => o.Provider).Distinct().Count(),
                        list.Select(o => o.Location).Distinct().Count(),
                        list.Select(o => o.Location).Distinct().Order(StringComparer.Ordinal).ToArray(),
                        list.Select(o => o.Provider).Distinct().Order(StringComparer.Ordinal).ToArray(),
                        list.Select(o => new VmPlanOptionDto(
                            o.Id, o.Location, o.Provider, new ResourceCountDto(o.Vcpu), new ResourceQuantityDto(o.MemoryGi, "Gi"),
                            new ResourceQuantityDto(o.StorageGi, "Gi"), o.DeploymentType, Pricing(o.PricePerHour), o.NvLink, o.OsOptions)).ToArray());
                }).ToArray();
                return new VmPlanGroupDto(ToDto(g.Key), byCount.Min(c => c.MinimumPrice), byCount);
            })
            .OrderBy(g => g.MinimumPrice)
            .ToArray();
        return new VmPlanListDto(groups);
    }

    private static InstanceResourcesDto Resources(FluenceInstance i) =>
        new(Supply(i.Vcpu, i.MemoryGi, i.StorageGi, i.GpuCount), ToDto(i.Gpu));

    private static string? Domain(FluenceInstance i) => i.Status == FluenceStatus.Active ? i.SshHost : null;

    private static ContainerInstanceDto ToListDto(FluenceInstance i) =>
        new(i.Id, i.Name, i.Status, Resources(i), Domain(i), i.Location, Wire.Timestamp(i.CreatedAt), Wire.Timestamp(i.UpdatedAt));

    private static VmInstanceDto ToVmListDto(FluenceInstance i) =>
        new(i.Id, i.Name, i.Status, Resources(i), Domain(i), i.Location, Wire.Timestamp(i.CreatedAt), Wire.Timestamp(i.UpdatedAt));

    private static BillingDto Billing(FluenceInstance i, DateTimeOffset now)
    {
        switch (i.Status)
        {
            case FluenceStatus.Active:
                var hours = SandboxState.BilledHours(i, now);
                var reserved = hours < Catalog.UpfrontHours ? i.PricePerHour * (Catalog.UpfrontHours - hours) : i.PricePerHour * 2;
                var nextHour = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, now.UtcDateTime.Day, now.UtcDateTime.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
                return new BillingDto(i.PricePerHour, i.PricePerHour * hours, reserved, Wire.Timestamp(nextHour));
            case FluenceStatus.Initialized:
                return new BillingDto(0, 0, i.PricePerHour * Catalog.UpfrontHours, null);
            case FluenceStatus.Ended:
                return new BillingDto(0, i.TotalSpent, 0, null);
            default:
                return new BillingDto(0, 0, 0, null);
        }
    }

    private static ContainerInstanceDetailDto ToContainerDetail(FluenceInstance i, DateTimeOffset now)
    {
        NetworkDto? network = null;
        if (i.Status == FluenceStatus.Active)
        {
            var ports = new List<ForwardedPortDto>();
            string? uri = null;
            for (var index = 0; index < i.Expose.Count; index++)
            {
                var (port, protocol) = i.Expose[index];
                if (protocol == "http")
                {
                    uri = $"http://{i.Id[..8]}.{i.Address}";
                    continue;
                }

                var external = port == "22" && protocol == "tcp" && i.SshPort is { } ssh ? ssh.ToString(System.Globalization.CultureInfo.InvariantCulture) : i.ExternalPort(index);
                ports.Add(new ForwardedPortDto(port, external, protocol));
            }

            network = new NetworkDto(i.SshHost, ports, uri);
        }

        var info = new ContainerInfoDto(
            i.Image ?? "",
            i.Expose.Select(e => new ExposedPortDto(e.Port, e.Protocol)).ToArray(),
            i.Environment.Select(e => new EnvironmentVariableDto(e.Name, e.Value)).ToArray(),
            i.StartupCommand);
        return new ContainerInstanceDetailDto(
            i.Id, i.Name, i.Status, i.Status == FluenceStatus.Active ? "STARTED" : "NOT_STARTED", Resources(i), i.Location,
            info, Billing(i, now), network, Wire.Timestamp(i.CreatedAt), Wire.Timestamp(i.UpdatedAt));
    }

    private static VmInstanceDetailDto ToVmDetail(FluenceInstance i, DateTimeOffset now)
    {
        var active = i.Status == FluenceStatus.Active;
        return new VmInstanceDetailDto(
            i.Id, i.Name, i.Status, i.Kind == FluenceKind.Vm ? "vm" : "baremetal", Resources(i), i.Location, i.OsImage ?? "",
            active ? (i.SshPort is { } port ? $"ssh -p {port} ubuntu@{i.SshHost}" : $"ssh ubuntu@{i.Address}") : null,
            Billing(i, now),
            active ? new NetworkDto(i.SshHost, Array.Empty<ForwardedPortDto>(), null) : null,
            i.SshKey ?? "",
            Wire.Timestamp(i.CreatedAt), Wire.Timestamp(i.UpdatedAt));
    }
}
