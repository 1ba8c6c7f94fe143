using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary><c>gpucloud keys list|add|remove</c>.</summary>
internal static class KeysCommands
{
    public static Command Create(CliIo io)
    {
        var command = new Command("keys", "Manage the SSH keys registered with each provider.");

        var listProvider = new Option<string?>("--provider") { Description = "Only this provider." };
        var list = new Command("list", "List registered keys with their SHA256 fingerprints.") { listProvider };
        list.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            if (parse.GetValue(listProvider) is { } named) InstancesCommands.RequireConfigured(session, named, "--provider");
            var keys = await session.Client.ListSshKeysAsync(parse.GetValue(listProvider), ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, keys);
            else if (keys.Count == 0)
                io.Out.WriteLine($"No SSH keys on {parse.GetValue(listProvider) ?? string.Join(", ", session.Client.Providers.Select(p => p.Name))}.");
            else Render.Keys(Render.Console(io), keys, CliApp.IsWide(parse));
            return ExitCodes.Success;
        }));

        var name = new Argument<string>("name") { Description = "The key's name (Fluence: lower-case letters, digits, hyphens; at most 25)." };
        var file = new Option<string?>("--ssh-key") { Description = "The public key file; default ~/.ssh/id_ed25519.pub." };
        var addProvider = new Option<string?>("--provider") { Description = "Only this provider; default all." };
        var add = new Command("add", "Register a key; a key already registered (same key material) is returned as it is.") { name, file, addProvider };
        add.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var only = parse.GetValue(addProvider);
            if (only is not null) InstancesCommands.RequireConfigured(session, only, "--provider");
            // Registered on every provider unless one is named: the name must suit them all (checked before any is asked).
            if (OptionRules.NameProblem(parse.GetValue(name)!, portable: only is null) is { } problem) throw new ArgumentException($"name: {problem}");
            var key = KeyFiles.Read(io, parse.GetValue(file) ?? KeyFiles.DefaultPath(io));
            var added = await session.Client.AddSshKeyAsync(parse.GetValue(name)!, key, parse.GetValue(addProvider), ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, added);
            else Render.Keys(Render.Console(io), added, CliApp.IsWide(parse));
            return ExitCodes.Success;
        }));

        var provider = new Argument<string>("provider") { Description = "fluence or fluidstack." };
        var id = new Argument<string>("id") { Description = "The key id as listed, or a unique prefix of it." };
        var yes = Confirmation.YesOption();
        var remove = new Command("remove", "Remove a key (shows it and asks first; --yes skips the question); a key that does not exist is an error.") { provider, id, yes };
        remove.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            InstancesCommands.RequireConfigured(session, p, "provider");
            Confirmation.RequireAnswerable(io, parse, yes, session, "removes a key");
            var key = await IdResolver.KeyAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (!await Confirmation.AskAsync(io, parse, yes, session, [$"key {key.Id} '{key.Name}' {key.Fingerprint} on {p}"], $"Remove it from {p}?", ct).ConfigureAwait(false))
            {
                io.Error.WriteLine("not removed.");
                return ExitCodes.ProviderError;
            }
            await session.Client.RemoveSshKeyAsync(p, key.Id, ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, new { provider = p, id = key.Id, name = key.Name, result = "removed" });
            else io.Out.WriteLine($"{p} {key.Id}: removed");
            return ExitCodes.Success;
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }
}
