using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GpuCloud.Cli;

/// <summary><c>gpucloud ssh PROVIDER ID [-- COMMAND]</c> and <c>gpucloud ssh-config [--write]</c>.</summary>
internal static class SshCommands
{
    /// <summary>The file <c>ssh-config --write</c> owns, relative to the user's config directory.</summary>
    internal const string IncludeFile = "gpucloud/ssh_config";

    public static void AddTo(Command root, CliIo io)
    {
        root.Subcommands.Add(Ssh(io));
        root.Subcommands.Add(SshConfig(io));
    }

    private static Command Ssh(CliIo io)
    {
        var provider = new Argument<string>("provider") { Description = "fluence or fluidstack." };
        var id = new Argument<string>("id") { Description = "The instance id as listed, or a unique prefix of it (e.g. the short id the table shows)." };
        var command = new Argument<string[]>("command") { Description = "A command to run remotely (after --); an interactive shell when none.", Arity = ArgumentArity.ZeroOrMore };
        var identity = new Option<string?>("--identity", "-i") { Description = "The private key file to log in with (passed to ssh as -i)." };
        var ssh = new Command("ssh", "Log in to a ready instance with the system ssh (its user, host and port).") { provider, id, command, identity };
        ssh.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var p = parse.GetValue(provider)!;
            var instanceId = await IdResolver.InstanceAsync(session.Client, p, parse.GetValue(id)!, ct).ConfigureAwait(false);
            var instance = await session.Client.GetInstanceAsync(p, instanceId, ct).ConfigureAwait(false);
            var args = Arguments(instance, parse.GetValue(identity), parse.GetValue(command) ?? []);
            var program = FindOnPath("ssh", io.Environment("PATH") ?? Environment.GetEnvironmentVariable("PATH"))
                ?? throw new GpuCloudException(GpuCloudErrorCode.NotSupported, "ssh was not found on PATH; install an OpenSSH client, or connect with: " + instance.Ssh!.Command);
            var start = new ProcessStartInfo(program) { UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start) ?? throw new GpuCloudException(GpuCloudErrorCode.NotSupported, $"{program} could not be started.");
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return process.ExitCode;
        }));
        return ssh;
    }

    private static Command SshConfig(CliIo io)
    {
        var write = new Option<bool>("--write") { Description = $"Write the entries to ~/.config/{IncludeFile} (the file is gpucloud's own; ~/.ssh/config is never edited)." };
        var identity = new Option<string?>("--identity", "-i") { Description = "The private key file for every entry (IdentityFile)." };
        var command = new Command("ssh-config", "Print (or --write) one 'Host gpucloud-<name>' entry per ready instance, for an Include in ~/.ssh/config.") { write, identity };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var key = parse.GetValue(identity);
            if (key is not null && (key.Length == 0 || key.Any(c => char.IsControl(c) || c == '"')))
                throw new ArgumentException("--identity must be a file path without quotes or control characters.", "identity");
            var toFile = parse.GetValue(write);
            var json = CliApp.Json(parse);
            var (instances, failed) = await ListEachAsync(session.Client, ct).ConfigureAwait(false);
            var text = Render(instances, key);
            foreach (var failure in failed)
                io.Error.WriteLine($"note: {failure.Provider} could not be listed ({failure.Error.Code}); {(toFile ? "its entries in the file are kept" : "its instances are left out")}.");
            if (Entries(instances).Count == 0) io.Error.WriteLine("note: " + WhyNone(instances));
            if (!toFile)
            {
                if (json) CliJson.Write(io.Out, Entries(instances, key));
                else io.Out.Write(text);
                return ExitCodes.Success;
            }
            var path = IncludePath(io);
            IReadOnlyList<string> added, removed;
            try
            {
                if (failed.Count > 0 && File.Exists(path))
                    text += KeptEntries(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), failed.Select(f => f.Provider).ToHashSet(StringComparer.OrdinalIgnoreCase), Hosts(text));
                (added, removed) = Write(path, text);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                io.Error.WriteLine($"error: gpucloud: could not write {path}: {CliApp.Message(ex)} (set XDG_CONFIG_HOME to a folder you can write, or print the entries without --write).");
                return ExitCodes.ProviderError;
            }
            if (json)
            {
                CliJson.Write(io.Out, new { path, entries = Entries(instances, key), added, removed, include = $"Include {path}" });
                return ExitCodes.Success;
            }
            io.Out.WriteLine($"wrote {path}: {Hosts(text).Count} entries; added {List(added)}; removed {List(removed)}.");
            io.Out.WriteLine($"Add this line once near the top of ~/.ssh/config: Include {path}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One entry of <c>ssh-config -o json</c>: what its <c>Host</c> block says, and the instance it is for.</summary>
    internal sealed record SshConfigEntry(string Host, string Provider, string Id, string Name, string HostName, int Port, string User, string? IdentityFile);

    /// <summary>Why no instance got an entry, counted by reason: a command that writes nothing says why.</summary>
    internal static string WhyNone(IReadOnlyList<GpuInstance> instances)
    {
        if (instances.Count == 0) return "no instances are listed, so there are no entries.";
        var reasons = instances
            .GroupBy(i => i.State switch
            {
                InstanceState.Running when i.Ssh is null => "running without an SSH endpoint yet",
                InstanceState.Running => "running with an SSH endpoint ssh-config cannot use",
                InstanceState.Terminated or InstanceState.Failed => "ended or failed",
                _ => "not running yet (" + i.State.ToString().ToLowerInvariant() + ")",
            })
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} {g.Key}");
        return $"no ready instance with an SSH endpoint, so there are no entries: of {instances.Count} listed, {string.Join(", ", reasons)}.";
    }

    /// <summary>
    /// Lists every provider on its own, so one that fails costs only its own entries; when all of them fail, the first
    /// failure is the command's error and nothing is printed or written.
    /// </summary>
    private static async Task<(IReadOnlyList<GpuInstance> Instances, IReadOnlyList<(string Provider, GpuCloudException Error)> Failed)> ListEachAsync(GpuCloudClient client, CancellationToken ct)
    {
        var lists = await Task.WhenAll(client.Providers.Select(async p =>
        {
            try
            {
                return (Provider: p.Name, Instances: await client.ListInstancesAsync(p.Name, ct).ConfigureAwait(false), Error: (GpuCloudException?)null);
            }
            catch (GpuCloudException ex)
            {
                return (p.Name, [], ex);
            }
        })).ConfigureAwait(false);
        var failed = lists.Where(l => l.Error is not null).Select(l => (l.Provider, l.Error!)).ToArray();
        if (failed.Length > 0 && failed.Length == lists.Length) throw failed[0].Item2;
        return (lists.SelectMany(l => l.Instances).ToArray(), failed);
    }

    /// <summary>
    /// The entries of <paramref name="existing"/> (a file this command wrote) that belong to a provider that could not be
    /// listed this time: they may still be right, so they stay until that provider answers. An alias now taken is dropped.
    /// </summary>
    internal static string KeptEntries(string existing, IReadOnlySet<string> providers, IReadOnlyList<string> taken)
    {
        var kept = new StringBuilder();
        foreach (var block in existing.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length < 2 || !lines[0].StartsWith("# ", StringComparison.Ordinal)) continue;
            var provider = lines[0][2..].Split(' ', 2)[0];
            if (!providers.Contains(provider) || Hosts(block).Any(taken.Contains)) continue;
            kept.Append('\n').Append(block.TrimEnd('\n')).Append('\n');
        }
        return kept.ToString();
    }

    private static string List(IReadOnlyCollection<string> hosts) => hosts.Count == 0 ? "none" : string.Join(", ", hosts);

    /// <summary>
    /// The argument vector for the system ssh. The destination follows <c>--</c> so that a host or user from a provider can
    /// never be read as an ssh option; the remote command follows the destination.
    /// </summary>
    internal static IReadOnlyList<string> Arguments(GpuInstance instance, string? identity, IReadOnlyList<string> command)
    {
        if (instance.Ssh is not { } ssh || !instance.IsReady)
        {
            throw new GpuCloudException(GpuCloudErrorCode.Conflict,
                $"instance {instance.Name} is not ready ({instance.State}, {instance.ProviderState}{(instance.State == InstanceState.Running ? ", no SSH endpoint yet" : "")}); wait with 'gpucloud instances wait'.",
                instance.Provider);
        }
        RequireSafe(ssh.Host, "host", instance.Provider);
        RequireSafe(ssh.User, "user", instance.Provider);
        var args = new List<string> { "-p", ssh.Port.ToString(CultureInfo.InvariantCulture) };
        if (!string.IsNullOrEmpty(identity)) args.AddRange(["-i", identity]);
        args.Add("--");
        args.Add($"{ssh.User}@{ssh.Host}");
        args.AddRange(command);
        return args;
    }

    private static void RequireSafe(string value, string what, string provider)
    {
        if (value.Length == 0 || value.StartsWith('-') || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '@'))
            throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, $"the instance's SSH {what} '{Printable(value)}' is not usable on an ssh command line.", provider);
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>The first executable named <paramref name="name"/> on <paramref name="path"/>, or null.</summary>
    internal static string? FindOnPath(string name, string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var names = OperatingSystem.IsWindows() ? new[] { name + ".exe", name } : [name];
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var n in names)
                if (File.Exists(Path.Combine(dir, n))) return Path.Combine(dir, n);
        return null;
    }

    /// <summary>Where <c>ssh-config --write</c> writes: <c>$XDG_CONFIG_HOME</c> (or <c>~/.config</c>; <c>%APPDATA%</c> on Windows) + <see cref="IncludeFile"/>.</summary>
    internal static string IncludePath(CliIo io)
    {
        var config = io.Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg) ? xdg
            : OperatingSystem.IsWindows() && io.Environment("APPDATA") is { Length: > 0 } appData ? appData
            : Path.Combine(io.HomeDirectory, ".config");
        return Path.Combine(config, IncludeFile);
    }

    /// <summary>One <c>Host gpucloud-&lt;name&gt;</c> entry per ready instance, in a stable order; names made unique by the short id.</summary>
    internal static string Render(IEnumerable<GpuInstance> instances, string? identity)
    {
        var text = new StringBuilder();
        text.Append("# Written by 'gpucloud ssh-config'; rewritten on every run: edits here are lost.\n");
        foreach (var e in Entries(instances, identity))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n# {e.Provider} {e.Id}\nHost {e.Host}\n    HostName {e.HostName}\n    Port {e.Port}\n    User {e.User}\n");
            if (!string.IsNullOrEmpty(e.IdentityFile)) text.Append(CultureInfo.InvariantCulture, $"    IdentityFile \"{e.IdentityFile}\"\n");
        }
        return text.ToString();
    }

    /// <summary>The entries <see cref="Render"/> writes, one per ready instance with a usable endpoint.</summary>
    internal static IReadOnlyList<SshConfigEntry> Entries(IEnumerable<GpuInstance> instances, string? identity = null)
    {
        var ready = instances.Where(i => i.IsReady && IsUsable(i.Ssh!)).OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.Provider, StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal);
        var entries = new List<SshConfigEntry>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var i in ready)
        {
            var alias = "gpucloud-" + Alias(i.Name);
            if (!used.Add(alias))
            {
                var local = ShortIds.Local(i.Id);
                alias += "-" + Alias(local[..Math.Min(8, local.Length)]);
                used.Add(alias);
            }
            var ssh = i.Ssh!;
            entries.Add(new SshConfigEntry(alias, i.Provider, i.Id, i.Name, ssh.Host, ssh.Port, ssh.User, string.IsNullOrEmpty(identity) ? null : identity));
        }
        return entries;
    }

    private static bool IsUsable(SshEndpoint ssh) =>
        ssh.Host.Length > 0 && ssh.User.Length > 0 && !ssh.Host.StartsWith('-')
        && !ssh.Host.Concat(ssh.User).Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '#' or '@');

    private static string Alias(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());

    /// <summary>The <c>Host</c> names in a config text.</summary>
    internal static IReadOnlyList<string> Hosts(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Host ", StringComparison.Ordinal)).Select(l => l[5..].Trim()).ToArray();

    /// <summary>
    /// Replaces the include file with <paramref name="text"/>, readable and writable by the user only (the directory too),
    /// through a temporary file so a reader never sees half of it. Returns the hosts added and removed.
    /// </summary>
    internal static (IReadOnlyList<string> Added, IReadOnlyList<string> Removed) Write(string path, string text)
    {
        var before = File.Exists(path) ? Hosts(File.ReadAllText(path)) : [];
        var after = Hosts(text);
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
        return (after.Except(before, StringComparer.Ordinal).ToArray(), before.Except(after, StringComparer.Ordinal).ToArray());
    }
}
