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
        var filters = new PlansCommand.Filters();
        var sshKey = new Option<string?>("--ssh-key") { Description = "The public key file; default ~/.ssh/id_ed25519.pub." };
        var name = OptionRules.Name(new Option<string?>("--name") { Description = "The instance name (valid on every provider); default gpucloud-<random>." }, portable: true);
        var image = OptionRules.Image(new Option<string>("--image") { Description = "Container image for container plans.", DefaultValueFactory = _ => CliDefaults.ContainerImage }, container: true);
        var osImage = OptionRules.Image(new Option<string?>("--os-image") { Description = "OS image for VMs and bare metal; default the plan's first." }, container: false);
        var release = OptionRules.YesNo("--release", "Delete the instance at the end (default: yes in the sandbox, no otherwise)");
        var maxAttempts = OptionRules.Between(new Option<int>("--max-attempts") { Description = "Plans to try at most (1-100).", DefaultValueFactory = _ => 5 }, 1, 100);
        var maxDuration = Durations.Option("--max-duration", "How long the instance may run, e.g. 2h: recorded as its expiry; 'gpucloud instances sweep --expired --yes' deletes it after.");
        var yes = Confirmation.YesOption();
        var command = new Command("run", "Find the cheapest matching GPU on any provider, rent it, wait for it, show how to connect, release it.")
        {
            sshKey, name, image, osImage, release, maxAttempts, maxDuration, yes,
        };
        filters.AddTo(command);

        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var json = CliApp.Json(parse);
            var console = Render.Console(io);
            var notes = json ? io.Error : io.Out;
            var query = filters.Query(parse, session);

            var key = ReadKey(io, session, parse.GetValue(sshKey), notes);
            var instanceName = parse.GetValue(name) ?? CliDefaults.InstanceName();
            var defaults = new List<(string, string)>();
            if (parse.GetValue(name) is null) defaults.Add(("--name", instanceName));
            if (parse.GetResult(image) is null or { Implicit: true }) defaults.Add(("--image", CliDefaults.ContainerImage + " (container plans)"));
            if (OptionRules.Value(parse, release) is null) defaults.Add(("--release", session.IsSandbox ? "yes (sandbox)" : "no"));
            CliDefaults.Describe(notes, defaults);

            var found = await session.Client.ListPlansAsync(query, ct).ConfigureAwait(false);
            if (!json)
            {
                console.MarkupLine("[bold]1. Plans[/] cheapest first");
                if (found.Plans.Count == 0) console.WriteLine($"No plans match on {PlansCommand.Searched(session, query, found)}.");
                else
                {
                    Render.Plans(console, found.Plans.Take(5).ToArray(), CliApp.IsWide(parse), found.Plans);
                    console.WriteLine($"{found.Plans.Count} matching plans across {session.Client.Providers.Count} providers.");
                    if (!CliApp.IsWide(parse)) console.WriteLine(Render.PlanLegend);
                }
                PlansCommand.WriteFailures(console, found.Failures);
            }

            var released = OptionRules.Value(parse, release) ?? session.IsSandbox;
            if (found.Plans.FirstOrDefault(p => p.Availability != PlanAvailability.Unavailable) is { } cheapest)
            {
                // Short lines: each fits 80 columns.
                var summary = new[]
                {
                    $"rent:  {Render.Gpu(cheapest.Gpu)} on {cheapest.Provider} at "
                    + (cheapest.PricePerHour is { } price ? $"{Render.Price(price, cheapest.Currency)}/h" : "a price not reported"),
                    $"       plan {cheapest.Name}, the cheapest of {found.Plans.Count}",
                    $"       (the next is tried when one has no capacity, {parse.GetValue(maxAttempts)} at most)",
                    released ? "after: released (deleted) when this command ends"
                    : "after: kept (--release no); " + (parse.GetValue(maxDuration) is { } limit
                        ? $"expires after {Durations.Text(limit)}"
                        : "no expiry (set one with --max-duration)"),
                };
                if (!await Confirmation.AskAsync(io, parse, yes, session, summary, "Rent it?", ct).ConfigureAwait(false))
                {
                    io.Error.WriteLine("nothing rented.");
                    return ExitCodes.ProviderError;
                }
            }

            var keyName = "gpucloud-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
            var providers = found.Plans.Select(p => p.Provider).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (!json) console.MarkupLine("[bold]2. SSH key[/]");
            foreach (var provider in providers)
            {
                var registered = await session.Client.AddSshKeyAsync(keyName, key, provider, ct).ConfigureAwait(false);
                // The fingerprint once, then a short line per provider: one line each at 80 columns.
                if (provider == providers[0]) notes.WriteLine($"key {registered[0].Fingerprint}");
                notes.WriteLine($"  registered on {provider} as '{registered[0].Name}'.");
            }

            var template = new CreateInstanceRequest
            {
                Name = instanceName,
                SshPublicKeys = [key],
                OsImage = parse.GetValue(osImage),
                Container = new ContainerSettings { Image = parse.GetValue(image)! },
                MaxDuration = parse.GetValue(maxDuration),
            };

            if (!json) console.MarkupLine("[bold]3. Deploy[/] cheapest first, next plan on no capacity");
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
                instance = await session.Client.CreateCheapestAsync(query, template, parse.GetValue(maxAttempts), view, ct).ConfigureAwait(false);
                view.Dispose();

                if (json) notes.WriteLine($"ready: {instance.Provider} {instance.Id} ({instance.Ssh?.Command})");
                else
                {
                    console.MarkupLine("[bold]4. Connect[/]");
                    Render.Instances(console, [instance], CliApp.IsWide(parse));
                    if (instance.Reachability is { Banner: { } banner }) console.WriteLine($"SSH answered: {banner}");
                    else if (instance.Reachability is { NotProbedReason: { } reason }) console.WriteLine($"SSH not checked: {reason}.");
                    console.WriteLine($"Connect with: {instance.Ssh?.Command}");
                }

                if (released) await ReleaseAsync(session, instance, notes, ct).ConfigureAwait(false);
                else
                {
                    await session.KeepAsync(instance, notes, ct).ConfigureAwait(false);
                    notes.WriteLine(CleanupNotice.Kept(instance, template.MaxDuration));
                }
                if (json) CliJson.Write(io.Out, new { instance, released });
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
        }));
        return command;
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
