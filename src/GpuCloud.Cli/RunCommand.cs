using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary>
/// <c>gpucloud run</c>, the main job: search both providers, register the SSH key, create the cheapest matching
/// plan that has capacity (failing over to the next), wait until it is reachable, show how to connect, and release it.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliIo io)
    {
        var options = new RunOptions();
        var command = new Command("run", "Find the cheapest matching GPU on any provider, rent it, wait for it, show how to connect, release it.");
        options.AddTo(command);
        command.SetAction(CliApp.Handle(io, (session, parse, ct) => new Run(io, session, parse, options).ExecuteAsync(ct)));
        return command;
    }

    private sealed class RunOptions
    {
        public PlansCommand.Filters Filters { get; } = new();
        public Option<string?> SshKey { get; } = new("--ssh-key") { Description = "The public key file; default ~/.ssh/id_ed25519.pub." };
        public Option<string?> Name { get; } = OptionRules.InstanceName();
        public Option<string> Image { get; } = OptionRules.Image(new Option<string>("--image") { Description = "Container image for container plans.", DefaultValueFactory = _ => CliDefaults.ContainerImage }, container: true);
        public Option<string?> OsImage { get; } = OptionRules.Image(new Option<string?>("--os-image") { Description = "OS image for VMs and bare metal; default the plan's first." }, container: false);
        public Option<string?> Release { get; } = OptionRules.YesNo("--release", "Delete the instance at the end (default: yes in the sandbox, no otherwise)");
        public Option<int> MaxAttempts { get; } = OptionRules.Between(new Option<int>("--max-attempts") { Description = "Plans to try at most (1-100).", DefaultValueFactory = _ => 5 }, 1, 100);
        public Option<TimeSpan?> MaxDuration { get; } = Durations.MaxDuration();
        public Option<bool> Yes { get; } = Confirmation.YesOption();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { SshKey, Name, Image, OsImage, Release, MaxAttempts, MaxDuration, Yes }) command.Options.Add(option);
            Filters.AddTo(command);
        }
    }

    /// <summary>One run: plans, confirmation, SSH key, deploy, connect, release or keep.</summary>
    private sealed class Run(CliIo io, CliSession session, ParseResult parse, RunOptions options)
    {
        private readonly bool _json = CliApp.Json(parse);
        private readonly IAnsiConsole _console = Render.Console(io);

        /// <summary>Progress and notes: stderr under --json, so stdout holds only the JSON.</summary>
        private TextWriter Notes => _json ? io.Error : io.Out;

        private bool Released => OptionRules.Value(parse, options.Release) ?? session.IsSandbox;

        public async Task<int> ExecuteAsync(CancellationToken ct)
        {
            var query = options.Filters.Query(parse, session);
            var key = ReadKey(io, session, parse.GetValue(options.SshKey), Notes);
            var template = Template(key);
            DescribeDefaults(template.Name);

            var found = await session.Client.ListPlansAsync(query, ct).ConfigureAwait(false);
            ShowPlans(query, found);
            if (!await ConfirmAsync(found, ct).ConfigureAwait(false))
            {
                io.Error.WriteLine("nothing rented.");
                return ExitCodes.ProviderError;
            }
            await RegisterKeyAsync(key, found, ct).ConfigureAwait(false);
            return await DeployAsync(query, template, ct).ConfigureAwait(false);
        }

        private CreateInstanceRequest Template(string key) => new()
        {
            Name = parse.GetValue(options.Name) ?? CliDefaults.InstanceName(),
            SshPublicKeys = [key],
            OsImage = parse.GetValue(options.OsImage),
            Container = new ContainerSettings { Image = parse.GetValue(options.Image)! },
            MaxDuration = parse.GetValue(options.MaxDuration),
        };

        private void DescribeDefaults(string instanceName)
        {
            var defaults = new List<(string, string)>();
            if (parse.GetValue(options.Name) is null) defaults.Add(("--name", instanceName));
            if (parse.GetResult(options.Image) is null or { Implicit: true }) defaults.Add(("--image", CliDefaults.ContainerImage + " (container plans)"));
            if (OptionRules.Value(parse, options.Release) is null) defaults.Add(("--release", session.IsSandbox ? "yes (sandbox)" : "no"));
            CliDefaults.Describe(Notes, defaults);
        }

        private void ShowPlans(PlanQuery query, PlanSearchResult found)
        {
            if (_json) return;
            _console.MarkupLine("[bold]1. Plans[/] cheapest first");
            if (found.Plans.Count == 0) _console.WriteLine($"No plans match on {PlansCommand.Searched(session, query, found)}.");
            else
            {
                Render.Plans(_console, found.Plans.Take(5).ToArray(), CliApp.IsWide(parse), found.Plans);
                _console.WriteLine($"{found.Plans.Count} matching plans across {session.Client.Providers.Count} providers.");
                if (!CliApp.IsWide(parse)) _console.WriteLine(Render.PlanLegend);
            }
            PlansCommand.WriteFailures(_console, found.Failures);
        }

        /// <summary>Asks before renting the cheapest plan that may have capacity; nothing to ask when none matches (the deploy says so).</summary>
        private Task<bool> ConfirmAsync(PlanSearchResult found, CancellationToken ct)
        {
            if (found.Plans.FirstOrDefault(p => p.Availability != PlanAvailability.Unavailable) is not { } cheapest) return Task.FromResult(true);
            // Short lines: each fits 80 columns.
            var summary = new[]
            {
                $"rent:  {Render.Gpu(cheapest.Gpu)} on {cheapest.Provider} at "
                + (cheapest.PricePerHour is { } price ? $"{Render.Price(price, cheapest.Currency)}/h" : "a price not reported"),
                $"       plan {cheapest.Name}, the cheapest of {found.Plans.Count}",
                $"       (the next is tried when one has no capacity, {parse.GetValue(options.MaxAttempts)} at most)",
                Released ? "after: released (deleted) when this command ends"
                : "after: kept (--release no); " + (parse.GetValue(options.MaxDuration) is { } limit
                    ? $"expires after {Durations.Text(limit)}"
                    : "no expiry (set one with --max-duration)"),
            };
            return Confirmation.AskAsync(io, parse, options.Yes, session, summary, "Rent it?", ct);
        }

        private async Task RegisterKeyAsync(string key, PlanSearchResult found, CancellationToken ct)
        {
            var keyName = "gpucloud-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
            var providers = found.Plans.Select(p => p.Provider).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (!_json) _console.MarkupLine("[bold]2. SSH key[/]");
            foreach (var provider in providers)
            {
                var registered = await session.Client.AddSshKeyAsync(keyName, key, provider, ct).ConfigureAwait(false);
                // The fingerprint once, then a short line per provider: one line each at 80 columns.
                if (provider == providers[0]) Notes.WriteLine($"key {registered[0].Fingerprint}");
                Notes.WriteLine($"  registered on {provider} as '{registered[0].Name}'.");
            }
        }

        /// <summary>
        /// Creates the cheapest plan with capacity and finishes with it. Interrupted, it releases an instance that was
        /// ready, or says what the create may have left (the notice names it while the cleanup runs).
        /// </summary>
        private async Task<int> DeployAsync(PlanQuery query, CreateInstanceRequest template, CancellationToken ct)
        {
            if (!_json) _console.MarkupLine("[bold]3. Deploy[/] cheapest first, next plan on no capacity");
            GpuInstance? instance = null;
            var view = ProgressView.For(io, parse, InstanceState.Running, $"{template.Name}: creating an instance of the cheapest plan");
            var sent = false;
            using var notice = CleanupNotice.Register(ct, io, session, view, () =>
                instance is { } ready ? CleanupNotice.Describe(ready)
                : view.Last is { } last ? CleanupNotice.Describe(last)
                : sent ? $"the instance named '{template.Name}' that the create may have made" : null);
            try
            {
                sent = true;
                instance = await session.Client.CreateCheapestAsync(query, template, parse.GetValue(options.MaxAttempts), view, ct).ConfigureAwait(false);
                view.Dispose();
                ShowConnect(instance);
                await ReleaseOrKeepAsync(instance, template.MaxDuration, ct).ConfigureAwait(false);
                if (_json) CliJson.Write(io.Out, new { instance, released = Released });
                return ExitCodes.Success;
            }
            catch (OperationCanceledException ex) when (ct.IsCancellationRequested)
            {
                view.Dispose();
                var result = view.Writer;
                if (instance is not null)
                {
                    // Stopped after the instance was ready: release it rather than leave a paid machine behind.
                    await ReleaseAsync(session, instance, result, CancellationToken.None).ConfigureAwait(false);
                }
                else CleanupNotice.Result(result, ex, view.Last, sent);
                if (io.Interrupts is { } interrupts) interrupts.AtRisk = null;
                throw;
            }
            finally
            {
                view.Dispose();
            }
        }

        private void ShowConnect(GpuInstance instance)
        {
            if (_json)
            {
                Notes.WriteLine($"ready: {instance.Provider} {instance.Id} ({instance.Ssh?.Command})");
                return;
            }
            _console.MarkupLine("[bold]4. Connect[/]");
            Render.Instances(_console, [instance], CliApp.IsWide(parse));
            if (instance.Reachability is { Banner: { } banner }) _console.WriteLine($"SSH answered: {banner}");
            else if (instance.Reachability is { NotProbedReason: { } reason }) _console.WriteLine($"SSH not checked: {reason}.");
            _console.WriteLine($"Connect with: {instance.Ssh?.Command}");
        }

        private async Task ReleaseOrKeepAsync(GpuInstance instance, TimeSpan? maxDuration, CancellationToken ct)
        {
            if (Released)
            {
                await ReleaseAsync(session, instance, Notes, ct).ConfigureAwait(false);
                return;
            }
            await session.KeepAsync(instance, Notes, ct).ConfigureAwait(false);
            Notes.WriteLine(CleanupNotice.Kept(instance, maxDuration));
        }
    }

    private static async Task ReleaseAsync(CliSession session, GpuInstance instance, TextWriter notes, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(TimeSpan.FromMinutes(5));
        await session.Client.DeleteInstanceAsync(instance.Provider, instance.Id, bounded.Token).ConfigureAwait(false);
        var gone = await session.Client.WaitForStateAsync(instance.Provider, instance.Id, InstanceState.Terminated, TimeSpan.FromMinutes(5), null, bounded.Token)
            .ConfigureAwait(false);
        notes.WriteLine($"released: {instance.Provider} {instance.Id} is gone ({gone.ProviderState}).");
    }

    private static string ReadKey(CliIo io, CliSession session, string? path, TextWriter notes)
    {
        if (path is not null) return KeyFiles.Read(io, path);
        var fallback = KeyFiles.DefaultPath(io);
        if (File.Exists(fallback)) return KeyFiles.Read(io, fallback);
        if (!session.IsSandbox) throw new ArgumentException($"--ssh-key: no key at {fallback}; create one with 'ssh-keygen -t ed25519' or pass --ssh-key.");
        notes.WriteLine($"note: no key at {KeyFiles.Display(io, fallback)}; the sandbox uses a built-in demo key.");
        return KeyFiles.SandboxDemoKey;
    }
}
