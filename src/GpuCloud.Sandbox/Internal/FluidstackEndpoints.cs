using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GpuCloud.Sandbox.Internal;

/// <summary>
/// Fluidstack: the global Management API at <c>/fluidstack/api/v1alpha1</c> and each region's Infrastructure API at
/// <c>/fluidstack/regions/{region}/api/v1alpha1</c> (the region's <c>url</c> + <c>/api/v1alpha1</c>).
/// Errors are <c>{"message": "..."}</c>.
/// </summary>
internal static class FluidstackEndpoints
{
    public const string ManagementPrefix = "/fluidstack/api/v1alpha1";
    public const string RegionPrefix = "/fluidstack/regions/{region}/api/v1alpha1";
    private const string DefaultImage = "image://ubuntu22.04";
    private const string OrganizationId = "org_sandbox";
    private const string MemberId = "user_sandbox";
    private static readonly Regex TagKey = new("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant);
    private static readonly string[] Roles = ["admin", "editor", "viewer"];

    private static readonly string[] Capabilities =
    [
        "instances:list", "instances:create", "instances:delete", "instances:read", "instances:update", "instances:start",
        "instances:stop", "filesystems:list", "filesystems:create", "filesystems:delete", "filesystems:read", "projects:list",
        "projects:create", "projects:delete", "projects:read",
    ];

    public static IResult Message(int status, string message) => Wire.Json(new FsErrorDto(message), status);

    public static void Map(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        MapManagement(app, sandbox);
        MapInfrastructure(app, sandbox);
    }

    /// <summary>The global Management API: the organization, every region's instances, the user's SSH keys.</summary>
    private static void MapManagement(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        var api = app.MapGroup(ManagementPrefix).AddEndpointFilter(async (context, next) =>
            FluidstackAuth.Check(context.HttpContext, sandbox) ?? await next(context).ConfigureAwait(false));
        MapOrganization(api, sandbox);
        MapInvitations(api, sandbox.State);
        MapManagementInstances(api, sandbox.State);
        MapUserKeys(api, sandbox.State);
    }

    /// <summary>Regions, clusters, the one organization and its one member.</summary>
    private static void MapOrganization(RouteGroupBuilder api, SandboxContext sandbox)
    {
        var state = sandbox.State;
        api.MapGet("/regions", () => Wire.Json(state.Catalog.Regions.Select(r => new FsRegionDto(r.Name, sandbox.RegionUrl(r.Name))).ToArray()));
        api.MapGet("/clusters", () => Wire.Json(Array.Empty<object>()));
        api.MapGet("/organizations", () => Wire.Json(new[] { new FsOrganizationDto(OrganizationId, "sandbox", "GpuCloud Sandbox") }));
        api.MapGet("/members", () => Wire.Json(new[] { new FsMemberDto(MemberId, "Sandbox User", "sandbox@example.invalid", "admin") }));
        api.MapMethods("/members/{id}", ["PATCH"], async (HttpContext http, string id) =>
        {
            var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
            if (error is not null || node is not JsonObject body) return Message(400, "invalid request body");
            if (Wire.AsString(body["role"]) is not { } role || !Roles.Contains(role)) return Message(400, "role must be one of admin, editor, viewer");
            if (id != MemberId) return Message(404, "member not found");
            return Wire.Empty(StatusCodes.Status200OK);
        });
        api.MapDelete("/members/{id}", (string id) =>
            id == MemberId ? Message(400, "cannot remove the last admin of the organization") : Message(404, "member not found"));
    }

    private static void MapInvitations(RouteGroupBuilder api, SandboxState state)
    {
        api.MapGet("/invitations", () =>
        {
            lock (state.Gate) return Wire.Json(state.Invitations.Select(i => new FsInvitationDto(i.Id, i.Email, i.Role)).ToArray());
        });
        api.MapPost("/invitations", async (HttpContext http) =>
        {
            var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
            if (error is not null || node is not JsonObject body || Wire.AsString(body["email"]) is not { Length: > 0 } email)
                return Message(400, "email is required");
            var role = Wire.AsString(body["role"]) ?? "viewer";
            lock (state.Gate) state.Invitations.Add(new FsInvitation { Id = "inv_" + state.NewGuid().ToString("N")[..12], Email = email, Role = role });
            return Wire.Empty(StatusCodes.Status201Created);
        });
        api.MapDelete("/invitations/{id}", (string id) =>
        {
            lock (state.Gate)
                return state.Invitations.RemoveAll(i => i.Id == id) > 0 ? Wire.Empty(204) : Message(404, "invitation not found");
        });
    }

    /// <summary>Every region's instances in one list, optionally of one project.</summary>
    private static void MapManagementInstances(RouteGroupBuilder api, SandboxState state)
    {
        api.MapGet("/instances", (HttpContext http) =>
        {
            Guid? project = null;
            var raw = http.Request.Headers["X-PROJECT-ID"].ToString();
            if (raw.Length > 0)
            {
                if (!Guid.TryParse(raw, out var parsed)) return Message(400, "X-PROJECT-ID must be a UUID");
                project = parsed;
            }

            lock (state.Gate)
            {
                state.Advance();
                return Wire.Json(state.FsInstances.Where(i => project is null || i.ProjectId == project).Select(ToManagementDto).ToArray());
            }
        });
        api.MapGet("/instances/{id}", (string id) =>
        {
            if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid instance id");
            lock (state.Gate)
            {
                state.Advance();
                var instance = state.FsInstances.FirstOrDefault(i => i.Id == guid);
                return instance is null ? Message(404, "instance not found") : Wire.Json(ToManagementDto(instance));
            }
        });
    }

    private static void MapUserKeys(RouteGroupBuilder api, SandboxState state)
    {
        api.MapGet("/user/keys", () =>
        {
            lock (state.Gate) return Wire.Json(state.UserKeys.Select(k => new FsSshKeyDto(k.Name, k.Key)).ToArray());
        });
        api.MapPost("/user/keys", async (HttpContext http) =>
        {
            var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
            if (error is not null || node is not JsonObject body) return Message(400, "invalid request body");
            if (Wire.AsString(body["name"]) is not { Length: > 0 } name) return Message(400, "name is required");
            if (Wire.AsString(body["key"]) is not { Length: > 0 } key) return Message(400, "key is required");
            if (!FluenceSshKeyEndpoints.TryParsePublicKey(key, out _, out _, out var normalized))
                return Message(400, "key is not a valid OpenSSH public key");
            lock (state.Gate)
            {
                if (state.UserKeys.Any(k => k.Name == name)) return Message(409, $"a key named \"{name}\" already exists");
                state.UserKeys.Add((name, normalized));
            }

            return Wire.Empty(StatusCodes.Status200OK);
        });
        api.MapDelete("/user/keys/{name}", (string name) =>
        {
            lock (state.Gate)
                return state.UserKeys.RemoveAll(k => k.Name == name) > 0 ? Wire.Empty(204) : Message(404, $"key \"{name}\" not found");
        });
    }

    private static FsManagementInstanceDto ToManagementDto(FsInstance i) =>
        new(i.Id, i.Name, i.Type, i.State, i.Ip, ImageName(i.Image), i.Preemptible, i.Ephemeral, i.Tags, i.ProjectId.ToString(), i.Region,
            i.State switch
            {
                FsState.Running => "healthy",
                FsState.Stopped => "offline",
                FsState.Error or FsState.OutOfStock => "attention",
                _ => "stale",
            },
            Wire.FsTimestamp(i.UpdatedAt));

    /// <summary>A region's Infrastructure API: only regions of the catalog answer; most calls need a project of that region.</summary>
    private static void MapInfrastructure(IEndpointRouteBuilder app, SandboxContext sandbox)
    {
        var api = app.MapGroup(RegionPrefix).AddEndpointFilter(async (context, next) =>
        {
            if (FluidstackAuth.Check(context.HttpContext, sandbox) is { } unauthorized) return unauthorized;
            var region = context.HttpContext.GetRouteValue("region") as string;
            if (region is null || sandbox.State.Catalog.FindRegion(region) is null) return Message(404, $"region \"{region}\" not found");
            return await next(context).ConfigureAwait(false);
        });
        MapProjects(api, sandbox);
        MapInstanceTypes(api, sandbox);
        MapInstances(api, sandbox);
        MapFilesystems(api, sandbox.State);
        MapClusters(api, sandbox.State);
    }

    /// <summary><c>/projects</c> is regional: a region lists only its own projects.</summary>
    private static void MapProjects(RouteGroupBuilder api, SandboxContext sandbox)
    {
        var state = sandbox.State;
        api.MapGet("/projects", (string region) =>
        {
            lock (state.Gate) return Wire.Json(state.Projects.Where(p => p.IsIn(region)).Select(ToDto).ToArray());
        });
        api.MapPost("/projects", async (HttpContext http) =>
        {
            var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
            if (error is not null || node is not JsonObject body) return Message(400, "invalid request body");
            if (Wire.AsString(body["name"]) is not { Length: > 0 } name) return Message(400, "name is required");
            if (ReadTags(body, out var tags) is { } bad) return bad;
            lock (state.Gate)
            {
                var project = new FsProject { Id = state.NewGuid(), Name = name, Tags = tags, Region = sandbox.Options.FluidstackRegionalProjects ? http.GetRouteValue("region") as string : null };
                state.Projects.Add(project);
                return Wire.Json(ToDto(project), StatusCodes.Status201Created);
            }
        });
        api.MapGet("/projects/{id}", (string id) =>
        {
            if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid project id");
            lock (state.Gate)
            {
                var project = state.Projects.FirstOrDefault(p => p.Id == guid);
                return project is null ? Message(404, "project not found") : Wire.Json(ToDto(project));
            }
        });
        api.MapDelete("/projects/{id}", (string id) =>
        {
            if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid project id");
            lock (state.Gate)
            {
                state.Advance();
                var project = state.Projects.FirstOrDefault(p => p.Id == guid);
                if (project is null) return Message(404, "project not found");
                if (state.FsInstances.Any(i => i.ProjectId == guid)) return Message(403, "project still has instances");
                state.Projects.Remove(project);
                return Wire.Empty(StatusCodes.Status204NoContent);
            }
        });
    }

    /// <summary>Instance types, their capacity, and the capabilities list.</summary>
    private static void MapInstanceTypes(RouteGroupBuilder api, SandboxContext sandbox)
    {
        var state = sandbox.State;
        api.MapGet("/instance-types", (string region) =>
        {
            var r = state.Catalog.FindRegion(region)!;
            var types = r.SnakeCaseGpuFields
                ? r.InstanceTypes.Select(t => (object)new FsInstanceTypeSnakeDto(t.Name, t.Cpu, t.Memory, t.GpuModel, t.GpuCount)).ToList()
                : r.InstanceTypes.Select(t => (object)new FsInstanceTypeCamelDto(t.Name, t.Cpu, t.Memory, t.GpuModel, t.GpuCount)).ToList();
            // One type whose cpu is not an integer: the odd item a list must survive.
            if (sandbox.Options.ServeMalformedListItem)
                types.Insert(1, new JsonObject { ["name"] = "odd-cpu.1x", ["cpu"] = 1.5, ["memory"] = "8Gi" });
            return Wire.Json(types.ToArray());
        });
        api.MapGet("/capacity", (HttpContext http, string region) =>
        {
            if (RequireProject(http, state, out _) is { } bad) return bad;
            lock (state.Gate)
            {
                state.Advance();
                var r = state.Catalog.FindRegion(region)!;
                return Wire.Json(r.InstanceTypes.Select(t => new FsCapacityDto(t.Name, state.Capacity[(region, t.Name)])).ToArray());
            }
        });
        api.MapGet("/capabilities", () => Wire.Json(Capabilities));
    }

    private static void MapInstances(RouteGroupBuilder api, SandboxContext sandbox)
    {
        var state = sandbox.State;
        api.MapGet("/instances", (HttpContext http, string region) =>
        {
            if (RequireProject(http, state, out var project) is { } bad) return bad;
            lock (state.Gate)
            {
                state.Advance();
                return Wire.Json(state.FsInstances.Where(i => i.Region == region && i.ProjectId == project).Select(i => ToDto(i, sandbox.Options.FluidstackUserData)).ToArray());
            }
        });
        api.MapPost("/instances", (HttpContext http, string region) => CreateInstanceAsync(http, sandbox, region));
        api.MapGet("/instances/{id}", (HttpContext http, string region, string id) =>
            WithInstance(http, state, region, id, i => Wire.Json(ToDto(i, sandbox.Options.FluidstackUserData))));
        api.MapDelete("/instances/{id}", (HttpContext http, string region, string id) =>
            WithInstance(http, state, region, id, i =>
            {
                if (i.State != FsState.Deleting)
                {
                    i.State = FsState.Deleting;
                    i.UpdatedAt = state.Now;
                    i.NextState = "gone";
                    i.DueAt = state.Now + sandbox.Options.DeletionDelay;
                }

                return Wire.Empty(StatusCodes.Status204NoContent);
            }));
        api.MapPost("/instances/{id}/actions/stop", (HttpContext http, string region, string id) =>
            WithInstance(http, state, region, id, i => Transition(state, sandbox.Options, i, FsState.Running, FsState.Stopping, FsState.Stopped, "stop")));
        api.MapPost("/instances/{id}/actions/start", (HttpContext http, string region, string id) =>
            WithInstance(http, state, region, id, i => Transition(state, sandbox.Options, i, FsState.Stopped, FsState.Starting, FsState.Running, "start")));
    }

    private static void MapFilesystems(RouteGroupBuilder api, SandboxState state)
    {
        api.MapGet("/filesystems", (HttpContext http, string region) =>
        {
            if (RequireProject(http, state, out var project) is { } bad) return bad;
            lock (state.Gate)
                return Wire.Json(state.Filesystems.Where(f => f.Region == region && f.ProjectId == project).Select(ToDto).ToArray());
        });
        api.MapPost("/filesystems", async (HttpContext http, string region) =>
        {
            if (RequireProject(http, state, out var project) is { } bad) return bad;
            var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
            if (error is not null || node is not JsonObject body) return Message(400, "invalid request body");
            if (Wire.AsString(body["name"]) is not { Length: > 0 } name) return Message(400, "name is required");
            if (Wire.AsString(body["size"]) is not { Length: > 0 } size || !Regex.IsMatch(size, "^[0-9]+(Gi|Ti|G|T|GB|TB)$"))
                return Message(400, "size is required, e.g. 512Gi");
            lock (state.Gate)
            {
                var fs = new FsFilesystem { Id = state.NewGuid(), Region = region, ProjectId = project, Name = name, Size = size };
                state.Filesystems.Add(fs);
                return Wire.Json(ToDto(fs), StatusCodes.Status201Created);
            }
        });
        api.MapGet("/filesystems/{id}", (HttpContext http, string region, string id) =>
        {
            if (RequireProject(http, state, out var project) is { } bad) return bad;
            if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid filesystem id");
            lock (state.Gate)
            {
                var fs = state.Filesystems.FirstOrDefault(f => f.Id == guid && f.Region == region && f.ProjectId == project);
                return fs is null ? Message(404, "filesystem not found") : Wire.Json(ToDto(fs));
            }
        });
        api.MapDelete("/filesystems/{id}", (HttpContext http, string region, string id) =>
        {
            if (RequireProject(http, state, out var project) is { } bad) return bad;
            if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid filesystem id");
            lock (state.Gate)
            {
                state.Advance();
                var fs = state.Filesystems.FirstOrDefault(f => f.Id == guid && f.Region == region && f.ProjectId == project);
                if (fs is null) return Message(404, "filesystem not found");
                if (state.FsInstances.Any(i => i.Filesystems.Contains(guid))) return Message(403, "filesystem is attached to an instance");
                state.Filesystems.Remove(fs);
                return Wire.Empty(StatusCodes.Status204NoContent);
            }
        });
    }

    /// <summary>Kubernetes and Slurm clusters: minimal (an empty list; anything else is not found or not implemented).</summary>
    private static void MapClusters(RouteGroupBuilder api, SandboxState state)
    {
        foreach (var kind in new[] { "kubernetes", "slurm" })
        {
            api.MapGet($"/{kind}/clusters", (HttpContext http) => RequireProject(http, state, out _) ?? Wire.Json(Array.Empty<object>()));
            api.MapPost($"/{kind}/clusters", (HttpContext http) =>
                RequireProject(http, state, out _) ?? Message(501, $"{kind} clusters are not implemented by the sandbox"));
            api.MapMethods($"/{kind}/clusters/{{id}}", ["GET", "DELETE"], (HttpContext http) =>
                RequireProject(http, state, out _) ?? Message(404, "cluster not found"));
            api.MapMethods($"/{kind}/clusters/{{cluster_id}}/node-pools", ["GET", "POST"], (HttpContext http) =>
                RequireProject(http, state, out _) ?? Message(404, "cluster not found"));
            api.MapMethods($"/{kind}/clusters/{{cluster_id}}/node-pools/{{node_pool_id}}", ["GET", "DELETE"], (HttpContext http) =>
                RequireProject(http, state, out _) ?? Message(404, "cluster not found"));
        }

        api.MapGet("/kubernetes/clusters/{cluster_id}/credentials", (HttpContext http) =>
            RequireProject(http, state, out _) ?? Message(404, "cluster not found"));
    }

    private static IResult Transition(SandboxState state, SandboxOptions options, FsInstance i, string from, string via, string to, string action)
    {
        if (i.State != from)
            return Message(StatusCodes.Status409Conflict, $"instance state conflict: cannot {action} an instance that is {i.State}");
        var now = state.Now;
        i.State = via;
        i.UpdatedAt = now;
        i.NextState = to;
        i.DueAt = now + options.StartStopDelay;
        return Wire.Empty(StatusCodes.Status202Accepted);
    }

    private static IResult? RequireProject(HttpContext http, SandboxState state, out Guid project)
    {
        var region = http.GetRouteValue("region") as string;
        project = Guid.Empty;
        var raw = http.Request.Headers["X-PROJECT-ID"].ToString();
        if (raw.Length == 0) return Message(400, "missing required header X-PROJECT-ID");
        if (!Guid.TryParse(raw, out project)) return Message(400, "X-PROJECT-ID must be a UUID");
        var id = project;
        lock (state.Gate)
        {
            // A project of another region is refused like an unknown one: the regional API does not know it.
            if (!state.Projects.Any(p => p.Id == id && (region is null || p.IsIn(region))))
                return Message(403, $"forbidden: project {id} does not exist or is not accessible");
        }

        return null;
    }

    private static IResult WithInstance(HttpContext http, SandboxState state, string region, string id, Func<FsInstance, IResult> action)
    {
        if (RequireProject(http, state, out var project) is { } bad) return bad;
        if (!Guid.TryParse(id, out var guid)) return Message(400, "invalid instance id");
        lock (state.Gate)
        {
            state.Advance();
            var instance = state.FsInstances.FirstOrDefault(i => i.Id == guid && i.Region == region && i.ProjectId == project);
            return instance is null ? Message(404, "instance not found") : action(instance);
        }
    }

    private static async Task<IResult> CreateInstanceAsync(HttpContext http, SandboxContext sandbox, string region)
    {
        var state = sandbox.State;
        if (RequireProject(http, state, out var project) is { } bad) return bad;
        var (node, error, _) = await Wire.ReadJsonAsync(http.Request).ConfigureAwait(false);
        if (error is not null || node is not JsonObject body) return Message(400, "invalid request body: expected a JSON object");
        if (Wire.AsString(body["name"]) is { } counted)
        {
            lock (state.Gate) state.CountCreateRequest(SandboxProvider.Fluidstack, counted);
        }

        if (ReadCreateRequest(body, state.Catalog.FindRegion(region)!, out var request) is { } refused) return refused;

        lock (state.Gate)
        {
            state.Advance();
            foreach (var fsId in request.Filesystems)
            {
                if (!state.Filesystems.Any(f => f.Id == fsId && f.Region == region && f.ProjectId == project))
                    return Message(404, $"filesystem {fsId} not found");
            }

            var now = state.Now;
            var instance = new FsInstance
            {
                Id = state.NewGuid(),
                Region = region,
                ProjectId = project,
                Name = request.Name,
                Type = request.Type,
                Image = request.Image,
                Preemptible = request.Preemptible,
                Ephemeral = request.Ephemeral,
                UserData = request.UserData,
                Filesystems = request.Filesystems,
                Tags = request.Tags,
                Ordinal = state.NextOrdinal(),
                CreatedAt = now,
                UpdatedAt = now,
                DueAt = now + sandbox.Options.ProvisioningDelay,
            };

            TakeCapacity(state, instance, fails: sandbox.Faults.TakeProvisioningFailure(http.Request.Path, http.Request.Method));
            state.FsInstances.Add(instance);
            return Wire.Json(ToDto(instance, sandbox.Options.FluidstackUserData), StatusCodes.Status201Created);
        }
    }

    private sealed record CreateRequest(
        string Name, string Type, string Image, bool Preemptible, bool Ephemeral, string? UserData, List<Guid> Filesystems, Dictionary<string, string> Tags);

    /// <summary>The create body's checks, in the order the API reports them; null when the body is acceptable.</summary>
    private static IResult? ReadCreateRequest(JsonObject body, FluidstackRegion region, out CreateRequest request)
    {
        request = null!;
        var name = Wire.AsString(body["name"]);
        if (string.IsNullOrWhiteSpace(name)) return Message(400, "name is required");
        if (Wire.AsString(body["type"]) is not { Length: > 0 } type) return Message(400, "type is required");
        if (region.InstanceTypes.All(t => t.Name != type))
            return Message(400, $"instance type \"{type}\" is not available in region {region.Name}");

        var image = DefaultImage;
        if (body["image"] is { } imageNode)
        {
            if (Wire.AsString(imageNode) is not { Length: > 0 } text) return Message(400, "image must be a string");
            image = text;
        }

        if (!TryReadBool(body, "preemptible", out var preemptible)) return Message(400, "preemptible must be a boolean");
        if (!TryReadBool(body, "ephemeral", out var ephemeral)) return Message(400, "ephemeral must be a boolean");

        string? userData = null;
        if (body["userData"] is { } userDataNode)
        {
            userData = Wire.AsString(userDataNode);
            if (userData is null || !IsBase64(userData)) return Message(400, "userData must be base64-encoded cloud-init data");
        }

        var filesystems = new List<Guid>();
        if (body["filesystems"] is { } fsNode)
        {
            if (fsNode is not JsonArray fsArray) return Message(400, "filesystems must be an array of UUIDs");
            foreach (var item in fsArray)
            {
                if (Wire.AsString(item) is not { } text || !Guid.TryParse(text, out var fsId)) return Message(400, "filesystems must be an array of UUIDs");
                filesystems.Add(fsId);
            }
        }

        if (ReadTags(body, out var tags) is { } badTags) return badTags;
        request = new CreateRequest(name, type, image, preemptible, ephemeral, userData, filesystems, tags);
        return null;
    }

    /// <summary>An instance with capacity left runs (or fails, if a fault says so); without, it ends out of stock.</summary>
    private static void TakeCapacity(SandboxState state, FsInstance instance, bool fails)
    {
        if (state.Capacity[(instance.Region, instance.Type)] > 0)
        {
            state.Capacity[(instance.Region, instance.Type)]--;
            instance.HoldsCapacity = true;
            instance.NextState = fails ? FsState.Error : FsState.Running;
        }
        else
        {
            instance.NextState = FsState.OutOfStock;
        }
    }

    private static IResult? ReadTags(JsonObject body, out Dictionary<string, string> tags)
    {
        tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["tags"] is not { } node) return null;
        if (node is not JsonObject obj) return Message(400, "tags must be an object of strings");
        foreach (var (key, value) in obj)
        {
            if (!TagKey.IsMatch(key))
                return Message(400, $"invalid tag key \"{key}\": 1-63 characters, alphanumeric at both ends, '-', '_' and '.' inside");
            if (Wire.AsString(value) is not { } text) return Message(400, $"tag \"{key}\" must have a string value");
            tags[key] = text;
        }

        return null;
    }

    private static bool TryReadBool(JsonObject body, string key, out bool value)
    {
        value = false;
        if (body[key] is not { } node) return true;
        if (Wire.AsBool(node) is not { } parsed) return false;
        value = parsed;
        return true;
    }

    private static bool IsBase64(string text)
    {
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        var buffer = new byte[compact.Length];
        return Convert.TryFromBase64String(compact, buffer, out _);
    }

    /// <summary>The examples send <c>image://ubuntu22.04</c> and read back <c>ubuntu22.04</c>.</summary>
    private static string ImageName(string image) =>
        image.StartsWith("image://", StringComparison.Ordinal) ? image["image://".Length..] : image;

    private static FsInstanceDto ToDto(FsInstance i, UserDataEcho echo) =>
        new(i.Id, i.Name, i.Type, i.Ip, i.State, ImageName(i.Image), i.Preemptible, i.Ephemeral, EchoUserData(i.UserData, echo), i.Filesystems, i.Tags);

    /// <summary>userData as the spec says (base64), or in one of the other shapes Fluidstack's examples show.</summary>
    private static string? EchoUserData(string? base64, UserDataEcho echo)
    {
        if (base64 is null) return null;
        return echo switch
        {
            UserDataEcho.Base64WithNewline => base64 + "\n",
            UserDataEcho.RawText => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)),
            UserDataEcho.Null => null,
            _ => base64,
        };
    }

    private static FsProjectDto ToDto(FsProject p) => new(p.Id, p.Name, "active", p.Tags);

    private static FsFilesystemDto ToDto(FsFilesystem f) => new(f.Id, f.Name, f.Size);
}
