using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary>
/// <c>gpucloud check</c>: one line per provider: configured or not (and from where), reachable, credentials accepted,
/// the local SSH key registered (by fingerprint). Exit 1 when a configured provider fails; <c>-o json</c>.
/// </summary>
internal static class CheckCommand
{
    /// <summary>The variables that carry a provider's credentials, as <c>&lt;PROVIDER&gt;_&lt;suffix&gt;</c>; the first found are named as the source.</summary>
    private static readonly string[] CredentialSuffixes = ["API_KEY", "TOKEN", "CLIENT_ID", "CLIENT_SECRET"];

    /// <summary>What <c>check</c> found for one provider.</summary>
    internal sealed record ProviderCheck(
        string Provider, bool Configured, string? Source, bool? Reachable, bool? CredentialsAccepted,
        string? KeyFingerprint, bool? KeyRegistered, string? KeyName, GpuCloudErrorCode? Code, string? Problem)
    {
        /// <summary>A configured provider that cannot be used as configured.</summary>
        public bool Failed => Configured && Code is not null;
    }

    public static Command Create(CliIo io)
    {
        var sshKey = new Option<string?>("--ssh-key") { Description = "The public key file to look for on each provider; default ~/.ssh/id_ed25519.pub when it exists." };
        var command = new Command("check", "Check each provider's setup: configured (and from where), reachable, credentials accepted, SSH key registered.") { sshKey };
        command.SetAction(CliApp.Handle(io, async (session, parse, ct) =>
        {
            var keyPath = parse.GetValue(sshKey) ?? (File.Exists(KeyFiles.DefaultPath(io)) ? KeyFiles.DefaultPath(io) : null);
            var key = keyPath is null ? null : SshPublicKey.Parse(KeyFiles.Read(io, keyPath), "--ssh-key");
            var checks = await Task.WhenAll(session.Client.Providers.Select(p => CheckAsync(session, io, p.Name, key, ct))).ConfigureAwait(false);
            var all = checks
                .Concat(session.Client.DisabledProviders.Select(d => new ProviderCheck(d.Key, false, null, null, null, null, null, null, null, d.Value)))
                .OrderBy(c => c.Provider, StringComparer.Ordinal)
                .ToArray();
            if (CliApp.Json(parse)) CliJson.Write(io.Out, all);
            else
            {
                var width = all.Max(c => c.Provider.Length);
                foreach (var c in all) io.Out.WriteLine($"{c.Provider.PadRight(width)}  {Line(c, keyPath is null ? null : KeyFiles.Display(io, keyPath))}");
            }
            return all.Any(c => c.Failed) ? ExitCodes.ProviderError : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Lists the account's SSH keys: one authenticated read answers whether the provider is reachable, whether it takes
    /// the credentials, and whether the key is registered.
    /// </summary>
    private static async Task<ProviderCheck> CheckAsync(CliSession session, CliIo io, string provider, SshPublicKey? key, CancellationToken ct)
    {
        var source = session.IsSandbox ? "--sandbox" : Source(io, provider);
        try
        {
            var keys = await session.Client.ListSshKeysAsync(provider, ct).ConfigureAwait(false);
            var match = key is null ? null : keys.FirstOrDefault(k => string.Equals(k.Fingerprint, key.Fingerprint, StringComparison.Ordinal));
            return new ProviderCheck(provider, true, source, true, true, key?.Fingerprint, key is null ? null : match is not null, match?.Name, null, null);
        }
        catch (GpuCloudException ex)
        {
            // An answer that refuses the credentials proves the provider reachable; a transport failure or timeout does not.
            var reachable = ex.StatusCode is not null;
            bool? accepted = ex.Code is GpuCloudErrorCode.Unauthorized or GpuCloudErrorCode.Forbidden ? false : null;
            return new ProviderCheck(provider, true, source, reachable, accepted, key?.Fingerprint, null, null, ex.Code, CliApp.Message(ex));
        }
    }

    /// <summary>Where the credentials come from: the variables that are set, e.g. <c>environment: FLUENCE_API_KEY</c>.</summary>
    private static string Source(CliIo io, string provider)
    {
        var prefix = provider.ToUpperInvariant() + "_";
        var set = CredentialSuffixes.Select(s => prefix + s).Where(n => !string.IsNullOrEmpty(io.Environment(n))).ToArray();
        return set.Length == 0 ? "configuration" : "environment: " + string.Join(", ", set);
    }

    internal static string Line(ProviderCheck c, string? keyFile)
    {
        if (!c.Configured) return $"not configured: {c.Problem}";
        var parts = new List<string> { $"configured ({c.Source})" };
        if (c.Code is { } code)
        {
            parts.Add(c.Reachable == true ? "reachable" : "NOT reachable");
            if (c.CredentialsAccepted == false) parts.Add("credentials REFUSED");
            parts.Add($"{code}: {c.Problem}");
            return string.Join("; ", parts);
        }
        parts.Add("reachable");
        parts.Add("credentials accepted");
        parts.Add(c.KeyFingerprint is null ? "no local SSH key to look for (--ssh-key)"
            : c.KeyRegistered == true ? $"SSH key {c.KeyFingerprint} registered as '{c.KeyName}'"
            : $"SSH key {c.KeyFingerprint} ({keyFile}) not registered ('gpucloud keys add' registers it)");
        return string.Join("; ", parts);
    }
}
