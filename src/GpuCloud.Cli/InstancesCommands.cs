using System.CommandLine;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary><c>gpucloud instances list|get|create|delete|start|stop|wait</c>.</summary>
internal static class InstancesCommands
{
    public static Command Create(CliIo io)
    {
        var command = new Command("instances", "List, inspect, create, delete, start, stop and wait for instances.");
        command.Subcommands.Add(List(io));
        command.Subcommands.Add(Get(io));
        command.Subcommands.Add(CreateInstance(io));
        command.Subcommands.Add(Simple(io, "delete", "Delete (terminate) an instance: shows it and asks first (--yes skips the question); one already gone counts as deleted.",
            (c, p, id, ct) => c.DeleteInstanceAsync(p, id, ct), "deleted", confirm: true));
        command.Subcommands.Add(Simple(io, "start", "Start a stopped instance (Fluidstack).", (c, p, id, ct) => c.StartInstanceAsync(p, id, ct), "starting"));
        command.Subcommands.Add(Simple(io, "stop", "Stop a running instance (Fluidstack).", (c, p, id, ct) => c.StopInstanceAsync(p, id, ct), "stopping"));
        command.Subcommands.Add(Wait(io));
        command.Subcommands.Add(SweepCommand.Create(io));
        return command;
    }

    private static Argument<string> ProviderArgument() => new("provider") { Description = "fluence or fluidstack." };

    private static Argument<string> IdArgument() => new("id") { Description = "The instance id as listed, or a unique prefix of it (e.g. the short id the table shows)." };

    private static Command List(CliIo io)
    {
        var provider = new Option<string?>("--provider") { Description = "Only this provider." };
        var mine = new Option<bool>("--mine")
        {
            Description = "Only instances you created through GpuCloud (Owner is you, user@host; with a shared --journal, every machine's creates are known).",
        };
        var command = new Command("list", "List instances, with who created each through GpuCloud (Owner).") { provider, mine };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            // Provider by provider, so one that fails is listed as a failure beside the others' instances, not the whole answer.
            if (parse.GetValue(provider) is { } named) RequireConfigured(session, named, "--provider");
            var targets = parse.GetValue(provider) is { } only ? [only] : session.Client.Providers.Select(p => p.Name).ToArray();
            var answers = await Task.WhenAll(targets.Select(async name =>
            {
                try
                {
                    return (Name: name, Instances: await session.Client.ListInstancesAsync(name, ct).ConfigureAwait(false), Error: (GpuCloudException?)null);
                }
                catch (GpuCloudException ex) when (targets.Length > 1 && !(ex.Code == GpuCloudErrorCode.InvalidRequest && ex.StatusCode is null))
                {
                    return (Name: name, Instances: (IReadOnlyList<GpuInstance>)[], Error: ex);
                }
            })).ConfigureAwait(false);
            var instances = answers.SelectMany(a => a.Instances).Where(i => !parse.GetValue(mine) || i.CreatedBy == session.Owner).ToArray();
            var failures = answers.Where(a => a.Error is not null).ToArray();
            var allFailed = failures.Length == answers.Length;
            if (CliApp.Json(parse))
            {
                // An array when nothing failed, as before; with failures, the array and what could not be listed.
                if (failures.Length == 0) CliJson.Write(io.Out, instances);
                else CliJson.Write(io.Out, new { instances, failures = failures.Select(f => new { provider = f.Name, code = f.Error!.Code, message = CliApp.Message(f.Error) }) });
            }
            else
            {
                var console = Render.Console(io);
                var listed = answers.Where(a => a.Error is null).Select(a => a.Name).ToArray();
                if (instances.Length > 0)
                {
                    var now = DateTimeOffset.UtcNow;
                    Render.Instances(console, instances, CliApp.IsWide(parse), now: now);
                    foreach (var total in instances.Where(i => i.CostSoFarAt(now) is not null).GroupBy(i => i.Currency))
                        console.WriteLine($"Cost so far: {Render.Price(total.Sum(i => i.CostSoFarAt(now)), total.Key)} for {total.Count()} priced instance(s), "
                                          + $"{total.Count(i => i.CreatedByGpuCloud == true)} created by GpuCloud.");
                }
                else if (listed.Length > 0) console.WriteLine($"No instances{(parse.GetValue(mine) ? $" created by {session.Owner}" : "")} on {string.Join(", ", listed)}.");
                foreach (var f in failures)
                    console.WriteLine($"not listed: {f.Name}: {f.Error!.Code}: {CliApp.Message(f.Error)}");
            }
            return allFailed ? ExitCodes.ProviderError : ExitCodes.Success;
        }));
        return command;
    }

    private static Command Get(CliIo io)
    {
        var provider = ProviderArgument();
        var id = IdArgument();
        var command = new Command("get", "Show one instance.") { provider, id };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            RequireConfigured(session, p, "provider");
            var instanceId = await IdResolver.InstanceAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            var instance = await session.Client.GetInstanceAsync(p, instanceId, ct).ConfigureAwait(false);
            Write(io, parse, [instance]);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateInstance(CliIo io)
    {
        var options = new CreateOptions();
        var command = new Command("create", "Create an instance from a plan (shows the plan and its price and asks first on a terminal; --yes skips the question).");
        options.AddTo(command);
        command.SetAction(CliApp.Handle(io, (session, parse, ct) => new InstanceCreation(io, session, parse, options).ExecuteAsync(ct)));
        return command;
    }

    private sealed class CreateOptions
    {
        public Option<string> Provider { get; } = new("--provider") { Description = "The plan's provider.", Required = true };
        public Option<string> Plan { get; } = new("--plan") { Description = "The plan id as listed by 'gpucloud plans', or a unique prefix of it (the short id shown).", Required = true };
        public Option<string?> Name { get; } = OptionRules.InstanceName();
        public Option<string[]> SshKey { get; } = new("--ssh-key") { Description = "A public key file; repeatable; default ~/.ssh/id_ed25519.pub when it exists." };
        public Option<string?> OsImage { get; } = OptionRules.Image(new Option<string?>("--os-image") { Description = "OS image (VMs and bare metal); default the plan's first." }, container: false);
        public Option<string?> Image { get; } = OptionRules.Image(new Option<string?>("--image") { Description = $"Container image (Fluence container plans); default {CliDefaults.ContainerImage}." }, container: true);
        public Option<int[]> Port { get; } = OptionRules.Ports(new Option<int[]>("--port") { Description = "Container port to expose over TCP; repeatable (default 22)." });
        public Option<string[]> Env { get; } = OptionRules.Pairs(new Option<string[]>("--env") { Description = "Container environment variable NAME=VALUE; repeatable." }, environment: true);
        public Option<string?> Location { get; } = OptionRules.Identifier(new Option<string?>("--location") { Description = "Where to run it, when the plan offers a choice (also picks a plan offered in several regions)." });
        public Option<string[]> Tag { get; } = OptionRules.Pairs(new Option<string[]>("--tag") { Description = "Tag KEY=VALUE (Fluidstack); repeatable." }, environment: false);
        public Option<string?> Wait { get; } = OptionRules.YesNo("--wait", "Wait until it is running and reachable");
        public Option<TimeSpan?> MaxDuration { get; } = Durations.MaxDuration();
        public Option<bool> Yes { get; } = Confirmation.YesOption();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Provider, Plan, Name, SshKey, OsImage, Image, Port, Env, Location, Tag, Wait, MaxDuration, Yes })
                command.Options.Add(option);
        }
    }

    /// <summary>One create: the request (checked before anything is sent), confirmation, the create itself, keep.</summary>
    private sealed class InstanceCreation(CliIo io, CliSession session, ParseResult parse, CreateOptions options)
    {
        private readonly List<(string, string)> _defaults = [];

        public async Task<int> ExecuteAsync(CancellationToken ct)
        {
            var provider = parse.GetValue(options.Provider)!;
            RequireConfigured(session, provider, "--provider");
            var request = await RequestAsync(provider, ct).ConfigureAwait(false);
            CliDefaults.Describe(CliApp.Json(parse) ? io.Error : io.Out, _defaults);
            if (!await ConfirmAsync(request, ct).ConfigureAwait(false))
            {
                io.Error.WriteLine("nothing created.");
                return ExitCodes.ProviderError;
            }
            var created = await CreateAsync(request, ct).ConfigureAwait(false);
            await session.KeepAsync(created, io.Error, ct).ConfigureAwait(false);
            Write(io, parse, [created]);
            io.Error.WriteLine(CleanupNotice.Kept(created, request.MaxDuration));
            return ExitCodes.Success;
        }

        /// <summary>
        /// Everything the user typed is checked (and the key files read) before the plans are listed: a usage error
        /// sends nothing. The defaults taken are noted for <see cref="CliDefaults.Describe"/>.
        /// </summary>
        private async Task<CreateInstanceRequest> RequestAsync(string provider, CancellationToken ct)
        {
            var instanceName = parse.GetValue(options.Name);
            if (instanceName is null) _defaults.Add(("--name", instanceName = CliDefaults.InstanceName()));
            var keys = ReadKeys();
            var tags = Pairs(parse.GetValue(options.Tag), "--tag");
            var environment = Pairs(parse.GetValue(options.Env), "--env");

            var (planId, found) = await IdResolver.PlanAsync(session.Client, provider, parse.GetValue(options.Plan)!, parse.GetValue(options.Location), ct).ConfigureAwait(false);
            // The same default image as 'run' for a container plan: a person should not need to know one to get started.
            var containerImage = parse.GetValue(options.Image);
            if (containerImage is null && found?.Workload == WorkloadType.Container)
                _defaults.Add(("--image", containerImage = CliDefaults.ContainerImage));
            // As the help says and as 'run' does: a VM or bare-metal plan boots its first image unless one is named.
            var os = parse.GetValue(options.OsImage);
            if (os is null && found is { Workload: not WorkloadType.Container, OsImages: [var first, ..] })
                _defaults.Add(("--os-image", os = first));

            return new CreateInstanceRequest
            {
                Plan = found, // its price goes into the journal, for the sweep's cost so far
                Provider = provider,
                PlanId = planId,
                Name = instanceName,
                SshPublicKeys = keys,
                OsImage = os,
                Location = parse.GetValue(options.Location),
                Tags = tags,
                MaxDuration = parse.GetValue(options.MaxDuration),
                Container = containerImage is null ? null : new ContainerSettings
                {
                    Image = containerImage,
                    Ports = parse.GetValue(options.Port) is { Length: > 0 } ports ? ports.Select(p => new ContainerPort(p)).ToArray() : [new ContainerPort(22)],
                    Environment = environment,
                },
            };
        }

        private string[] ReadKeys()
        {
            var keyFiles = parse.GetValue(options.SshKey) ?? [];
            if (keyFiles.Length == 0 && File.Exists(KeyFiles.DefaultPath(io)))
            {
                keyFiles = [KeyFiles.DefaultPath(io)];
                _defaults.Add(("--ssh-key", "~/.ssh/id_ed25519.pub"));
            }
            return keyFiles.Select(f => KeyFiles.Read(io, f)).ToArray();
        }

        private Task<bool> ConfirmAsync(CreateInstanceRequest request, CancellationToken ct)
        {
            var plan = request.Plan;
            var summary = new[]
            {
                $"create: '{request.Name}' on {request.Provider} at "
                + (plan?.PricePerHour is { } price ? $"{Render.Price(price, plan.Currency)}/h" : "a price not reported"),
                $"        plan {plan?.Name ?? request.PlanId} ({Render.Gpu(plan?.Gpu)})",
                "after:  kept; " + (request.MaxDuration is { } limit
                    ? $"expires after {Durations.Text(limit)}"
                    : "no expiry (set one with --max-duration)"),
            };
            return Confirmation.AskAsync(io, parse, options.Yes, session, summary, "Create it?", ct);
        }

        /// <summary>Creates (and with --wait, waits); interrupted, what it created goes, as with 'run'.</summary>
        private async Task<GpuInstance> CreateAsync(CreateInstanceRequest request, CancellationToken ct)
        {
            GpuInstance? created = null;
            using var view = ProgressView.For(io, parse, InstanceState.Running, $"{request.Name}: creating");
            using var notice = CleanupNotice.Register(ct, io, session, view, () => created is { } c ? CleanupNotice.Describe(c) : $"the instance named '{request.Name}' that the create may have made");
            try
            {
                created = await session.Client.CreateInstanceAsync(request, ct).ConfigureAwait(false);
                if (OptionRules.Value(parse, options.Wait) == true)
                    created = await Waiting.UntilAsync(io, parse, session.Client, created, InstanceState.Running, TimeSpan.FromMinutes(15), ct, view).ConfigureAwait(false);
                return created;
            }
            catch (OperationCanceledException ex) when (ct.IsCancellationRequested)
            {
                // A cancelled create request is the library's to clean up; an instance the provider answered with is ours.
                view.Dispose();
                if (created is null) CleanupNotice.Result(view.Writer, ex, null, sent: true);
                else await CleanupNotice.DeleteAsync(session, created, view.Writer).ConfigureAwait(false);
                if (io.Interrupts is { } interrupts) interrupts.AtRisk = null;
                throw;
            }
        }
    }

    private static Command Simple(CliIo io, string name, string description, Func<GpuCloudClient, string, string, CancellationToken, Task> action, string done,
        bool confirm = false)
    {
        var provider = ProviderArgument();
        var id = IdArgument();
        var yes = Confirmation.YesOption();
        var command = new Command(name, description) { provider, id };
        if (confirm) command.Options.Add(yes);
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            RequireConfigured(session, p, "provider");
            if (confirm) Confirmation.RequireAnswerable(io, parse, yes, session, $"{name}s an instance");
            // Only what the listing names exactly once (or a full id, which the provider judges): never a guess.
            var i = await IdResolver.InstanceAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (confirm && !await Confirmation.AskAsync(io, parse, yes, session, await SummaryAsync(session, p, i, ct).ConfigureAwait(false),
                    $"{char.ToUpperInvariant(name[0])}{name[1..]} it?", ct).ConfigureAwait(false))
            {
                io.Error.WriteLine($"not {done}.");
                return ExitCodes.ProviderError;
            }
            await action(session.Client, p, i, ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, new { provider = p, id = i, result = done });
            else io.Out.WriteLine($"{p} {i}: {done}");
            return ExitCodes.Success;
        }));
        return command;
    }

    // The instance a question is about, by full id and name; an id the provider no longer knows is asked about as it is.
    private static async Task<string[]> SummaryAsync(CliSession session, string provider, string id, CancellationToken ct)
    {
        try
        {
            var i = await session.Client.GetInstanceAsync(provider, id, ct).ConfigureAwait(false);
            return [$"instance {i.Id} '{i.Name}' on {provider}: {i.State} ({i.ProviderState}), {Render.Gpu(i.Gpu)}, "
                    + (i.PricePerHour is { } price ? $"{Render.Price(price, i.Currency)}/h" : "price not reported")];
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
            return [$"instance {id} on {provider} (not found: it may be gone already)"];
        }
    }

    private static Command Wait(CliIo io)
    {
        var provider = ProviderArgument();
        var id = IdArgument();
        var state = new Option<InstanceState>("--state") { Description = "The state to wait for (Running means running and reachable).", DefaultValueFactory = _ => InstanceState.Running };
        CliApp.NamesOnly(state);
        var timeout = Durations.Option("--timeout", "How long to wait; default 15m", TimeSpan.FromDays(7));
        var command = new Command("wait", "Wait until an instance reaches a state.") { provider, id, state, timeout };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            RequireConfigured(session, p, "provider");
            var instanceId = await IdResolver.InstanceAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            var target = parse.GetValue(state);
            var limit = parse.GetValue(timeout) ?? TimeSpan.FromMinutes(15);
            GpuInstance? current = null;
            try
            {
                current = await session.Client.GetInstanceAsync(p, instanceId, ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound && target == InstanceState.Terminated)
            {
                // Gone already is what "terminated" waits for (a provider answers 404 once an instance is deleted).
            }
            var reached = current is null
                ? await session.Client.WaitForStateAsync(p, instanceId, target, limit, progress: null, ct).ConfigureAwait(false) // says so in the usual shape, and records it
                : await Waiting.UntilAsync(io, parse, session.Client, current, target, limit, ct).ConfigureAwait(false);
            Write(io, parse, [reached]);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static void Write(CliIo io, ParseResult parse, IReadOnlyList<GpuInstance> instances)
    {
        if (CliApp.Json(parse))
        {
            if (instances.Count == 1 && parse.CommandResult.Command.Name != "list") CliJson.Write(io.Out, instances[0]);
            else CliJson.Write(io.Out, instances);
            return;
        }
        var console = Render.Console(io);
        Render.Instances(console, instances, CliApp.IsWide(parse));
        // A narrow table leaves the SSH column out: the one instance shown gets its command on a line of its own.
        if (instances is [{ Ssh: { } ssh }]) console.WriteLine($"Connect with: {ssh.Command}");
    }

    /// <summary>A provider this session has: a usage error naming <paramref name="option"/> otherwise, before any request.</summary>
    internal static void RequireConfigured(CliSession session, string provider, string option)
    {
        if (session.Client.Providers.Any(p => string.Equals(p.Name, provider, StringComparison.OrdinalIgnoreCase))) return;
        var why = session.Client.DisabledProviders.TryGetValue(provider, out var reason) ? $" It is disabled: {reason}." : "";
        throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
            $"{option}: no provider named '{OptionRules.Printable(provider)}' is configured (configured: {string.Join(", ", session.Client.Providers.Select(p => p.Name))}).{why}");
    }

    internal static IReadOnlyDictionary<string, string> Pairs(string[]? values, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values ?? [])
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"{option} takes KEY=VALUE, not '{v}'.");
            result[v[..eq]] = v[(eq + 1)..];
        }
        return result;
    }
}
