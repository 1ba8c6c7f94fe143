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
            var key = KeyFiles.Read(io, parse.GetValue(file) ?? KeyFiles.DefaultPath(io));
            var added = await session.Client.AddSshKeyAsync(parse.GetValue(name)!, key, parse.GetValue(addProvider), ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, added);
            else Render.Keys(Render.Console(io), added, CliApp.IsWide(parse));
            return ExitCodes.Success;
        }));

        var provider = new Argument<string>("provider") { Description = "fluence or fluidstack." };
        var id = new Argument<string>("id") { Description = "The key id as listed, or a unique prefix of it." };
        var remove = new Command("remove", "Remove a key; one already gone counts as removed.") { provider, id };
        remove.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            var keyId = await IdResolver.KeyAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            await session.Client.RemoveSshKeyAsync(p, keyId, ct).ConfigureAwait(false);
            if (CliApp.Json(parse)) CliJson.Write(io.Out, new { provider = p, id = keyId, result = "removed" });
            else io.Out.WriteLine($"{p} {keyId}: removed");
            return ExitCodes.Success;
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }
}
